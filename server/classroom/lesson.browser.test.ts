// A lesson in Debian's Chromium against a real hub on a SQLite file: the
// teacher (from the dashboard's link) puts a class of four on their own boards
// with the page's own button, each student draws on theirs, the teacher opens
// each one, shows one to everyone (read-only for the others, one tap back),
// and "follow me" moves a phone's view. Every step waits for what the pages
// should show; nothing is timed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import {
  BOARD_WAIT,
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  joinClassBoard,
  openTeacherBoard,
  until,
  waitForShapes,
} from '../test/board-page';
import type { DebugWindow } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, TEST_ADMIN_TOKEN } from '../test/class-client';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the lesson browser tests: ${skip}`);

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
const NAMES = ['Ada', 'Bob', 'Cid', 'Dan'];

/** The Yjs room the page's board is on now. */
const roomOf = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as DebugWindow).__lanboard?.options.room ?? '');

const onRoom = (page: Page, room: string) =>
  until(
    page,
    (want) => (globalThis as unknown as DebugWindow).__lanboard?.options.room === want || undefined,
    room,
    `the board ${room}`,
  );

describe('a lesson in Chromium: own boards, spotlight, follow me', { skip }, () => {
  const dir = tempDir('lanboard-lesson-browser-');
  let hub: TestHub;
  let browser: TestBrowser;
  const contexts: BrowserContext[] = [];
  let detail: ClassDetail;
  let teacher: Page;
  const students: Page[] = [];
  const rooms: string[] = [];

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({
      AdminToken: TEST_ADMIN_TOKEN,
      Database: 'sqlite',
      DbFile: path.join(dir.dir, 'hub.db'),
      DataDir: dir.dir,
    });
    browser = await launchBrowser();
    detail = await createClass(hub.httpUrl, 'Fractions');
    const context = async (options = {}) => {
      const c = await boardContext(browser.browser, options);
      contexts.push(c);
      return c;
    };
    teacher = await openTeacherBoard(await context(), detail.teacherUrl);
    for (const [i, name] of NAMES.entries()) {
      // Ada is on a phone.
      const c = await context(i === 0 ? PHONE : {});
      students.push(await joinClassBoard(c, hub.httpUrl, detail.code, name));
    }
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
    dir.remove();
  });

  test("the teacher's button puts every student on their own board; each draws there", async () => {
    for (const s of students) assert.equal(await roomOf(s), detail.code);
    await teacher.getByRole('button', { name: 'Own boards: off' }).click();
    await teacher.getByRole('button', { name: 'Own boards: on' }).waitFor(BOARD_WAIT);
    for (const s of students) {
      const room = await until(
        s,
        (code) => {
          const r = (globalThis as unknown as DebugWindow).__lanboard?.options.room;
          return r?.startsWith(`${code}/`) && r;
        },
        detail.code,
        'an own board',
      );
      rooms.push(room);
    }
    assert.equal(new Set(rooms).size, NAMES.length, 'a board each');
    for (const [i, s] of students.entries()) {
      await drawWithMouse(s, [
        [60, 200 + i * 10],
        [120, 220],
        [180, 200],
      ]);
      await waitForShapes(s, 1);
    }
  });

  test("the teacher opens each student's board and sees that student's stroke", async () => {
    for (const [i, name] of NAMES.entries()) {
      await teacher.getByRole('combobox', { name: 'Open board' }).selectOption({ label: name });
      await onRoom(teacher, rooms[i]!);
      await waitForShapes(teacher, 1);
    }
    // The teacher writes on Dan's board; Dan sees it.
    await drawWithMouse(teacher, [
      [200, 300],
      [260, 320],
      [320, 300],
    ]);
    await waitForShapes(students[3]!, 2);
  });

  test("spotlight: Ada's board on every screen, read-only for the others; one tap back", async () => {
    await teacher.getByRole('combobox', { name: 'Open board' }).selectOption({ label: 'Ada' });
    await onRoom(teacher, rooms[0]!);
    await teacher.getByRole('button', { name: 'Show to everyone' }).click();
    await teacher.getByRole('button', { name: 'Stop showing' }).waitFor(BOARD_WAIT);
    const [ada, ...others] = students as [Page, ...Page[]];
    await ada.getByText('Your board is shown to the class').waitFor(BOARD_WAIT);
    for (const s of others) {
      await onRoom(s, rooms[0]!);
      await waitForShapes(s, 1);
      await s.getByText(/The teacher is showing a student's board/).waitFor(BOARD_WAIT);
      await s.getByRole('img', { name: /view only/ }).waitFor(BOARD_WAIT);
    }
    // Bob draws: nothing of it is kept, on his page or anywhere.
    const bob = others[0]!;
    await drawWithMouse(bob, [
      [60, 400],
      [200, 420],
    ]);
    await waitForShapes(teacher, 1);
    await bob.getByRole('button', { name: 'Back to my board' }).click();
    await onRoom(bob, rooms[1]!);

    await teacher.getByRole('button', { name: 'Stop showing' }).click();
    for (const [i, s] of others.slice(1).entries()) await onRoom(s, rooms[i + 2]!);
    // Shown again later: Bob, who had left it, gets it again.
    await teacher.getByRole('button', { name: 'Show to everyone' }).click();
    await onRoom(bob, rooms[0]!);
    await teacher.getByRole('button', { name: 'Stop showing' }).click();
    await onRoom(bob, rooms[1]!);
  });

  test("follow me: a phone's view moves to what the teacher sees", async () => {
    const ada = students[0]!;
    const before = await ada.evaluate(() =>
      (globalThis as unknown as DebugWindow).__lanboard!.visibleArea(),
    );
    await teacher.getByRole('button', { name: 'Follow me: off' }).click();
    await teacher.getByRole('button', { name: 'Follow me: on' }).waitFor(BOARD_WAIT);
    await ada.getByText('Following the teacher').waitFor(BOARD_WAIT);
    // The teacher looks somewhere else; the phone follows (the centre of its view comes along).
    const target = { minX: 5000, minY: 3000, maxX: 5600, maxY: 3400 };
    await teacher.evaluate(
      (box) => (globalThis as unknown as DebugWindow).__lanboard!.showArea(box),
      target,
    );
    const centre = await until(
      ada,
      () => {
        const a = (globalThis as unknown as DebugWindow).__lanboard!.visibleArea();
        const c = [(a.minX + a.maxX) / 2, (a.minY + a.maxY) / 2];
        return Math.abs(c[0]! - 5300) < 5 && Math.abs(c[1]! - 3200) < 5 && c;
      },
      undefined,
      "the phone showing the teacher's view",
    );
    assert.ok(centre);
    assert.notDeepEqual(before, target);
    // The student looks around, then one tap brings the teacher's view back.
    await ada.evaluate(() =>
      (globalThis as unknown as DebugWindow).__lanboard!.showArea({
        minX: 0,
        minY: 0,
        maxX: 100,
        maxY: 100,
      }),
    );
    await ada.getByRole('button', { name: "Teacher's view" }).click();
    await until(
      ada,
      () => {
        const a = (globalThis as unknown as DebugWindow).__lanboard!.visibleArea();
        return Math.abs((a.minX + a.maxX) / 2 - 5300) < 5 || undefined;
      },
      undefined,
      "the teacher's view again",
    );
    await teacher.getByRole('button', { name: 'Follow me: on' }).click();
    await ada.getByText('Following the teacher').waitFor({ state: 'detached', ...BOARD_WAIT });
  });
});
