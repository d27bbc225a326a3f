// Each student on their own board, on a real hub with a SQLite file: the
// teacher's mode switch reaches the pages, and a student's own board is a room
// of its own that only that student and the teacher open. Other students try
// it the ways a tampered page could: someone else's token, a guessed room
// name, an update written under another member's client ID.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { ClassDetail } from '../admin/api-types';
import { studentBoardRoom } from './api-types';
import type { JoinReply, MemberState } from './api-types';
import { eventually } from '../test/admin-client';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  openBoard,
  shapeIds,
  shapesBecome,
  TEST_ADMIN_TOKEN,
  teacherDoes,
  teacherTokenOf,
} from '../test/class-client';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { SseClient } from '../test/sse-client';
import type { TestProvider } from '../test/yjs-client';
import { RawYjsClient } from '../test/yjs-client';

const dir = tempDir();
let t: TestHub;
const boards: TestProvider[] = [];
const streams: SseClient[] = [];

function board(room: string, token: string): TestProvider {
  const p = openBoard(t.wsUrl, room, token);
  boards.push(p);
  return p;
}

const closedWith = (p: TestProvider, code: number) =>
  eventually(async () => p.closes.find((c) => c.code === code), 15_000, `close ${code}`);

/** What a raw client is told when it opens `room` with `token`. */
async function refusal(room: string, token?: string) {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}${query}`);
  return raw.closed;
}

before(async () => {
  t = await startHub({
    AdminToken: TEST_ADMIN_TOKEN,
    DataDir: dir.dir,
    Database: 'sqlite',
    DbFile: path.join(dir.dir, 'classes.db'),
  });
});
after(async () => {
  for (const p of boards) p.destroy();
  for (const s of streams) s.close();
  await t.stop();
  dir.remove();
});

describe('each student on their own board', () => {
  let detail: ClassDetail;
  let ada: JoinReply;
  let bob: JoinReply;
  let adaRoom: string;
  let bobRoom: string;
  let adaOwn: TestProvider;
  let teacherOnAda: TestProvider;

  before(async () => {
    detail = await createClass(t.httpUrl, 'Own boards');
    ada = await joinClass(t.httpUrl, detail.code, 'Ada');
    bob = await joinClass(t.httpUrl, detail.code, 'Bob');
    adaRoom = studentBoardRoom(detail.code, ada.member.id);
    bobRoom = studentBoardRoom(detail.code, bob.member.id);
  });

  test("the teacher's switch tells each page which board to work on, both ways", async () => {
    const events = classEvents(t.httpUrl, detail.code, ada.token);
    streams.push(events);
    const first = await events.next<MemberState>('state');
    assert.deepEqual(first.boards, { mode: 'shared', room: detail.code });

    const own = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'PATCH', {
      boardMode: 'own',
    });
    assert.equal(own.boardMode, 'own');
    const switched = await events.next<MemberState>('state', (s) => s.boards.mode === 'own');
    assert.equal(switched.boards.room, adaRoom);

    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { boardMode: 'shared' });
    const back = await events.next<MemberState>('state', (s) => s.boards.mode === 'shared');
    assert.equal(back.boards.room, detail.code);
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { boardMode: 'own' });

    const bad = await fetch(new URL(`/admin/api/classes/${detail.code}`, t.httpUrl), {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ boardMode: 'everyone' }),
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /boardMode/);
  });

  test('the student and the teacher both write on the student’s board; it is a document of its own', async () => {
    adaOwn = board(adaRoom, ada.token);
    teacherOnAda = board(adaRoom, teacherTokenOf(detail));
    const shared = board(detail.code, bob.token);
    await Promise.all([adaOwn.synced(), teacherOnAda.synced(), shared.synced()]);
    draw(adaOwn.doc, 'ada-1');
    draw(teacherOnAda.doc, 'teacher-on-ada');
    await shapesBecome(adaOwn.doc, ['ada-1', 'teacher-on-ada'], "Ada's board, for Ada");
    await shapesBecome(
      teacherOnAda.doc,
      ['ada-1', 'teacher-on-ada'],
      "Ada's board, for the teacher",
    );
    // Neither the shared board nor Bob's own holds any of it.
    const bobOwn = board(bobRoom, bob.token);
    await bobOwn.synced();
    assert.deepEqual(shapeIds(bobOwn.doc), []);
    assert.deepEqual(shapeIds(shared.doc), []);
    assert.deepEqual(adaOwn.closes, []);
    assert.deepEqual(teacherOnAda.closes, []);
  });

  test('another student opening it with their own token is refused, reads nothing, writes nothing', async () => {
    const intruder = board(adaRoom, bob.token);
    await closedWith(intruder, 4403);
    assert.deepEqual(intruder.denied, ["this is another student's board"]);
    assert.deepEqual(shapeIds(intruder.doc), [], 'nothing of the board was sent');
    const check = board(adaRoom, teacherTokenOf(detail));
    await shapesBecome(check.doc, ['ada-1', 'teacher-on-ada'], 'the hub’s copy');
  });

  test('a forged or missing token is refused before anything is sent', async () => {
    const forged = await refusal(adaRoom, randomBytes(24).toString('base64url'));
    assert.equal(forged.code, 4401);
    assert.match(forged.reason, /unknown token/);
    const none = await refusal(adaRoom);
    assert.equal(none.code, 4401);
    const otherClass = await createClass(t.httpUrl, 'Elsewhere');
    const wrong = await refusal(adaRoom, teacherTokenOf(otherClass));
    assert.equal(wrong.code, 4403);
    assert.match(wrong.reason, /another class/);
  });

  test('a guessed room name: a student is refused, the teacher told there is no such student', async () => {
    const guessed = studentBoardRoom(detail.code, randomBytes(9).toString('base64url'));
    const byStudent = await refusal(guessed, bob.token);
    assert.equal(byStudent.code, 4403);
    assert.equal(byStudent.reason, "this is another student's board");
    const byTeacher = await refusal(guessed, teacherTokenOf(detail));
    assert.equal(byTeacher.code, 4404);
    // The teacher's own member ID is no student's board either.
    const teacherId = detail.members.find((m) => m.role === 'teacher')!.id;
    const teachersRoom = await refusal(
      studentBoardRoom(detail.code, teacherId),
      teacherTokenOf(detail),
    );
    assert.equal(teachersRoom.code, 4404);
    // Under a class code that names no class, nothing opens as a plain room.
    const noClass = await refusal(`ZZZZZZ/${ada.member.id}`, ada.token);
    assert.equal(noClass.code, 4404);
  });

  test("an update written under Ada's client ID on Bob's own board is refused", async () => {
    const bobOwn = board(bobRoom, bob.token);
    await bobOwn.synced();
    // One book of client IDs for all the class's boards: Ada's ID is Ada's everywhere.
    const forged = new Y.Doc();
    forged.clientID = adaOwn.doc.clientID;
    draw(forged, 'bob-as-ada');
    Y.applyUpdate(bobOwn.doc, Y.encodeStateAsUpdate(forged));
    await closedWith(bobOwn, 4422);
    assert.ok(
      bobOwn.denied.some((r) => /^refused: .*someone else/.test(r)),
      bobOwn.denied.join(),
    );
    const check = board(bobRoom, teacherTokenOf(detail));
    await check.synced();
    assert.deepEqual(shapeIds(check.doc), []);
  });

  test("on her own board a student still may not erase the teacher's writing", async () => {
    adaOwn.doc.getMap('shapes').delete('teacher-on-ada');
    await closedWith(adaOwn, 4422);
    const check = board(adaRoom, teacherTokenOf(detail));
    await shapesBecome(check.doc, ['ada-1', 'teacher-on-ada'], 'the hub’s copy');
    adaOwn.destroy();
    adaOwn = board(adaRoom, ada.token);
    await shapesBecome(adaOwn.doc, ['ada-1', 'teacher-on-ada'], 'a fresh page');
  });

  test("the class's switches hold on a student's own board: view-only, then removal", async () => {
    const events = classEvents(t.httpUrl, detail.code, ada.token);
    streams.push(events);
    await events.next<MemberState>('state', (s) => s.canEdit);
    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${ada.member.id}`, 'PATCH', {
      viewOnly: true,
    });
    await events.next<MemberState>('state', (s) => !s.canEdit);
    draw(adaOwn.doc, 'ada-view-only');
    await eventually(async () => adaOwn.denied.find((r) => r.startsWith('read-only')));
    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${ada.member.id}`, 'PATCH', {
      viewOnly: false,
    });
    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${ada.member.id}/kick`);
    await closedWith(adaOwn, 4403);
    const again = await refusal(adaRoom, ada.token);
    assert.equal(again.code, 4403);
    assert.match(again.reason, /removed you/);
    // The teacher still opens the removed student's board.
    const check = board(adaRoom, teacherTokenOf(detail));
    await check.synced();
    assert.ok(shapeIds(check.doc).includes('ada-1'));
  });

  test("deleting the class closes the students' boards and deletes them", async () => {
    const file = new Database(path.join(dir.dir, 'classes.db'), { readonly: true });
    const stored = () =>
      (
        file.prepare("SELECT name FROM yjs_rooms WHERE name LIKE ? || '/%'").all(detail.code) as {
          name: string;
        }[]
      ).map((r) => r.name);
    try {
      await eventually(async () => stored().includes(adaRoom) || undefined);
      await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'DELETE');
      await closedWith(teacherOnAda, 4403);
      const gone = await refusal(bobRoom, bob.token);
      assert.equal(gone.code, 4404);
      assert.deepEqual(stored(), []);
    } finally {
      file.close();
    }
  });
});
