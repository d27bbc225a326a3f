// A class spread over two hubs sharing one real redis-server: the teacher's
// controls reach students on the other hub, who owns which stroke is decided
// once for both hubs, and a student's own board is theirs on both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { studentBoardRoom } from './api-types';
import type { MemberState } from './api-types';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  openBoard,
  present,
  shapeIds,
  shapesBecome,
  TEST_ADMIN_TOKEN,
  teacherDoes,
  teacherTokenOf,
} from '../test/class-client';
import { eventually } from '../test/admin-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import type { SseClient } from '../test/sse-client';
import type { TestProvider } from '../test/yjs-client';

let redis: TestRedis;
const hubs: TestHub[] = [];
const boards: TestProvider[] = [];
const streams: SseClient[] = [];

before(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    hubs.push(
      await startHub({ Database: 'redis', DbServer: redis.server, AdminToken: TEST_ADMIN_TOKEN }),
    );
  }
});

after(async () => {
  for (const p of boards) p.destroy();
  for (const s of streams) s.close();
  for (const hub of hubs) await hub.stop();
  await redis.stop();
});

function board(hub: number, room: string, token: string): TestProvider {
  const p = openBoard(hubs[hub]!.wsUrl, room, token);
  boards.push(p);
  return p;
}

test('a class created on one hub is run from the other', async () => {
  const [a, b] = [hubs[0]!.httpUrl, hubs[1]!.httpUrl];
  const detail = await createClass(a, 'Two hubs');
  const ada = await joinClass(b, detail.code, 'Ada');
  const teacher = board(0, detail.code, teacherTokenOf(detail));
  const adaBoard = board(1, detail.code, ada.token);
  await Promise.all([teacher.synced(), adaBoard.synced()]);
  draw(teacher.doc, 'teacher-1');
  draw(adaBoard.doc, 'ada-1');
  await shapesBecome(adaBoard.doc, ['ada-1', 'teacher-1'], 'Ada on hub B');
  await shapesBecome(teacher.doc, ['ada-1', 'teacher-1'], 'the teacher on hub A');

  // The dashboard on hub A switches Ada (on hub B) to view-only.
  const events = classEvents(b, detail.code, ada.token);
  streams.push(events);
  await events.next<MemberState>('state', (s) => s.canEdit);
  await teacherDoes(a, `classes/${detail.code}/members/${ada.member.id}`, 'PATCH', {
    viewOnly: true,
  });
  await events.next<MemberState>('state', (s) => !s.canEdit);
  draw(adaBoard.doc, 'ada-view-only');
  await eventually(async () => adaBoard.denied.find((r) => r.startsWith('read-only')));
  await teacherDoes(a, `classes/${detail.code}/members/${ada.member.id}`, 'PATCH', {
    viewOnly: false,
  });
  await events.next<MemberState>('state', (s) => s.canEdit);

  // The owner of the teacher's stroke is known on hub B too.
  const adaAgain = board(1, detail.code, ada.token);
  await shapesBecome(adaAgain.doc, ['ada-1', 'teacher-1']);
  adaAgain.doc.getMap('shapes').delete('teacher-1');
  await eventually(async () => adaAgain.closes.find((c) => c.code === 4422));
  draw(teacher.doc, 'teacher-2');
  await shapesBecome(teacher.doc, ['ada-1', 'teacher-1', 'teacher-2']);

  // Locked on hub A: hub B holds the teacher's new stroke back from Ada until the reveal.
  const witness = board(1, detail.code, teacherTokenOf(detail));
  await teacherDoes(a, `classes/${detail.code}`, 'PATCH', { locked: true });
  await events.next<MemberState>('state', (s) => s.locked);
  draw(teacher.doc, 'teacher-locked');
  await eventually(async () => shapeIds(witness.doc).includes('teacher-locked'));
  assert.ok(!shapeIds(adaBoard.doc).includes('teacher-locked'));
  await teacherDoes(a, `classes/${detail.code}`, 'PATCH', { locked: false });
  await eventually(async () => shapeIds(adaBoard.doc).includes('teacher-locked'));

  // Kicked on hub A's dashboard: closed on hub B.
  await teacherDoes(a, `classes/${detail.code}/members/${ada.member.id}/kick`);
  await eventually(async () => adaBoard.closes.find((c) => c.code === 4403));
  const res = await fetch(new URL(`/api/classes/${detail.code}/me`, b), {
    headers: { Authorization: `Bearer ${ada.token}` },
  });
  assert.equal(res.status, 403);
});

test('a student who leaves right after drawing keeps the stroke, though the hub was still recording who drew it', async () => {
  const detail = await createClass(hubs[0]!.httpUrl, 'Leaving at once');
  const eve = await joinClass(hubs[0]!.httpUrl, detail.code, 'Eve');
  const url = `${hubs[0]!.wsUrl}/yjs/${detail.code}?token=${encodeURIComponent(eve.token)}`;
  const ws = new WebSocket(url);
  // The hub's greeting (its SyncStep1): the room has loaded.
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  const doc = new Y.Doc();
  draw(doc, 'eve-1');
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 0); // sync
  encoding.writeVarUint(frame, 2); // update
  encoding.writeVarUint8Array(frame, Y.encodeStateAsUpdate(doc));
  // Redis answers nothing for a moment: the hub is still recording that this
  // new client ID is Eve's when her page goes (as a board following the hub
  // to its new address does once synced).
  redis.freeze();
  try {
    ws.send(encoding.toUint8Array(frame));
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    redis.thaw();
  }
  const reader = board(1, detail.code, teacherTokenOf(detail));
  await shapesBecome(reader.doc, ['eve-1'], 'the stroke Eve sent before she left');
});

