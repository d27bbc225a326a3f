// Every dashboard page, and the board's join page, in Chromium: no failed
// request (an icon's 404 included), no sideways scrolling on a 390 px phone,
// and WCAG AA text contrast in the light and the dark theme, computed from the
// page's own colours. Screenshots go to test-results/screenshots/everywhere/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from './api-types';
import { ensureBoardBuilt } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, joinClass, teacherDoes, TEST_ADMIN_TOKEN } from '../test/class-client';
import { ensureDashboardBuilt, SCREENSHOTS } from '../test/dashboard-hub';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { contrastFailures, recordFailedRequests, sidewaysOverflow } from '../test/page-checks';
import { ZwibblerClient } from '../test/zwibbler-client';
import { captureLog } from '../test/captured-log';
import { LogRing } from '../log/logger';

const WAIT = { timeout: 30_000 };
// Runs in the browser; server/ compiles without the DOM's types.
declare function getComputedStyle(el: unknown, pseudo: string): { content: string };
const SHOTS = path.join(SCREENSHOTS, 'everywhere');
const THEMES = ['light', 'dark'] as const;

const skip = chromiumMissing();
if (skip) console.log(`# skipping the dashboard layout tests: ${skip}`);

describe('every dashboard page at 390 px, in both themes', { skip }, () => {
  let t: TestHub;
  let browser: TestBrowser;
  let lesson: ClassDetail;
  const dir = tempDir();
  const clients: ZwibblerClient[] = [];

  /** Each page, and what shows it has loaded. */
  const pages = (): Array<{ name: string; path: string; ready: (p: Page) => Promise<void> }> => [
    { name: 'overview', path: '', ready: (p) => heading(p, 'Students join at') },
    {
      name: 'classes',
      path: 'classes',
      ready: (p) => p.getByText(lesson.title).first().waitFor(WAIT),
    },
    {
      name: 'class',
      path: `classes?class=${lesson.code}`,
      ready: (p) => p.getByTestId('class-code').waitFor(WAIT),
    },
    {
      name: 'sessions',
      path: 'sessions',
      ready: (p) => p.locator('tr[data-session]').first().waitFor(WAIT),
    },
    {
      name: 'connections',
      path: 'connections',
      ready: (p) => p.locator('.chart canvas').waitFor(WAIT),
    },
    { name: 'logs', path: 'logs', ready: (p) => p.locator('.log-line').first().waitFor(WAIT) },
    {
      name: 'settings',
      path: 'settings',
      ready: (p) => p.getByRole('button', { name: 'Save', exact: true }).waitFor(WAIT),
    },
  ];
  const heading = (p: Page, name: string) => p.getByRole('heading', { name }).waitFor(WAIT);

  async function phone(theme: (typeof THEMES)[number], width = 390): Promise<BrowserContext> {
    const context = await browser.browser.newContext({
      viewport: { width, height: 844 },
      isMobile: width < 600,
      hasTouch: true,
      colorScheme: theme,
    });
    await context.addInitScript('globalThis.__name = (f) => f;');
    return context;
  }

  before(async () => {
    ensureDashboardBuilt();
    ensureBoardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    const logs = new LogRing();
    // SQLite in a deep folder: the Status card shows that long path.
    const dataDir = path.join(dir.dir, 'a-school-laptop-profile', 'AppData-Local-Lanboard-data');
    t = await startHub(
      { AdminToken: TEST_ADMIN_TOKEN, LogLevel: 'info', Database: 'sqlite', DataDir: dataDir },
      { logger: captureLog('info', logs).logger, logRing: logs },
    );
    // Something on every page: a class with a student online and one removed
    // (with a long name), a Zwibbler session, log lines.
    lesson = await createClass(t.httpUrl, '7B Maths with a rather long class title');
    await joinClass(t.httpUrl, lesson.code, 'Ada');
    const removed = await joinClass(t.httpUrl, lesson.code, 'Bartholomew-Maximilian');
    await teacherDoes(
      t.httpUrl,
      `classes/${lesson.code}/members/${encodeURIComponent(removed.member.id)}/kick`,
    );
    clients.push(
      await ZwibblerClient.join(`${t.wsUrl}/socket`, {
        docId: 'a-document-with-a-long-name-0123456789',
      }),
    );
    browser = await launchBrowser();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await browser?.close();
    await t?.stop();
    dir.remove();
  });

  for (const theme of THEMES) {
    test(`${theme}: every page loads without a failed request, fits 390 px and meets AA contrast`, async () => {
      const context = await phone(theme);
      const page = await context.newPage();
      const failed = recordFailedRequests(page);
      try {
        await page.goto(t.hub.dashboardUrl());
        await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
        const problems: string[] = [];
        for (const p of pages()) {
          await page.goto(`${t.httpUrl}/admin/${p.path}`);
          await p.ready(page);
          await page.screenshot({
            path: path.join(SHOTS, `${p.name}-${theme}-390.png`),
            fullPage: true,
          });
          const { overflow, widest } = await sidewaysOverflow(page);
          if (overflow > 0) problems.push(`${p.name}: ${overflow} px too wide (${widest})`);
          for (const f of await contrastFailures(page)) {
            problems.push(
              `${p.name}: "${f.text}" ${f.ratio}:1 < ${f.needed}:1 (${f.color} on ${f.background})`,
            );
          }
        }
        assert.deepEqual(problems, []);
        assert.deepEqual(failed, []);
      } finally {
        await context.close();
      }
    });
  }

  test("a phone: the class page's member lists are cards, so no list scrolls sideways in its box", async () => {
    const context = await phone('light');
    const page = await context.newPage();
    try {
      await page.goto(t.hub.dashboardUrl());
      await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
      await page.goto(`${t.httpUrl}/admin/classes?class=${lesson.code}`);
      await page.locator('tr[data-member]').first().waitFor(WAIT);
      const boxes = await page.locator('.table-scroll:has(table.members)').evaluateAll((els) =>
        els.map((el) => ({
          label: el.getAttribute('aria-label'),
          extra: el.scrollWidth - el.clientWidth,
        })),
      );
      // The members, and the removed student's list.
      assert.equal(boxes.length, 2);
      assert.deepEqual(
        boxes.filter((b) => b.extra > 0),
        [],
      );
      // Each field still says what it is, and the kick button is thumb-sized.
      const label = await page
        .locator('table.members td[data-label="Joined"]')
        .first()
        .evaluate((td) => getComputedStyle(td, '::before').content);
      assert.notEqual(label, 'none', 'a field on a card is labelled');
      await page.screenshot({
        path: path.join(SHOTS, 'class-members-cards-390.png'),
        fullPage: true,
      });
      const kick = await page.getByRole('button', { name: /^Kick Ada$/ }).boundingBox();
      assert.ok(kick && kick.height >= 44, `the kick button is ${kick?.height} px tall`);
    } finally {
      await context.close();
    }
  });

  test('a tablet (768 px) and a laptop (1280 px): every page fits too', async () => {
    for (const width of [768, 1280]) {
      const context = await phone('light', width);
      const page = await context.newPage();
      try {
        await page.goto(t.hub.dashboardUrl());
        const problems: string[] = [];
        for (const p of pages()) {
          await page.goto(`${t.httpUrl}/admin/${p.path}`);
          await p.ready(page);
          await page.screenshot({ path: path.join(SHOTS, `${p.name}-light-${width}.png`) });
          const { overflow, widest } = await sidewaysOverflow(page);
          if (overflow > 0)
            problems.push(`${p.name} at ${width}: ${overflow} px too wide (${widest})`);
        }
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  });

  for (const theme of THEMES) {
    test(`${theme}: the join page and a board load every file, their icon included, and the Join button is readable`, async () => {
      const context = await phone(theme);
      const page = await context.newPage();
      const failed = recordFailedRequests(page);
      try {
        await page.goto(`${t.httpUrl}/`);
        const join = page.getByRole('button', { name: 'Join' });
        await join.waitFor(WAIT);
        const icon = await page.locator('link[rel=icon]').getAttribute('href');
        assert.ok(icon, 'the join page names its icon');
        assert.equal((await page.request.get(new URL(icon, page.url()).href)).status(), 200);
        await page.screenshot({ path: path.join(SHOTS, `join-${theme}-390.png`), fullPage: true });
        assert.deepEqual(await contrastFailures(page), []);
        assert.equal((await sidewaysOverflow(page)).overflow, 0);
        await page.goto(`${t.httpUrl}/board/${lesson.code}`);
        await page.getByLabel('Your name').waitFor(WAIT);
        assert.deepEqual(await contrastFailures(page), []);
        assert.deepEqual(failed, []);
      } finally {
        await context.close();
      }
    });
  }
});
