// `npm run docs:screenshots`: the pictures the docs embed, taken from the real
// pages. It starts a hub on loopback (SQLite in a throwaway folder, mDNS off)
// with a sample class, a teacher and two students drawing, opens the board, the
// join form, the dashboard (also as the Windows desktop app shows it) and a
// class in Chromium at phone, tablet and desktop widths, and writes
// docs/images/<page>-<width>.png. Later pages add their shots here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../server/admin/api-types';
import type { JoinReply } from '../server/classroom/api-types';
import { adminCall } from '../server/test/admin-client';
import { launchBrowser } from '../server/test/browser';
import {
  boardContext,
  ensureBoardBuilt,
  joinClassBoard,
  openMoreTools,
  openTeacherBoard,
  storeClassToken,
  storedClassToken,
  until,
  waitForShapes,
} from '../server/test/board-page';
import type { DebugWindow, ShapeView } from '../server/test/board-page';
import { ensureDashboardBuilt, startServedHub } from '../server/test/dashboard-hub';
import { bridgeScript } from '../app/test/desktop-bridge';

export const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));

/** The pages shot, each at every width: docs/images/<page>-<width>.png. */
export const PAGES = [
  'board',
  'board-more',
  'board-chat',
  'lesson-teacher',
  'lesson-student',
  'join',
  'dashboard',
  'windows-overview',
  'class',
  'class-members',
  'login',
  'classes',
  'sessions',
  'connections',
  'logs',
  'settings',
] as const;
type PageName = (typeof PAGES)[number];

/** The widths every page is shown at: a phone, a tablet in landscape, a laptop. */
export const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  tablet: { viewport: { width: 1024, height: 768 }, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
} satisfies Record<string, Parameters<typeof boardContext>[1]>;
type Width = keyof typeof VIEWPORTS;

interface ScrubbedDocument {
  body: unknown;
  createTreeWalker(
    root: unknown,
    show: number,
  ): { nextNode(): { nodeValue: string | null } | null };
  querySelectorAll(selector: string): Iterable<{ remove(): void }>;
}

type Sketch = Pick<ShapeView, 'type' | 'points' | 'color' | 'width'>;

/** A small lesson drawing: a triangle with its sides labelled, and an arrow. */
const TEACHER_SKETCH: Sketch[] = [
  { type: 'line', points: [80, 300, 1, 300, 300, 1], color: '#1e1e1e', width: 4 },
  { type: 'line', points: [300, 300, 1, 300, 120, 1], color: '#1e1e1e', width: 4 },
  { type: 'line', points: [80, 300, 1, 300, 120, 1], color: '#1971c2', width: 4 },
  { type: 'rect', points: [280, 280, 1, 300, 300, 1], color: '#1e1e1e', width: 2 },
  { type: 'ellipse', points: [420, 110, 1, 620, 250, 1], color: '#2f9e44', width: 3 },
];
const student = (dx: number, color: string): Sketch => ({
  type: 'pen',
  points: Array.from({ length: 24 }, (_, i) => [
    460 + dx + i * 6,
    330 + Math.sin(i / 3) * 18,
    0.5,
  ]).flat(),
  color,
  width: 3,
});

async function addShapes(page: Page, sketch: Sketch[]): Promise<void> {
  await page.evaluate((shapes) => {
    const board = (globalThis as unknown as DebugWindow).__lanboard!;
    for (const s of shapes) board.model.add(s);
  }, sketch);
}

/**
 * What would show this machine in the docs (the throwaway data folder, the host
 * name), replaced by what a teacher's laptop shows.
 */
let scrubbed: Array<[string, string]> = [];

/** A student joining the sample class over the API; `status`: 201 joined, 202 waiting. */
async function joinSample(base: string, code: string, name: string, status = 201) {
  const joined = await adminCall<JoinReply>(base, `/api/classes/${code}/join`, {
    method: 'POST',
    body: { name },
  });
  if (joined.status !== status) throw new Error(`joining as ${name}: ${joined.text}`);
  return joined.body;
}

async function shoot(page: Page, name: PageName, width: Width): Promise<string> {
  const file = path.join(IMAGES, `${name}-${width}.png`);
  await page.evaluate((pairs) => {
    const doc = (globalThis as unknown as { document: ScrubbedDocument }).document;
    const walker = doc.createTreeWalker(doc.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const [from, to] of pairs) n.nodeValue = n.nodeValue!.split(from).join(to);
    }
    // The hub here listens on loopback, as nothing may leave this machine; a
    // teacher's does not, so the warning a loopback hub shows is left out.
    for (const warning of doc.querySelectorAll('[data-testid="loopback-warning"]')) {
      warning.remove();
    }
  }, scrubbed);
  await page.waitForTimeout(300); // let the last frame and fonts settle
  await page.screenshot({ path: file });
  return file;
}