test("students' own boards across two hubs: the mode, who may open them, one book of client IDs", async () => {
  const [a, b] = [hubs[0]!.httpUrl, hubs[1]!.httpUrl];
  const detail = await createClass(a, 'Own boards on two hubs');
  const ada = await joinClass(b, detail.code, 'Ada');
  const bob = await joinClass(a, detail.code, 'Bob');
  const adaRoom = studentBoardRoom(detail.code, ada.member.id);
  const bobRoom = studentBoardRoom(detail.code, bob.member.id);

  // Switched on hub A: Ada's page on hub B is told to open her own board.
  const events = classEvents(b, detail.code, ada.token);
  streams.push(events);
  await events.next<MemberState>('state');
  await teacherDoes(a, `classes/${detail.code}`, 'PATCH', { boardMode: 'own' });
  const own = await events.next<MemberState>('state', (s) => s.boards.mode === 'own');
  assert.equal(own.boards.room, adaRoom);

  // Ada on hub B, the teacher on hub A: both write on Ada's board.
  const adaOwn = board(1, adaRoom, ada.token);
  const teacher = board(0, adaRoom, teacherTokenOf(detail));
  await Promise.all([adaOwn.synced(), teacher.synced()]);
  draw(adaOwn.doc, 'ada-1');
  draw(teacher.doc, 'teacher-on-ada');
  await shapesBecome(adaOwn.doc, ['ada-1', 'teacher-on-ada'], 'Ada on hub B');
  await shapesBecome(teacher.doc, ['ada-1', 'teacher-on-ada'], 'the teacher on hub A');

  // Bob, on either hub, may not open it.
  for (const hub of [0, 1]) {
    const intruder = board(hub, adaRoom, bob.token);
    const closed = await eventually(async () => intruder.closes.find((c) => c.code === 4403));
    assert.equal(closed.reason, "this is another student's board");
    assert.deepEqual(shapeIds(intruder.doc), []);
  }

  // Ada's client ID, bound on hub B, is Ada's on hub A too: Bob writing under it is refused.
  const bobOwn = board(0, bobRoom, bob.token);
  await bobOwn.synced();
  const forged = new Y.Doc();
  forged.clientID = adaOwn.doc.clientID;
  draw(forged, 'bob-as-ada');
  Y.applyUpdate(bobOwn.doc, Y.encodeStateAsUpdate(forged));
  await eventually(async () => bobOwn.closes.find((c) => c.code === 4422));
  assert.ok(
    bobOwn.denied.some((r) => /someone else/.test(r)),
    bobOwn.denied.join(),
  );

  // Removed on hub A: Ada's own board on hub B closes.
  await teacherDoes(a, `classes/${detail.code}/members/${ada.member.id}/kick`);
  await eventually(async () => adaOwn.closes.find((c) => c.code === 4403));
});

test('presenting across two hubs: set on one, on every page of the other, refused from a student on either', async () => {
  const [a, b] = [hubs[0]!.httpUrl, hubs[1]!.httpUrl];
  const detail = await createClass(a, 'Presenting on two hubs');
  const ada = await joinClass(a, detail.code, 'Ada');
  const bob = await joinClass(b, detail.code, 'Bob');
  const adaRoom = studentBoardRoom(detail.code, ada.member.id);
  await teacherDoes(a, `classes/${detail.code}`, 'PATCH', { boardMode: 'own' });
  const adaOwn = board(0, adaRoom, ada.token);
  await adaOwn.synced();
  draw(adaOwn.doc, 'ada-1');

  const events = classEvents(b, detail.code, bob.token);
  streams.push(events);
  await events.next<MemberState>('state');
  const view = { x: 10, y: 20, width: 640, height: 480 };
  const shown = await present(a, detail.code, teacherTokenOf(detail), {
    board: adaRoom,
    follow: view,
  });
  assert.equal(shown.status, 200);
  const state = await events.next<MemberState>('state', (s) => s.presentation.board === adaRoom);
  assert.deepEqual(state.presentation.follow, view);
  // Bob, on hub B, reads Ada's board (on hub A) while it is shown, and only reads.
  const bobReads = board(1, adaRoom, bob.token);
  await shapesBecome(bobReads.doc, ['ada-1'], "Ada's board on hub B");
  draw(bobReads.doc, 'bob-on-ada');
  await eventually(async () => bobReads.denied.find((r) => r.startsWith('read-only')));

  for (const [hub, token] of [
    [a, bob.token],
    [b, ada.token],
  ] as const) {
    const tried = await present(hub, detail.code, token, { board: null });
    assert.equal(tried.status, 403);
  }
  // A page that opens on hub B later gets the state the teacher set on hub A.
  const late = classEvents(b, detail.code, ada.token);
  streams.push(late);
  assert.deepEqual((await late.next<MemberState>('state')).presentation, {
    board: adaRoom,
    follow: view,
  });

  await present(a, detail.code, teacherTokenOf(detail), { board: null });
  await eventually(async () => bobReads.closes.find((c) => c.code === 4403));
});
