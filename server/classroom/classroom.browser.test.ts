// Classes in Debian's Chromium against a real hub on a SQLite file: the
// teacher's board (from the dashboard's link) and two students who joined with
// a name. The teacher's switches go through the admin API, as the dashboard's
// buttons do. The students tamper through the page's own Y.Doc and provider
// (`?debug`), bypassing the UI as a student editing the page could: the hub
// refuses, nobody else sees it, and the page shows why and returns to the
// hub's copy. Every step waits for what the pages should show; nothing is timed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import { eventually } from '../test/admin-client';
import {
  BOARD_WAIT,
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  joinClassBoard,
  openMoreTools,
  openTeacherBoard,
  shapeIdsOf,
  storeClassToken,
  storedClassToken,
  until,
  waitForShapeIds,
  waitForShapes,
  waitForState,
} from '../test/board-page';
import type { DebugWindow } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import {
  createClass,
  draw,
  me,
  openBoard,
  shapeIds,
  TEST_ADMIN_TOKEN,
  teacherDoes,
  teacherTokenOf,
} from '../test/class-client';
import { freePort, startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { TestProvider } from '../test/yjs-client';
import { EDIT_REFUSED_CLOSE } from './api-types';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the class browser tests: ${skip}`);

type Point = [number, number];
const line = (y: number, x0 = 100, x1 = 300): Point[] => [
  [x0, y],
  [(x0 + x1) / 2, y + 20],
  [x1, y],
];

/** A stroke written straight into the page's Y.Doc (the provider sends it on), not drawn. */
function writeStroke(page: Page, y: number): Promise<string> {
  return page.evaluate(
    (at) =>
      (globalThis as unknown as DebugWindow).__lanboard!.model.add({
        type: 'pen',
        points: [100, at, 0.5, 300, at + 20, 0.5],
        color: '#e03131',
        width: 4,
      }),
    y,
  );
}

/** Waits for the page's refusal notice; dismissNotices first, so that it is a new one. */
async function refusalShown(page: Page, text: RegExp): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).waitFor(BOARD_WAIT);
}

async function dismissNotices(page: Page): Promise<void> {
  // In one go in the page: a notice may also leave by itself meanwhile.
  await page
    .locator('.toast button')
    .evaluateAll((buttons) => buttons.forEach((b) => (b as unknown as { click(): void }).click()));
  await page.locator('.toast').waitFor({ state: 'detached', ...BOARD_WAIT });
}

const dashed = (code: string) => `${code.slice(0, 3).toLowerCase()}-${code.slice(3).toLowerCase()}`;

describe('classes in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-class-browser-');
  const db = path.join(dir.dir, 'hub.db');
  let port: number;
  let hub: TestHub | undefined;
  let browser: TestBrowser;
  const contexts: BrowserContext[] = [];
  const providers: TestProvider[] = [];
  let detail: ClassDetail;
  let code: string;
  let teacher: Page;
  /** Student 1: made view-only in the first test, and stays so. */
  let ada: Page;
  /** Student 2: may edit throughout. */
  let bob: Page;

  const start = async () => {
    hub = await startHub({
      AdminToken: TEST_ADMIN_TOKEN,
      Database: 'sqlite',
      DbFile: db,
      DataDir: dir.dir,
      ServerPort: port,
      // The teacher, Ada, Bob and Kim (kicked, still counted): then the class is full.
      ClassMaxMembers: 4,
    });
    return hub;
  };
  const newContext = async () => {
    const c = await boardContext(browser.browser);
    contexts.push(c);
    return c;
  };
  const board = (token: string) => {
    const p = openBoard(hub!.wsUrl, code, token);
    providers.push(p);
    return p;
  };
  /** What the hub holds: the shape ids a fresh reader gets once synced. */
  const hubShapeIds = async () => {
    const reader = board(teacherTokenOf(detail));
    await reader.synced();
    const ids = shapeIds(reader.doc);
    reader.destroy();
    return ids;
  };
  const classDetail = () => teacherDoes<ClassDetail>(hub!.httpUrl, `classes/${code}`, 'GET');
  const memberId = async (name: string) =>
    (await classDetail()).members.find((m) => m.name === name)!.id;
  const everyone = () => [teacher, ada, bob];
  /** Draws on one page; returns the new stroke's id and what the page had before. */
  const newStroke = async (page: Page, points: Point[]) => {
    const before = await shapeIdsOf(page);
    await drawWithMouse(page, points);
    const id = await until(
      page,
      (known) =>
        (globalThis as unknown as DebugWindow).__lanboard?.model
          .all()
          .find((s) => !known.includes(s.id))?.id,
      before,
      'the new stroke',
    );
    return { id, before };
  };
  /** Draws on one page and waits until every page has the stroke; returns its id. */
  const drawn = async (page: Page, points: Point[]) => {
    const { id, before } = await newStroke(page, points);
    const all = [...before, id];
    for (const p of everyone()) await waitForShapeIds(p, all);
    return id;
  };

  before(async () => {
    ensureBoardBuilt();
    port = await freePort();
    await start();
    browser = await launchBrowser();
    detail = await createClass(hub!.httpUrl, 'Maths 7B');
    code = detail.code;
    teacher = await openTeacherBoard(await newContext(), detail.teacherUrl);
    ada = await joinClassBoard(await newContext(), hub!.httpUrl, code, 'Ada');
    // The code as a child types it: the page moves to the class's own address.
    bob = await joinClassBoard(await newContext(), hub!.httpUrl, dashed(code), 'Bob');
  });

  after(async () => {
    for (const p of providers) p.destroy();
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
    dir.remove();
  });

  test('the teacher link and the join form give each page its role', async () => {
    // The token left the address bar for localStorage.
    assert.ok(!teacher.url().includes('token'), teacher.url());
    assert.equal(await storedClassToken(teacher, code), teacherTokenOf(detail));
    assert.equal(new URL(bob.url()).pathname, `/board/${code}`);
    assert.ok(await storedClassToken(bob, code));
    await teacher.locator('.role').getByText('Teacher').waitFor(BOARD_WAIT);
    await ada.locator('.role').getByText('Student: Ada').waitFor(BOARD_WAIT);
    await bob.locator('.role').getByText('Student: Bob').waitFor(BOARD_WAIT);
    await openMoreTools(teacher);
    await teacher.getByRole('button', { name: 'Clear board' }).waitFor(BOARD_WAIT);
    assert.equal(await bob.getByRole('button', { name: 'Clear board' }).count(), 0);
    // Presence carries the member's name: the page sends it, the others show it.
    const ownName = (page: Page) =>
      page.evaluate(() => {
        const local = (
          globalThis as unknown as DebugWindow
        ).__lanboard!.connection.provider.awareness.getLocalState() as {
          user?: { name?: string };
        } | null;
        return local?.user?.name;
      });
    assert.equal(await ownName(ada), 'Ada');
    assert.equal(await ownName(bob), 'Bob');
    await teacher.getByText('2 others here').waitFor(BOARD_WAIT);
    const names = await teacher.evaluate(() =>
      (globalThis as unknown as DebugWindow)
        .__lanboard!.presence.peers()
        .map((p) => p.name)
        .sort(),
    );
    assert.deepEqual(names, ['Ada', 'Bob']);
    // A page reload keeps the seat: no form again.
    await bob.reload();
    await waitForState(bob, 'connected');
    await bob.locator('.role').getByText('Student: Bob').waitFor(BOARD_WAIT);
  });

  test("view-only: the page says why, and a stroke forced through the page's doc reaches nobody", async () => {
    const t1 = await drawn(teacher, line(100));
    await teacherDoes(hub!.httpUrl, `classes/${code}/members/${await memberId('Ada')}`, 'PATCH', {
      viewOnly: true,
    });
    await ada.getByText('The teacher made your board view-only').waitFor(BOARD_WAIT);
    assert.ok(await ada.getByRole('button', { name: 'Pen (P)' }).isDisabled());
    assert.ok(await ada.getByRole('button', { name: 'Eraser (E)' }).isDisabled());
    // Bob is not concerned.
    assert.ok(await bob.getByRole('button', { name: 'Pen (P)' }).isEnabled());

    const forced = await writeStroke(ada, 200);
    await refusalShown(ada, /not saved/);
    // A fresh copy from the hub: the stroke is gone from Ada's page too.
    await waitForShapeIds(ada, [t1], "Ada's page back to the hub's copy");
    await waitForState(ada, 'connected');
    // Bob draws after the hub dropped it: once his stroke is everywhere, Ada's would be too.
    const b1 = await drawn(bob, line(300));
    assert.deepEqual(await hubShapeIds(), [t1, b1].sort());
    assert.ok(!(await shapeIdsOf(teacher)).includes(forced));

    // The whole board view-only: every student is told, in the board's words.
    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { viewOnly: true });
    await bob.getByText('The teacher made the board view-only').waitFor(BOARD_WAIT);
    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { viewOnly: false });
    await bob.locator('.view-only').waitFor({ state: 'detached', ...BOARD_WAIT });
    await ada.getByText('The teacher made your board view-only').waitFor(BOARD_WAIT);
  });

  test("tampering: erasing everyone's work and writing as the teacher are refused", async () => {
    const before = await shapeIdsOf(teacher);
    assert.equal(before.length, 2);

    // "Delete everything", straight on Bob's doc.
    await bob.evaluate(() => {
      const s = (globalThis as unknown as DebugWindow).__lanboard!;
      s.doc.transact(() => s.model.shapes.clear());
    });
    await refusalShown(bob, /Your change was refused: .*erase/);
    await waitForShapeIds(bob, before, "Bob's page gets the strokes back");
    await waitForState(bob, 'connected');
    const t2 = await drawn(teacher, line(150, 400, 600));
    const intact = [...before, t2];
    assert.deepEqual(await hubShapeIds(), intact.sort());

    // An update forged under the teacher's client ID, applied to Bob's doc (his provider sends it).
    await dismissNotices(bob);
    const teacherClient = await teacher.evaluate(
      () => (globalThis as unknown as DebugWindow).__lanboard!.doc.clientID,
    );
    await bob.evaluate((client) => {
      const w = globalThis as unknown as DebugWindow;
      const [Y, s] = [w.__lanboardYjs!, w.__lanboard!];
      const forged = new Y.Doc();
      Y.applyUpdate(forged, Y.encodeStateAsUpdate(s.doc));
      forged.clientID = client; // continues the teacher's own clock
      let update: Uint8Array | undefined;
      forged.on('update', (u: Uint8Array) => (update = u));
      forged.transact(() => {
        const shape = new Y.Map<unknown>();
        shape.set('type', 'pen');
        shape.set('points', Y.Array.from([400, 500, 0.5, 600, 520, 0.5]));
        shape.set('color', '#e03131');
        shape.set('width', 8);
        forged.getMap('shapes').set('forged-as-teacher', shape);
      });
      Y.applyUpdate(s.doc, update!);
    }, teacherClient);
    await refusalShown(bob, /Your change was refused: .*someone else/);
    await waitForShapeIds(bob, intact, "Bob's page without the forged stroke");
    const t3 = await drawn(teacher, line(450, 400, 600));
    assert.deepEqual(await hubShapeIds(), [...intact, t3].sort());

    // The same over the wire, with Bob's token: permission-denied, then EDIT_REFUSED_CLOSE.
    const wire = board((await storedClassToken(bob, code))!);
    // The stock provider echoes the others' presence, which the hub refuses too: not this test.
    wire.provider.awareness.off('update', wire.provider._awarenessUpdateHandler);
    await wire.synced();
    wire.doc.clientID = teacherClient;
    draw(wire.doc, 'forged-over-the-wire');
    await eventually(
      async () => wire.closes.find((c) => c.code === EDIT_REFUSED_CLOSE),
      30_000,
      `close ${EDIT_REFUSED_CLOSE}`,
    );
    assert.equal(wire.denied.length, 1);
    assert.match(wire.denied[0]!, /^refused: .*someone else/);
    assert.deepEqual(await hubShapeIds(), [...intact, t3].sort());
  });

  test("clear: the teacher's Clear board empties the board for everyone", async () => {
    await drawn(bob, line(550));
    assert.ok((await shapeIdsOf(teacher)).length >= 3);
    await openMoreTools(teacher);
    await teacher.getByRole('button', { name: 'Clear board' }).click();
    // It asks first; Cancel keeps everything.
    await teacher.getByRole('button', { name: 'Cancel' }).click();
    assert.ok((await shapeIdsOf(teacher)).length >= 3);
    await openMoreTools(teacher);
    await teacher.getByRole('button', { name: 'Clear board' }).click();
    await teacher.getByRole('button', { name: 'Clear for everyone' }).click();
    for (const p of everyone()) await waitForShapes(p, 0);
    assert.deepEqual(await hubShapeIds(), []);
  });

  test('kick: the page shows it was removed, and the old token opens nothing', async () => {
    const context = await newContext();
    const kim = await joinClassBoard(context, hub!.httpUrl, code, 'Kim');
    const token = (await storedClassToken(kim, code))!;
    const kimId = await memberId('Kim');
    await teacherDoes(hub!.httpUrl, `classes/${code}/members/${kimId}/kick`);

    await kim
      .getByRole('heading', { name: 'You were removed from this class' })
      .waitFor(BOARD_WAIT);
    assert.equal(await storedClassToken(kim, code), null);
    // The page let go of its board, and the hub counts no connection of Kim's.
    assert.ok(await kim.evaluate(() => !(globalThis as unknown as DebugWindow).__lanboard));
    await eventually(
      async () => (await classDetail()).members.find((m) => m.id === kimId)?.online === 0,
      30_000,
      "Kim's board connection still open",
    );

    // A fresh page in the same browser has no token left: the form.
    const again = await context.newPage();
    await again.goto(`${hub!.httpUrl}/board/${code}?debug`);
    await again.getByRole('heading', { name: 'Join Maths 7B' }).waitFor(BOARD_WAIT);
    // A token the hub never issued (401) is dropped, and the form says so.
    await storeClassToken(again, code, 'not-a-token');
    await again.reload();
    await again.getByRole('alert').filter({ hasText: 'join again' }).waitFor(BOARD_WAIT);
    assert.equal(await storedClassToken(again, code), null);
    // With the old token put back, the hub still says no.
    await storeClassToken(again, code, token);
    await again.reload();
    await again
      .getByRole('heading', { name: 'You were removed from this class' })
      .waitFor(BOARD_WAIT);
    assert.equal((await me(hub!.httpUrl, code, token)).status, 403);
    const raw = board(token);
    await eventually(async () => raw.closes.find((c) => c.code === 4403), 30_000, 'close 4403');
  });

  test('joining: a closed class and a full one say why', async () => {
    const page = await (await newContext()).newPage();
    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { joinOpen: false });
    await page.goto(`${hub!.httpUrl}/board/${code}?debug`);
    await page.getByText('The teacher has closed joining for now.').waitFor(BOARD_WAIT);
    await page.getByLabel('Your name').fill('Lee');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('alert').filter({ hasText: 'closed joining' }).waitFor(BOARD_WAIT);

    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { joinOpen: true });
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('alert').filter({ hasText: 'This class is full' }).waitFor(BOARD_WAIT);
    assert.equal(await storedClassToken(page, code), null);
  });

  test('lock screens: students see "Eyes on your teacher", the teacher does not; unlock brings the boards back', async () => {
    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { locked: true });
    for (const p of [ada, bob]) {
      await p.getByRole('heading', { name: 'Eyes on your teacher' }).waitFor(BOARD_WAIT);
      // The board behind it is out of reach.
      assert.equal(await p.locator('.board-frame').getAttribute('inert'), '');
    }
    assert.equal(await teacher.locator('.lock-overlay').count(), 0);
    assert.ok(await teacher.getByRole('button', { name: 'Pen (P)' }).isEnabled());
    // What the teacher draws now stays in the hub: a page with its overlay removed would show nothing new.
    const { id: answer, before } = await newStroke(teacher, line(500, 600, 800));
    await eventually(async () => (await hubShapeIds()).includes(answer), 30_000, 'stored');
    for (const p of [ada, bob]) assert.deepEqual(await shapeIdsOf(p), before);

    await teacherDoes(hub!.httpUrl, `classes/${code}`, 'PATCH', { locked: false });
    for (const p of [ada, bob]) {
      await p.locator('.lock-overlay').waitFor({ state: 'detached', ...BOARD_WAIT });
      await waitForShapeIds(p, [...before, answer], 'the reveal');
    }
    await teacher.evaluate(
      (id) => (globalThis as unknown as DebugWindow).__lanboard!.model.remove([id]),
      answer,
    );
    for (const p of everyone()) await waitForShapeIds(p, before, 'the board as it was');
    assert.ok(await bob.getByRole('button', { name: 'Pen (P)' }).isEnabled());
  });

  test("a student's eraser leaves alone his stroke the teacher moved (the hub would refuse it)", async () => {
    for (const p of everyone()) await dismissNotices(p);
    const start = await shapeIdsOf(teacher);
    await drawn(bob, line(300));
    const moved = await drawn(bob, line(450));
    await teacher.evaluate(
      (id) => (globalThis as unknown as DebugWindow).__lanboard!.model.move([id], 0, 20),
      moved,
    );
    await until(
      bob,
      (id) =>
        (globalThis as unknown as DebugWindow).__lanboard!.model.all().find((s) => s.id === id)
          ?.dy === 20,
      moved,
      'the move on Bob',
    );
    // One eraser stroke through both: only the stroke nobody else touched goes.
    await bob.getByRole('button', { name: 'Eraser (E)' }).click();
    await drawWithMouse(
      bob,
      [260, 320, 380, 450, 490, 530].map((y): Point => [200, y]),
    );
    for (const p of everyone()) await waitForShapeIds(p, [...start, moved]);
    // The page says why the moved stroke stays; the hub refused nothing.
    await refusalShown(bob, /^The teacher has changed this, so only the teacher can erase it now/);
    const hubRefusals = bob.getByRole('alert').filter({ hasText: /refused|not saved|closed/ });
    assert.equal(await hubRefusals.count(), 0, 'nothing was refused');
    await waitForState(bob, 'connected');

    await bob.getByRole('button', { name: 'Pen (P)' }).click();
    await teacher.evaluate(
      (id) => (globalThis as unknown as DebugWindow).__lanboard!.model.remove([id]),
      moved,
    );
    for (const p of everyone()) await waitForShapeIds(p, start, 'the board as it was');
  });

  test("a student's eraser on the teacher's stroke: the stroke stays and a toast says why", async () => {
    for (const p of everyone()) await dismissNotices(p);
    const start = await shapeIdsOf(teacher);
    const t = await drawn(teacher, line(300));
    await bob.getByRole('button', { name: 'Eraser (E)' }).click();
    await drawWithMouse(bob, [
      [200, 260],
      [200, 300],
      [200, 340],
    ]);
    await refusalShown(bob, /^Only the teacher can erase this: it is someone else's\./);
    // Nothing went, here or at the hub, and the page did not have to start over.
    assert.deepEqual(await shapeIdsOf(bob), [...start, t].sort());
    assert.deepEqual(await hubShapeIds(), [...start, t].sort());
    assert.equal(
      await bob
        .getByRole('alert')
        .filter({ hasText: /refused/ })
        .count(),
      0,
    );

    await bob.getByRole('button', { name: 'Pen (P)' }).click();
    await teacher.evaluate(
      (id) => (globalThis as unknown as DebugWindow).__lanboard!.model.remove([id]),
      t,
    );
    for (const p of everyone()) await waitForShapeIds(p, start, 'the board as it was');
    await dismissNotices(bob);
  });

  test('restart: roles, view-only and ownership survive a new hub on the same SQLite file', async () => {
    for (const p of everyone()) await dismissNotices(p);
    const t = await drawn(teacher, line(100));
    const b1 = await drawn(bob, line(250));
    const b2 = await drawn(bob, line(400, 600, 800));

    await hub!.stop();
    for (const p of everyone()) await waitForState(p, 'reconnecting');
    await start();
    for (const p of everyone()) await waitForState(p, 'connected');

    // Ada is still view-only: the hub says so, her reloaded page too, and her writes go nowhere.
    const adaToken = (await storedClassToken(ada, code))!;
    assert.equal((await me(hub!.httpUrl, code, adaToken)).state.canEdit, false);
    await ada.reload();
    await waitForState(ada, 'connected');
    await ada.getByText('The teacher made your board view-only').waitFor(BOARD_WAIT);
    await writeStroke(ada, 600);
    await refusalShown(ada, /not saved/);
    await waitForShapeIds(ada, [t, b1, b2], "Ada's page back to the hub's copy");

    // Bob can still draw, and still cannot erase the teacher's stroke...
    const b3 = await drawn(bob, line(550));
    await bob.evaluate(
      (id) => (globalThis as unknown as DebugWindow).__lanboard!.model.remove([id]),
      t,
    );
    await refusalShown(bob, /Your change was refused: .*erase/);
    await waitForShapeIds(bob, [t, b1, b2, b3], "Bob's page gets the teacher's stroke back");
    await waitForState(bob, 'connected');
    // ...but erases his own from before the restart, with the eraser.
    await bob.getByRole('button', { name: 'Eraser (E)' }).click();
    await drawWithMouse(bob, [
      [700, 380],
      [700, 440],
    ]);
    for (const p of everyone()) await waitForShapeIds(p, [t, b1, b3]);
    assert.deepEqual(await hubShapeIds(), [t, b1, b3].sort());

    // The teacher is still the moderator.
    await openMoreTools(teacher);
    await teacher.getByRole('button', { name: 'Clear board' }).click();
    await teacher.getByRole('button', { name: 'Clear for everyone' }).click();
    for (const p of everyone()) await waitForShapes(p, 0);
    assert.deepEqual(await hubShapeIds(), []);
  });
});

// docs/protocols/classroom.md#limits
describe('a class page over the class-code limit', { skip }, () => {
  test('a board page whose lookup is refused 429 says to wait instead of opening a plain room, and opens the class once it may', async () => {
    ensureBoardBuilt();
    let clock = Date.now();
    const h = await startHub(
      { AdminToken: TEST_ADMIN_TOKEN, ClassCodeAttemptsPerMinute: 10 },
      { now: () => clock },
    );
    const browser = await launchBrowser();
    try {
      const { code } = await createClass(h.httpUrl);
      // Chromium connects from 127.0.0.1 too: one miss spends that address's budget of 10.
      assert.equal((await fetch(`${h.httpUrl}/api/classes/AAAAAA`)).status, 404);
      const page = await (await boardContext(browser.browser)).newPage();
      await page.goto(`${h.httpUrl}/board/${code}`);
      await page.getByRole('heading', { name: 'The hub asks you to wait' }).waitFor(BOARD_WAIT);
      await page.getByText(/too many class codes tried from this address/).waitFor(BOARD_WAIT);
      clock += 60_000;
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByLabel('Your name').waitFor(BOARD_WAIT);
    } finally {
      await browser.close();
      await h.stop();
    }
  });
});