/**
 * The page `open` gives, at every width, each in a fresh context (a device of
 * its own: no login or name kept from another shot).
 */
async function atEveryWidth(
  browser: Browser,
  name: PageName,
  open: (context: BrowserContext) => Promise<Page>,
): Promise<string[]> {
  const files: string[] = [];
  for (const width of Object.keys(VIEWPORTS) as Width[]) {
    const context = await boardContext(browser, VIEWPORTS[width]);
    try {
      files.push(await shoot(await open(context), name, width));
    } finally {
      await context.close();
    }
  }
  return files;
}

export async function takeScreenshots(): Promise<string[]> {
  ensureDashboardBuilt();
  ensureBoardBuilt();
  fs.mkdirSync(IMAGES, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-shots-'));
  scrubbed = [
    [dataDir, '/home/teacher/.local/share/lanboard'],
    [`${os.hostname()}.local`, 'teacher-laptop.local'],
  ];
  const { supervisor } = await startServedHub(dataDir);
  const browser = await launchBrowser();
  const files: string[] = [];
  try {
    const hub = supervisor.current;
    const base = hub.url();
    const dashboard = hub.dashboardUrl();
    const token = new URLSearchParams(new URL(dashboard).hash.slice(1)).get('token')!;
    const created = await adminCall<ClassDetail>(base, 'classes', {
      method: 'POST',
      token,
      body: { title: '7B Maths' },
    });
    if (created.status !== 201) throw new Error(`creating the sample class: ${created.text}`);
    const lesson = created.body;

    // The class at work: the teacher's drawing, two students' answers, each on a device of their own.
    const devices: BrowserContext[] = [];
    const device = async () => {
      devices.push(await boardContext(browser.browser, VIEWPORTS.desktop));
      return devices.at(-1)!;
    };
    const teacher = await openTeacherBoard(await device(), lesson.teacherUrl);
    await addShapes(teacher, TEACHER_SKETCH);
    const ada = await joinClassBoard(await device(), base, lesson.code, 'Ada');
    await addShapes(ada, [student(0, '#e03131')]);
    const bo = await joinClassBoard(await device(), base, lesson.code, 'Bo');
    await addShapes(bo, [student(40, '#f08c00')]);
    await waitForShapes(teacher, TEACHER_SKETCH.length + 2);
    // Cy was kicked and joined again under the same name: removed, and asking to join.
    const cy = await joinSample(base, lesson.code, 'Cy');
    await adminCall(base, `classes/${lesson.code}/members/${cy.member.id}/kick`, {
      method: 'POST',
      token,
    });
    await joinSample(base, lesson.code, 'cy', 202);

    const openDashboard = async (context: BrowserContext, page = '') => {
      const tab = await context.newPage();
      await tab.goto(dashboard); // logs this context in (a cookie), then drops the token from the address
      await tab.getByRole('heading', { level: 1 }).first().waitFor();
      if (page) await tab.goto(new URL(page, dashboard).toString());
      return tab;
    };
    files.push(
      ...(await atEveryWidth(browser.browser, 'board', async (context) => {
        const page = await openTeacherBoard(context, lesson.teacherUrl);
        await waitForShapes(page, TEACHER_SKETCH.length + 2);
        return page;
      })),
      // The tool bar's More: widths, zoom, export (PDF among them) and import.
      ...(await atEveryWidth(browser.browser, 'board-more', async (context) => {
        const page = await openTeacherBoard(context, lesson.teacherUrl);
        await waitForShapes(page, TEACHER_SKETCH.length + 2);
        await openMoreTools(page);
        return page;
      })),
      // The join page as a student fills it in: the code as read out, and a name, on one form.
      ...(await atEveryWidth(browser.browser, 'join', async (context) => {
        const page = await context.newPage();
        await page.goto(`${base}/`);
        await page
          .getByLabel('Class code or room')
          .fill(`${lesson.code.slice(0, 3)} ${lesson.code.slice(3)}`);
        await page.getByLabel('Your name').fill('Ada');
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'dashboard', (context) => openDashboard(context))),
      // The Overview in the Windows desktop app on a café's Wi-Fi (docs/desktop.md):
      // a stand-in for the preload's bridge answers as Windows would.
      ...(await atEveryWidth(browser.browser, 'windows-overview', async (context) => {
        const connection = new URL(dashboard);
        connection.hash = '';
        await context.addInitScript(bridgeScript(connection.href, token));
        const page = await context.newPage();
        await page.goto(connection.href);
        await page.getByTestId('windows-network').getByRole('alert').waitFor(); // the bridge's answer
        // A key press: the phone's emulated touch layout confuses a click's hit test here.
        await page.getByRole('button', { name: 'Run the self-test' }).press('Enter');
        await page.getByTestId('selftest-scope').waitFor();
        // The hint's end at the bottom of the screen: the warning, the offer, the verdict.
        await page.evaluate(
          "document.querySelector('[data-testid=selftest-scope]').scrollIntoView({ block: 'end' })",
        );
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'class', async (context) => {
        const page = await openDashboard(context, `classes?class=${lesson.code}`);
        await page.getByTestId('class-code').waitFor();
        return page;
      })),
      // Below the class's controls: its members, those asking to join, the removed.
      ...(await atEveryWidth(browser.browser, 'class-members', async (context) => {
        const page = await openDashboard(context, `classes?class=${lesson.code}`);
        await page.getByRole('heading', { name: /Asking to join/ }).waitFor();
        await page.evaluate(
          "document.getElementById('members-title').scrollIntoView({ block: 'start' })",
        );
        return page;
      })),
      // The prompt a browser without the login cookie shows.
      ...(await atEveryWidth(browser.browser, 'login', async (context) => {
        const page = await context.newPage();
        await page.goto(new URL('.', dashboard.split('#')[0]).href);
        await page.getByLabel('Admin token').waitFor();
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'classes', async (context) => {
        const page = await openDashboard(context, 'classes');
        await page.getByText(lesson.title).first().waitFor();
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'sessions', async (context) => {
        const page = await openDashboard(context, 'sessions');
        await page.locator('tr[data-session]').first().waitFor();
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'connections', async (context) => {
        const page = await openDashboard(context, 'connections');
        await page.locator('.chart canvas').waitFor();
        await page.waitForTimeout(3000); // a few seconds of samples
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'logs', async (context) => {
        const page = await openDashboard(context, 'logs');
        await page.locator('.log-line .chip').first().waitFor();
        return page;
      })),
      // Settings at its Storage group: labels in words, keys small, numbers with units.
      ...(await atEveryWidth(browser.browser, 'settings', async (context) => {
        const page = await openDashboard(context, 'settings');
        await page.locator('[data-key="Expiration"]').scrollIntoViewIfNeeded();
        return page;
      })),
    );
    // Last, as it puts a Chat button on every board: the class's chat, turned on.
    await adminCall(base, `classes/${lesson.code}`, {
      method: 'PATCH',
      token,
      body: { chatOpen: true },
    });
    await ada.getByRole('button', { name: /^Chat/ }).click();
    files.push(
      ...(await atEveryWidth(browser.browser, 'board-chat', async (context) => {
        const page = await openTeacherBoard(context, lesson.teacherUrl);
        await page.getByRole('button', { name: /^Chat/ }).click();
        // A question from Ada, once the teacher's chat has joined (the chat keeps no history).
        await page.getByText('You joined').waitFor();
        const question = 'Is the blue side the hypotenuse?';
        await ada.getByLabel('Message to the class').fill(question);
        await ada.keyboard.press('Enter');
        await page.getByText(question).waitFor();
        await page.getByLabel('Message to the class').fill('Yes: it is opposite the right angle.');
        await page.keyboard.press('Enter');
        await page.getByText('opposite the right angle').waitFor();
        return page;
      })),
    );
    // A lesson (docs/teachers.md): everyone on their own board, Ada's shown to the class.
    await adminCall(base, `classes/${lesson.code}`, {
      method: 'PATCH',
      token,
      body: { boardMode: 'own', chatOpen: false },
    });
    await until(
      ada,
      (code) => {
        const room = (globalThis as unknown as DebugWindow).__lanboard?.options.room;
        return room?.startsWith(`${code}/`) && room;
      },
      lesson.code,
      "Ada's own board",
    );
    await addShapes(ada, [student(0, '#e03131'), ...TEACHER_SKETCH.slice(0, 3)]);
    const boToken = (await storedClassToken(bo, lesson.code))!;
    files.push(
      ...(await atEveryWidth(browser.browser, 'lesson-teacher', async (context) => {
        const page = await openTeacherBoard(context, lesson.teacherUrl);
        await page.getByRole('combobox', { name: 'Open board' }).selectOption({ label: 'Ada' });
        await waitForShapes(page, 4);
        const show = page.getByRole('button', { name: /^(Show to everyone|Stop showing)$/ });
        if ((await show.textContent()) === 'Show to everyone') await show.click();
        await page.getByRole('button', { name: 'Stop showing' }).waitFor();
        return page;
      })),
      ...(await atEveryWidth(browser.browser, 'lesson-student', async (context) => {
        const page = await context.newPage();
        await page.goto(`${base}/board/${lesson.code}?debug`);
        await storeClassToken(page, lesson.code, boToken);
        await page.goto(`${base}/board/${lesson.code}?debug`);
        await page.getByText(/The teacher is showing a student's board/).waitFor();
        await waitForShapes(page, 4);
        return page;
      })),
    );
    for (const context of devices) await context.close();
  } finally {
    await browser.close();
    await supervisor.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return files;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const files = await takeScreenshots();
  for (const file of files) console.log(path.relative(process.cwd(), file));
}
