// The dashboard's Classes page in Debian's Chromium against a real hub (the
// supervisor `lanboard serve` uses). The page does every teacher action;
// students are what the hub sees of them: joined over HTTP, on the board
// through the real y-websocket provider. Each check is the students' side
// (their /me, their socket, what another client receives), never the page's
// word alone. Steps wait for what should happen (generous timeouts, nothing
// timed). Screenshots go to test-results/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import * as Y from 'yjs';
import type { JoinReply, MemberState } from '../classroom/api-types';
import type { HubSupervisor } from '../host/supervisor';
import { adminCall, eventually } from '../test/admin-client';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { ensureDashboardBuilt, SCREENSHOTS, startServedHub } from '../test/dashboard-hub';
import { tempDir } from '../test/hub-fixture';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import type { ClassDetail } from './api-types';

const WAIT = { timeout: 30_000 };

/** A pen stroke laid out as the board writes it (renderer/board/src/model/board-model.ts). */
function draw(doc: Y.Doc, id: string, author: string): void {
  doc.transact(() => {
    const shape = new Y.Map<unknown>();
    const points = new Y.Array<number>();
    points.push([10, 10, 0.5, 60, 40, 0.5]);
    const fields = { type: 'pen', color: '#1d1f24', width: 2, author, dx: 0, dy: 0, text: '' };
    for (const [key, value] of Object.entries(fields)) shape.set(key, value);
    shape.set('createdAt', Date.now());
    shape.set('points', points);
    doc.getMap('shapes').set(id, shape);
  });
}

/** What the test reads of an <img> in the page (no DOM types on the hub's side). */
type Decoded = { naturalWidth: number };

const shapeIds = (p: TestProvider) => [...p.doc.getMap('shapes').keys()].sort();

const skip = chromiumMissing();
if (skip) console.log(`# skipping the Classes page browser tests: ${skip}`);

describe('Classes page in Chromium', { skip }, () => {
  const dir = tempDir();
  let supervisor: HubSupervisor;
  let browser: TestBrowser;
  let page: Page;
  let adminToken: string;
  let detail: ClassDetail;
  let ada: JoinReply;
  let bea: JoinReply;
  const boards: TestProvider[] = [];
  const boardOf = new Map<string, TestProvider>();

  const base = () => supervisor.current.url();
  const code = () => detail.code;
  const getClass = () => adminCall<ClassDetail>(base(), `classes/${code()}`, { token: adminToken });
  const me = (token: string) =>
    adminCall<MemberState>(base(), `/api/classes/${code()}/me`, { token });
  const join = (name: string) =>
    adminCall<JoinReply>(base(), `/api/classes/${code()}/join`, {
      method: 'POST',
      body: { name },
    });
  /** Connects a member's board as the board page does, and waits for the first sync. */
  const connect = async (who: string, token: string) => {
    const board = openProvider(base().replace(/^http/, 'ws'), code(), { params: { token } });
    boards.push(board);
    boardOf.set(who, board);
    await board.synced();
    return board;
  };
  const board = (who: string) => boardOf.get(who)!;
  /** Waits until the member's /me satisfies `check`. */
  const meUntil = (token: string, what: string, check: (s: MemberState) => boolean) =>
    eventually(
      async () => {
        const r = await me(token);
        return r.status === 200 && check(r.body);
      },
      WAIT.timeout,
      what,
    );
  /** The switch on the page flips at the click; the hub applies it when the PATCH lands. */
  const joinOpenUntil = (open: boolean) =>
    eventually(
      async () =>
        (await adminCall<{ joinOpen: boolean }>(base(), `/api/classes/${code()}`)).body.joinOpen ===
        open,
      WAIT.timeout,
      open ? 'joining open' : 'joining closed',
    );
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const memberRow = (id: string) => page.locator(`tr[data-member="${id}"]`);
  const confirmIn = (title: string, action: string) =>
    page.getByRole('dialog', { name: title }).getByRole('button', { name: action }).click();

  before(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    ({ supervisor } = await startServedHub(dir.dir));
    adminToken = new URLSearchParams(new URL(supervisor.current.dashboardUrl()).hash.slice(1)).get(
      'token',
    )!;
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  });

  after(async () => {
    for (const b of boards) b.destroy();
    await browser?.close();
    await supervisor?.stop();
    dir.remove();
  });

  /** What the class page shows is what GET classes/<code> says. */
  async function pageMatches(c: ClassDetail): Promise<void> {
    await page.getByTestId('class-code').filter({ hasText: c.code }).waitFor(WAIT);
    assert.equal(await page.getByTestId('class-code').textContent(), c.code);
    const joinLink = page.getByTestId('join-url');
    assert.equal(await joinLink.getAttribute('href'), c.join.url);
    assert.equal(await joinLink.textContent(), c.join.url);
    assert.equal(await joinLink.getAttribute('target'), '_blank');
    const qr = page.getByRole('img', { name: `QR code for ${c.join.url}` });
    assert.equal(
      await qr.getAttribute('src'),
      `data:image/svg+xml;charset=utf-8,${encodeURIComponent(c.join.qrSvg)}`,
    );
    // The data: image is allowed by the page's CSP and decodes.
    await eventually(
      async () => (await qr.evaluate((img) => (img as unknown as Decoded).naturalWidth)) > 0,
      WAIT.timeout,
      'the QR code did not render',
    );
    for (const url of c.join.urls.filter((u) => u !== c.join.url)) {
      await page.getByRole('link', { name: url, exact: true }).waitFor(WAIT);
    }
    const teacher = page.getByRole('link', { name: 'Open teacher board' });
    assert.equal(await teacher.getAttribute('href'), c.teacherUrl);
    assert.equal(await teacher.getAttribute('target'), '_blank');
    assert.match((await teacher.getAttribute('rel')) ?? '', /\bnoopener\b/);
  }

  test('New class on the page creates the class and opens it, as the API describes it', async () => {
    await page.goto(supervisor.current.dashboardUrl());
    await page.getByRole('navigation').getByRole('link', { name: 'Classes' }).click();
    await page.getByTestId('classes-empty').waitFor(WAIT);
    await page.getByLabel('Title (optional)').fill('7B Maths');
    await page.getByRole('button', { name: 'New class' }).click();
    await page.getByRole('heading', { level: 1, name: '7B Maths', exact: true }).waitFor(WAIT);

    const opened = new URL(page.url()).searchParams.get('class');
    assert.ok(opened, page.url());
    const r = await adminCall<ClassDetail>(base(), `classes/${opened}`, { token: adminToken });
    assert.equal(r.status, 200, r.text);
    detail = r.body;
    assert.equal(detail.code, opened);
    assert.equal(detail.title, '7B Maths');
    assert.ok(detail.join.url.endsWith(`/board/${detail.code}`), detail.join.url);
    await pageMatches(detail);
    await shot('class-new');

    // A deep link: the class opens again on reload.
    await page.reload();
    await pageMatches(detail);
  });

  test('students who join appear in the member list as online, without a reload', async () => {
    // Set in the page: a reload would lose it.
    await page.evaluate('window.sameDocument = true');
    const teacherToken = new URLSearchParams(new URL(detail.teacherUrl).hash.slice(1)).get(
      'token',
    )!;
    await connect('teacher', teacherToken);

    const joined = await Promise.all([join('Ada'), join('Bea')]);
    for (const j of joined) assert.equal(j.status, 201, j.text);
    [ada, bea] = joined.map((j) => j.body) as [JoinReply, JoinReply];
    await connect('ada', ada.token);
    await connect('bea', bea.token);

    for (const s of [ada, bea]) {
      const row = memberRow(s.member.id);
      await row.getByText('Online').waitFor(WAIT);
      assert.match((await row.textContent()) ?? '', new RegExp(`^${s.member.name}student`));
    }
    await page.getByRole('heading', { name: '(2 students, 3 online)' }).waitFor(WAIT);
    const api = (await getClass()).body;
    for (const s of [ada, bea]) {
      assert.equal(api.members.find((m) => m.id === s.member.id)?.online, 1);
    }
    assert.equal(await page.evaluate('window.sameDocument'), true);
    await shot('class-students-online');
  });

  test("View-only for one student: the hub refuses that student's writes, and only theirs", async () => {
    const adaSwitch = page.getByRole('switch', { name: 'View-only for Ada' });
    await setSwitch(adaSwitch, true);
    await meUntil(ada.token, 'Ada view-only', (s) => !s.canEdit && s.viewOnly.you);
    assert.equal((await me(bea.token)).body.canEdit, true);
    assert.equal(
      (await getClass()).body.members.find((m) => m.id === ada.member.id)?.viewOnly,
      true,
    );

    draw(board('ada').doc, 'ada-refused', ada.member.id);
    await eventually(
      async () => board('ada').denied.some((reason) => reason.startsWith('read-only')),
      WAIT.timeout,
      'no read-only permission-denied for Ada',
    );
    // The refusal came before this write was sent: once it is through, the
    // refused one would have been too.
    draw(board('teacher').doc, 'teacher-1', 'teacher');
    await eventually(async () => shapeIds(board('bea')).includes('teacher-1'), WAIT.timeout);
    assert.deepEqual(shapeIds(board('bea')), ['teacher-1']);
    assert.deepEqual(shapeIds(board('teacher')), ['teacher-1']);

    // Ada's page reloads its copy after a refusal; so does this client.
    board('ada').destroy();
    await connect('ada', ada.token);
    assert.deepEqual(shapeIds(board('ada')), ['teacher-1']);

    await setSwitch(adaSwitch, false);
    await meUntil(ada.token, 'Ada can edit again', (s) => s.canEdit && !s.viewOnly.you);
    draw(board('ada').doc, 'ada-1', ada.member.id);
    await eventually(async () => shapeIds(board('bea')).includes('ada-1'), WAIT.timeout);
  });

  test('whole-board view-only, lock screens, joining and the chat reach the students', async () => {
    const viewOnly = page.getByRole('switch', { name: 'Whole board view-only' });
    const lock = page.getByRole('switch', { name: 'Lock screens' });
    const joining = page.getByRole('switch', { name: 'Joining open' });

    await setSwitch(viewOnly, true);
    for (const s of [ada, bea]) {
      await meUntil(s.token, 'board view-only', (m) => !m.canEdit && m.viewOnly.board);
    }
    await setSwitch(viewOnly, false);
    await meUntil(ada.token, 'board editable', (m) => m.canEdit && !m.viewOnly.board);

    const chat = page.getByRole('switch', { name: 'Chat', exact: true });
    assert.equal(await chat.isChecked(), false, 'a class starts with its chat off');
    await setSwitch(chat, true);
    await meUntil(ada.token, 'chat on', (m) => m.chat.open && m.chat.canPost);
    await page.getByTestId('class-state').getByText('chat on').waitFor(WAIT);
    await setSwitch(chat, false);
    await meUntil(ada.token, 'chat off', (m) => !m.chat.open && !m.chat.canPost);

    await setSwitch(lock, true);
    for (const s of [ada, bea]) {
      await meUntil(s.token, 'screens locked', (m) => m.locked && !m.canEdit);
    }
    await setSwitch(joining, false);
    await joinOpenUntil(false);
    const refused = await join('Cy');
    assert.equal(refused.status, 403, refused.text);

    const state = page.getByTestId('class-state');
    await state.getByText('locked').waitFor(WAIT);
    await state.getByText('joining closed').waitFor(WAIT);
    await shot('class-locked');

    // The list says the same, and leads back to the class.
    await page.getByRole('link', { name: '← All classes' }).click();
    const row = page.locator(`tr[data-class="${code()}"]`);
    await row.getByTestId('class-state').getByText('joining closed').waitFor(WAIT);
    await row.getByTestId('class-state').getByText('locked').waitFor(WAIT);
    assert.match((await row.textContent()) ?? '', new RegExp(`7B Maths${code()}23`));
    await shot('class-list');
    await row.getByRole('link', { name: '7B Maths' }).click();
    await page.getByTestId('class-code').waitFor(WAIT);

    await setSwitch(lock, false);
    await setSwitch(joining, true);
    await meUntil(bea.token, 'screens unlocked', (m) => !m.locked && m.canEdit);
    await joinOpenUntil(true);
  });

  test('Kick from the page closes the student with 4403, and their token stops working', async () => {
    await memberRow(ada.member.id).getByRole('button', { name: 'Kick Ada' }).click();
    await confirmIn('Remove Ada from the class?', 'Kick student');
    await eventually(
      async () => board('ada').closes.some((c) => c.code === 4403),
      WAIT.timeout,
      `Ada's socket was not closed with 4403 (closes: ${JSON.stringify(board('ada').closes)})`,
    );
    board('ada').destroy();
    assert.equal((await me(ada.token)).status, 403);
    assert.equal((await me(bea.token)).status, 200);

    const row = memberRow(ada.member.id);
    await row.getByText('removed').waitFor(WAIT);
    assert.equal(await row.getByRole('button', { name: 'Kick Ada' }).count(), 0);
    await page.getByRole('heading', { name: '(1 student, 2 online)' }).waitFor(WAIT);
    await shot('class-kicked');
  });

  test("Clear board from the page removes the teacher's shapes for a connected client", async () => {
    draw(board('teacher').doc, 'teacher-2', 'teacher');
    await eventually(async () => shapeIds(board('bea')).includes('teacher-2'), WAIT.timeout);
    assert.ok(shapeIds(board('bea')).length >= 2);

    await page.getByRole('button', { name: 'Clear board' }).click();
    await confirmIn('Clear the board?', 'Clear board');
    await eventually(
      async () => shapeIds(board('bea')).length === 0 && shapeIds(board('teacher')).length === 0,
      WAIT.timeout,
      'the board was not cleared for connected clients',
    );
    await page.getByText(/Board cleared/).waitFor(WAIT);
  });

  test('Delete class from the page removes it and disconnects everyone', async () => {
    await page.getByRole('button', { name: 'Delete class' }).click();
    await confirmIn('Delete this class?', 'Delete class');
    await page.getByRole('heading', { level: 1, name: 'Classes' }).waitFor(WAIT);
    await page.getByTestId('classes-empty').waitFor(WAIT);
    assert.equal((await getClass()).status, 404);
    await eventually(
      async () => board('bea').closes.length > 0 && board('teacher').closes.length > 0,
      WAIT.timeout,
      'the class was deleted but its boards stayed connected',
    );

    // A stale deep link says so instead of showing nothing.
    const admin = supervisor.current.dashboardUrl().split('#')[0]!;
    await page.goto(new URL(`classes?class=${code()}`, admin).toString());
    await page.getByRole('alert').getByText(`There is no class ${code()}`).waitFor(WAIT);
  });
});

/**
 * Turns a switch on or off as a teacher does. The switch shows the hub's state,
 * so it changes once the hub has answered: Playwright's check() looks at once
 * after its click and can find it unchanged.
 */
async function setSwitch(control: Locator, on: boolean): Promise<void> {
  if ((await control.isChecked()) === on) return;
  await control.click();
  for (const end = Date.now() + 10_000; (await control.isChecked()) !== on;) {
    if (Date.now() > end) throw new Error(`the switch did not turn ${on ? 'on' : 'off'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
