// Classes end to end on a real hub with a SQLite file: the teacher's controls
// through the admin API, students joining over HTTP, and boards through the
// real y-websocket provider. The hub enforces the roles: these tests tamper
// with the students' documents directly, as a student editing the page would.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { ClassDetail, MemberView, Snapshot } from '../admin/api-types';
import { decodeFrame, encodeAwareness, encodeSyncStep1 } from '../protocols/yjs/codec';
import type { JoinReply, MemberState, RemovedEvent } from './api-types';
import { eventually } from '../test/admin-client';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  joinRequest,
  me,
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
const config = {
  AdminToken: TEST_ADMIN_TOKEN,
  DataDir: dir.dir,
  Database: 'sqlite' as const,
  DbFile: path.join(dir.dir, 'classes.db'),
  ClassMaxMembers: 4,
};
let t: TestHub;
const boards: TestProvider[] = [];
const streams: SseClient[] = [];

function board(code: string, token: string, doc?: Y.Doc): TestProvider {
  const p = openBoard(t.wsUrl, code, token, doc);
  boards.push(p);
  return p;
}

/** What the hub holds: a fresh teacher connection's copy once synced. */
async function hubShapes(detail: ClassDetail): Promise<string[]> {
  const reader = board(detail.code, teacherTokenOf(detail));
  await reader.synced();
  const ids = shapeIds(reader.doc);
  reader.destroy();
  return ids;
}

const closedWith = (p: TestProvider, code: number) =>
  eventually(async () => p.closes.find((c) => c.code === code), 15_000, `close ${code}`);

before(async () => {
  t = await startHub(config);
});
after(async () => {
  for (const p of boards) p.destroy();
  for (const s of streams) s.close();
  await t.stop();
  dir.remove();
});

describe('creating and joining a class', () => {
  let detail: ClassDetail;
  before(async () => {
    detail = await createClass(t.httpUrl, '  Maths   7B ');
  });

  test('the dashboard gets a short code, the join URL, a QR code and the teacher link', () => {
    assert.match(detail.code, /^[A-HJKMNP-Z2-9]{6}$/);
    assert.equal(detail.title, 'Maths 7B');
    assert.ok(detail.join.url.endsWith(`/board/${detail.code}`), detail.join.url);
    assert.match(detail.join.qrSvg, /^<svg/);
    assert.ok(detail.teacherUrl.includes(`/board/${detail.code}#token=`), detail.teacherUrl);
    assert.deepEqual(
      detail.members.map((m) => [m.role, m.name]),
      [['teacher', 'Teacher']],
    );
  });

  test('a student joins with a name, typed in any case and with a dash', async () => {
    const typed = `${detail.code.slice(0, 3).toLowerCase()}-${detail.code.slice(3)}`;
    const joined = await joinClass(t.httpUrl, typed, ' Ada ');
    assert.equal(joined.member.name, 'Ada');
    assert.equal(joined.member.role, 'student');
    assert.equal(joined.board, `/board/${detail.code}`);
    const info = await fetch(new URL(`/api/classes/${typed}`, t.httpUrl));
    assert.deepEqual(await info.json(), { code: detail.code, title: 'Maths 7B', joinOpen: true });
    const mine = await me(t.httpUrl, detail.code, joined.token);
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.state.member, joined.member);
    assert.equal(mine.state.canEdit, true);
  });

  test('bad joins get a clear error and add nobody', async () => {
    const before = (await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET'))
      .members.length;
    const cases: [unknown, string, number, RegExp][] = [
      [{ name: 'x' }, 'text/plain', 415, /JSON/],
      ['{not json', 'application/json', 400, /not JSON/],
      [{}, 'application/json', 400, /string/],
      [{ name: '   ' }, 'application/json', 400, /required/],
      [{ name: 'x'.repeat(41) }, 'application/json', 400, /40/],
      [{ name: 'a\u0000b' }, 'application/json', 400, /control/],
      [{ name: 'a\u202Eb' }, 'application/json', 400, /control/],
    ];
    for (const [body, type, status, error] of cases) {
      const res = await joinRequest(t.httpUrl, detail.code, body, type);
      const reply = (await res.json()) as { error: string };
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(reply.error, error);
    }
    const unknown = await joinRequest(t.httpUrl, 'ZZZZZZ', { name: 'Bo' });
    assert.equal(unknown.status, 404);
    const after = (await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET'))
      .members.length;
    assert.equal(after, before);
  });

  test('joining closed: 403; a full class (ClassMaxMembers): 409', async () => {
    const other = await createClass(t.httpUrl, 'Small');
    await teacherDoes(t.httpUrl, `classes/${other.code}`, 'PATCH', { joinOpen: false });
    const closed = await joinRequest(t.httpUrl, other.code, { name: 'Bo' });
    assert.equal(closed.status, 403);
    await teacherDoes(t.httpUrl, `classes/${other.code}`, 'PATCH', { joinOpen: true });
    for (const name of ['A', 'B', 'C']) await joinClass(t.httpUrl, other.code, name);
    const full = await joinRequest(t.httpUrl, other.code, { name: 'D' });
    assert.equal(full.status, 409);
    assert.match(((await full.json()) as { error: string }).error, /full/);
  });

  /** A dashboard call, answered as it comes (status and body), unlike teacherDoes. */
  const call = (p: string, method: string, body?: unknown) =>
    fetch(new URL(`/admin/api/${p}`, t.httpUrl), {
      method,
      headers: {
        Authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test('bad dashboard requests: 400 or 404, nothing changed', async () => {
    assert.equal((await call(`classes/${detail.code}`, 'PATCH', { locked: 'yes' })).status, 400);
    assert.equal((await call(`classes/${detail.code}`, 'PATCH', { colour: 'red' })).status, 400);
    assert.equal((await call(`classes/${detail.code}`, 'PATCH', [])).status, 400);
    assert.equal((await call('classes', 'POST', { title: 'x'.repeat(81) })).status, 400);
    assert.equal((await call('classes/ZZZZZZ', 'GET')).status, 404);
    assert.equal(
      (await call(`classes/${detail.code}/members/nobody`, 'PATCH', { viewOnly: true })).status,
      404,
    );
    assert.equal((await call(`classes/${detail.code}/members/nobody/kick`, 'POST')).status, 404);
    const now = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET');
    assert.equal(now.locked, false);
  });

  test('the teacher cannot be removed or made view-only: 409, and the teacher’s board still opens', async () => {
    const teacher = detail.members.find((m) => m.role === 'teacher')!;
    const kick = await call(`classes/${detail.code}/members/${teacher.id}/kick`, 'POST');
    assert.equal(kick.status, 409);
    assert.match(((await kick.json()) as { error: string }).error, /teacher cannot be removed/);
    const mute = await call(`classes/${detail.code}/members/${teacher.id}`, 'PATCH', {
      viewOnly: true,
    });
    assert.equal(mute.status, 409);
    const now = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET');
    const after = now.members.find((m) => m.id === teacher.id)!;
    assert.deepEqual([after.removed, after.viewOnly], [false, false]);
    const token = new URL(detail.teacherUrl).hash.match(/token=([^&]+)/)?.[1];
    assert.ok(token, detail.teacherUrl);
    const me = await fetch(new URL(`/api/classes/${detail.code}/me`, t.httpUrl), {
      headers: { Authorization: `Bearer ${decodeURIComponent(token)}` },
    });
    assert.equal(me.status, 200);
  });

  test('a board named like a class code needs that class and one of its tokens', async () => {
    const open = async (room: string, query = '') => {
      const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}${query}`);
      return raw.closed;
    };
    assert.equal((await open('ZZZZZZ')).code, 4404);
    assert.equal((await open(detail.code)).code, 4401);
    assert.equal((await open(detail.code, '?token=nope')).code, 4401);
    const other = await createClass(t.httpUrl, 'Other');
    const stranger = await joinClass(t.httpUrl, other.code, 'Eve');
    const wrongClass = await open(detail.code, `?token=${stranger.token}`);
    assert.equal(wrongClass.code, 4403);
    assert.equal((await me(t.httpUrl, detail.code, stranger.token)).status, 403);
    assert.equal((await me(t.httpUrl, detail.code, undefined)).status, 401);
  });
});

describe('roles, enforced by the hub', () => {
  let detail: ClassDetail;
  let teacher: TestProvider;
  let ada: JoinReply;
  let bob: JoinReply;
  let adaBoard: TestProvider;
  let bobBoard: TestProvider;

  before(async () => {
    detail = await createClass(t.httpUrl, 'Roles');
    ada = await joinClass(t.httpUrl, detail.code, 'Ada');
    bob = await joinClass(t.httpUrl, detail.code, 'Bob');
    teacher = board(detail.code, teacherTokenOf(detail));
    adaBoard = board(detail.code, ada.token);
    bobBoard = board(detail.code, bob.token);
    await Promise.all([teacher.synced(), adaBoard.synced(), bobBoard.synced()]);
    draw(teacher.doc, 'teacher-1');
    draw(adaBoard.doc, 'ada-1');
    draw(bobBoard.doc, 'bob-1');
    for (const p of [teacher, adaBoard, bobBoard]) {
      await shapesBecome(p.doc, ['ada-1', 'bob-1', 'teacher-1']);
    }
  });

  test('the dashboard lists the members and their open boards', async () => {
    const now = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET');
    const byName = new Map(now.members.map((m: MemberView) => [m.name, m]));
    assert.equal(byName.get('Ada')?.online, 1);
    assert.equal(byName.get('Teacher')?.online, 1);
    assert.equal(now.students, 2);
    assert.equal(now.online, 3);
    // The Sessions page names class members, not their IDs.
    const snapshot = await teacherDoes<Snapshot>(t.httpUrl, 'snapshot', 'GET');
    const session = snapshot.sessions.find((s) => s.id === `yjs:${detail.code}`);
    assert.deepEqual(session?.clients.map((c) => c.user).sort(), ['Ada', 'Bob', 'Teacher']);
  });

  test('a student who erases everything is refused; nobody loses anything', async () => {
    const events = classEvents(t.httpUrl, detail.code, ada.token);
    streams.push(events);
    await events.next('state');
    adaBoard.doc.transact(() => {
      for (const id of shapeIds(adaBoard.doc)) adaBoard.doc.getMap('shapes').delete(id);
    });
    await closedWith(adaBoard, 4422);
    assert.ok(
      adaBoard.denied.some((r) => /^refused: .*other people/.test(r)),
      adaBoard.denied.join(),
    );
    assert.deepEqual(await hubShapes(detail), ['ada-1', 'bob-1', 'teacher-1']);
    assert.deepEqual(shapeIds(bobBoard.doc), ['ada-1', 'bob-1', 'teacher-1']);
    // Refusing an edit removes nobody from the class.
    assert.equal((await me(t.httpUrl, detail.code, ada.token)).status, 200);
    adaBoard.destroy();
    adaBoard = board(detail.code, ada.token);
    await shapesBecome(adaBoard.doc, ['ada-1', 'bob-1', 'teacher-1'], 'a fresh page');
  });

  test("an update written under the teacher's client ID is refused", async () => {
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(teacher.doc));
    // Set after loading: Yjs picks a new ID when it loads content under its own.
    forged.clientID = teacher.doc.clientID;
    const sv = Y.encodeStateVector(forged);
    draw(forged, 'forged-by-bob');
    // Straight into Bob's board, as a tampered page would apply it.
    Y.applyUpdate(bobBoard.doc, Y.encodeStateAsUpdate(forged, sv));
    await closedWith(bobBoard, 4422);
    assert.ok(
      bobBoard.denied.some((r) => /^refused: .*someone else/.test(r)),
      bobBoard.denied.join(),
    );
    assert.deepEqual(await hubShapes(detail), ['ada-1', 'bob-1', 'teacher-1']);
    bobBoard.destroy();
    bobBoard = board(detail.code, bob.token);
    await bobBoard.synced();
  });

  test("a student may not change inside someone else's stroke", async () => {
    const mine = board(detail.code, bob.token);
    await shapesBecome(mine.doc, ['ada-1', 'bob-1', 'teacher-1']);
    const teacherStroke = mine.doc.getMap('shapes').get('teacher-1') as Y.Map<unknown>;
    (teacherStroke.get('points') as Y.Array<number>).push([9, 9, 1]);
    await closedWith(mine, 4422);
    const check = board(detail.code, teacherTokenOf(detail));
    await check.synced();
    const points = (check.doc.getMap('shapes').get('teacher-1') as Y.Map<unknown>).get('points');
    assert.deepEqual((points as Y.Array<number>).toArray(), [1, 2, 0.5]);
  });

  test("students erase their own strokes; the teacher erases anyone's", async () => {
    bobBoard.doc.getMap('shapes').delete('bob-1');
    await shapesBecome(teacher.doc, ['ada-1', 'teacher-1'], 'after Bob erased his stroke');
    teacher.doc.getMap('shapes').delete('ada-1');
    await shapesBecome(bobBoard.doc, ['teacher-1'], "after the teacher erased Ada's");
    assert.deepEqual(
      bobBoard.closes.filter((c) => c.code === 4422),
      [],
    );
  });

  test('presence: a student shows under the name the hub knows, and only for their own IDs', async () => {
    bobBoard.provider.awareness.setLocalStateField('user', { name: 'Teacher', color: '#f00' });
    const seen = await eventually(async () => {
      const state = teacher.provider.awareness.getStates().get(bobBoard.doc.clientID);
      return (state?.user as { name?: string } | undefined)?.name;
    });
    assert.equal(seen, 'Bob');
    // A raw client announcing a cursor under the teacher's client ID, then under its own.
    const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${detail.code}?token=${ada.token}`);
    await raw.nextOf('sync-step1');
    const ownId = 424242;
    const entry = (clientId: number, clock: number, name: string) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, JSON.stringify({ user: { name } }));
      return encodeAwareness(encoding.toUint8Array(encoder));
    };
    raw.send(entry(teacher.doc.clientID, 99, 'Teacher'));
    raw.send(entry(ownId, 1, 'Teacher'));
    const own = await eventually(async () => bobBoard.provider.awareness.getStates().get(ownId));
    assert.equal((own.user as { name: string }).name, 'Ada');
    assert.notEqual(bobBoard.provider.awareness.meta.get(teacher.doc.clientID)?.clock, 99);
    raw.close();
    // The stock provider echoes everyone's presence back; that costs nobody their board.
    assert.deepEqual(
      [teacher, bobBoard].flatMap((p) => p.closes),
      [],
    );
  });

  test('view-only for one student applies live; the student is told why', async () => {
    const events = classEvents(t.httpUrl, detail.code, bob.token);
    streams.push(events);
    await events.next<MemberState>('state', (s) => s.canEdit);
    const member = await teacherDoes<MemberView>(
      t.httpUrl,
      `classes/${detail.code}/members/${bob.member.id}`,
      'PATCH',
      { viewOnly: true },
    );
    assert.equal(member.viewOnly, true);
    const state = await events.next<MemberState>('state', (s) => !s.canEdit);
    assert.deepEqual(state.viewOnly, { board: false, you: true });
    draw(bobBoard.doc, 'bob-while-view-only');
    await eventually(async () => bobBoard.denied.find((r) => r.startsWith('read-only')));
    draw(teacher.doc, 'teacher-2');
    await shapesBecome(bobBoard.doc, ['bob-while-view-only', 'teacher-1', 'teacher-2']);
    assert.deepEqual(await hubShapes(detail), ['teacher-1', 'teacher-2']);
    assert.equal((await me(t.httpUrl, detail.code, bob.token)).state.canEdit, false);
    // Ada is not affected.
    assert.equal((await me(t.httpUrl, detail.code, ada.token)).state.canEdit, true);
    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${bob.member.id}`, 'PATCH', {
      viewOnly: false,
    });
    await events.next<MemberState>('state', (s) => s.canEdit);
  });

  test('whole-board view-only and lock screens reach students, not the teacher', async () => {
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { viewOnly: true });
    let ada1 = (await me(t.httpUrl, detail.code, ada.token)).state;
    assert.deepEqual([ada1.canEdit, ada1.viewOnly.board, ada1.locked], [false, true, false]);
    const teacherState = (await me(t.httpUrl, detail.code, teacherTokenOf(detail))).state;
    assert.deepEqual([teacherState.canEdit, teacherState.locked], [true, false]);
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', {
      viewOnly: false,
      locked: true,
    });
    ada1 = (await me(t.httpUrl, detail.code, ada.token)).state;
    assert.deepEqual([ada1.canEdit, ada1.viewOnly.board, ada1.locked], [false, false, true]);
    const fresh = board(detail.code, ada.token);
    await fresh.synced();
    draw(fresh.doc, 'ada-while-locked');
    await eventually(async () => fresh.denied.find((r) => r.startsWith('read-only')));
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { locked: false });
    ada1 = (await me(t.httpUrl, detail.code, ada.token)).state;
    assert.deepEqual([ada1.canEdit, ada1.locked], [true, false]);
    fresh.destroy();
  });

  test('lock screens hold the board back in the hub; the reveal sends what was missed', async () => {
    const withheld = 'teacher-while-locked';
    const witness = board(detail.code, teacherTokenOf(detail));
    await witness.synced();
    // View-only first: locking then changes nothing but what the hub sends.
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { viewOnly: true });
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { locked: true });
    // A student's own socket, as a tampered page would use it: it asks for the whole board.
    const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${detail.code}?token=${bob.token}`);
    const copy = new Y.Doc();
    let replies = 0;
    raw.ws.on('message', (data: Buffer) => {
      for (const m of decodeFrame(new Uint8Array(data))) {
        if (m.type === 'update' || m.type === 'sync-step2') Y.applyUpdate(copy, m.update);
        if (m.type === 'sync-step2') replies++;
      }
    });
    // Every frame the hub sent before its answer has arrived once the answer has.
    const ask = async () => {
      const before = replies;
      raw.send(encodeSyncStep1(Y.encodeStateVector(copy)));
      await eventually(async () => replies > before, 15_000, 'the SyncStep2');
    };
    await ask();
    assert.deepEqual(shapeIds(copy), [], 'a student joining a locked class gets nothing');

    draw(teacher.doc, withheld);
    await eventually(async () => shapeIds(witness.doc).includes(withheld), 15_000, 'broadcast');
    await ask();
    assert.deepEqual(shapeIds(copy), []);
    assert.ok(!shapeIds(adaBoard.doc).includes(withheld), 'a locked page gets no new strokes');

    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', {
      locked: false,
      viewOnly: false,
    });
    await eventually(async () => shapeIds(adaBoard.doc).includes(withheld), 15_000, 'on Ada');
    await eventually(async () => shapeIds(copy).includes(withheld), 15_000, 'on the socket');
    const everything = await hubShapes(detail);
    assert.deepEqual(shapeIds(copy), everything);
    assert.deepEqual(shapeIds(adaBoard.doc), everything);
    raw.close();
    witness.destroy();
    teacher.doc.getMap('shapes').delete(withheld); // the board as the next test expects it
    await eventually(async () => !shapeIds(adaBoard.doc).includes(withheld), 15_000, 'erased');
  });

  test('clear: the teacher empties the board for everyone', async () => {
    draw(teacher.doc, 'teacher-3');
    await shapesBecome(adaBoard.doc, ['teacher-1', 'teacher-2', 'teacher-3']);
    const reply = await teacherDoes<{ cleared: number }>(t.httpUrl, `classes/${detail.code}/clear`);
    assert.equal(reply.cleared, 3);
    await shapesBecome(adaBoard.doc, [], 'Ada after the clear');
    await shapesBecome(teacher.doc, [], 'the teacher after the clear');
    assert.deepEqual(await hubShapes(detail), []);
  });

  test('kick: the student is disconnected and the old token opens nothing', async () => {
    const events = classEvents(t.httpUrl, detail.code, ada.token);
    streams.push(events);
    await events.next('state');
    const reply = await teacherDoes<{ kicked: number }>(
      t.httpUrl,
      `classes/${detail.code}/members/${ada.member.id}/kick`,
    );
    assert.equal(reply.kicked, 1);
    await closedWith(adaBoard, 4403);
    const removed = await events.next<RemovedEvent>('removed');
    assert.match(removed.reason, /removed/);
    const again = await RawYjsClient.open(`${t.wsUrl}/yjs/${detail.code}?token=${ada.token}`);
    const closed = await again.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /removed you/);
    assert.equal((await me(t.httpUrl, detail.code, ada.token)).status, 403);
    const now = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET');
    assert.equal(now.members.find((m) => m.id === ada.member.id)?.removed, true);
    assert.equal(now.students, 1);
  });

  test('deleting the class closes its boards and frees nothing for reuse', async () => {
    const reply = await teacherDoes<{ deleted: boolean }>(
      t.httpUrl,
      `classes/${detail.code}`,
      'DELETE',
    );
    assert.equal(reply.deleted, true);
    await closedWith(teacher, 4403);
    const info = await fetch(new URL(`/api/classes/${detail.code}`, t.httpUrl));
    assert.equal(info.status, 404);
    const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${detail.code}`);
    assert.equal((await raw.closed).code, 4404);
    assert.equal((await me(t.httpUrl, detail.code, bob.token)).status, 404);
  });
});

describe('roles survive a hub restart', () => {
  test('teacher, view-only student and stroke owners come back from the SQLite file', async () => {
    const detail = await createClass(t.httpUrl, 'Restart');
    const ada = await joinClass(t.httpUrl, detail.code, 'Ada');
    const bob = await joinClass(t.httpUrl, detail.code, 'Bob');
    const teacher = board(detail.code, teacherTokenOf(detail));
    const adaBoard = board(detail.code, ada.token);
    await Promise.all([teacher.synced(), adaBoard.synced()]);
    draw(teacher.doc, 'teacher-1');
    draw(adaBoard.doc, 'ada-1');
    draw(adaBoard.doc, 'ada-2');
    await shapesBecome(teacher.doc, ['ada-1', 'ada-2', 'teacher-1']);
    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${bob.member.id}`, 'PATCH', {
      viewOnly: true,
    });
    teacher.destroy();
    adaBoard.destroy();
    await t.stop();
    t = await startHub(config);

    assert.equal((await me(t.httpUrl, detail.code, bob.token)).state.canEdit, false);
    assert.equal(
      (await me(t.httpUrl, detail.code, teacherTokenOf(detail))).state.member.role,
      'teacher',
    );
    // A new page: a new client ID, bound to the same student.
    const adaAgain = board(detail.code, ada.token);
    await shapesBecome(adaAgain.doc, ['ada-1', 'ada-2', 'teacher-1']);
    adaAgain.doc.getMap('shapes').delete('ada-1');
    const teacherAgain = board(detail.code, teacherTokenOf(detail));
    await shapesBecome(teacherAgain.doc, ['ada-2', 'teacher-1'], 'Ada erased her own stroke');
    adaAgain.doc.getMap('shapes').delete('teacher-1');
    await closedWith(adaAgain, 4422);
    assert.deepEqual(await hubShapes(detail), ['ada-2', 'teacher-1']);
    teacherAgain.doc.getMap('shapes').delete('ada-2');
    await shapesBecome(teacherAgain.doc, ['teacher-1'], "the teacher erased Ada's");
    assert.deepEqual(await hubShapes(detail), ['teacher-1']);
  });
});

describe('Expiration', () => {
  test('a class nobody uses goes, with its board; a class in use stays', async () => {
    let clock = Date.now();
    const files = tempDir();
    const dbFile = path.join(files.dir, 'expiry.db');
    const hub = await startHub(
      {
        AdminToken: TEST_ADMIN_TOKEN,
        DataDir: files.dir,
        Database: 'sqlite',
        DbFile: dbFile,
        Expiration: 3600,
        ExpirationSweepSeconds: 1,
      },
      { now: () => clock },
    );
    const roomsStored = () => {
      const db = new Database(dbFile, { readonly: true });
      const names = db.prepare('SELECT name FROM yjs_rooms').pluck().all() as string[];
      db.close();
      return names;
    };
    try {
      const idle = await createClass(hub.httpUrl, 'Idle');
      const busy = await createClass(hub.httpUrl, 'Busy');
      const writer = openBoard(hub.wsUrl, idle.code, teacherTokenOf(idle));
      await writer.synced();
      draw(writer.doc, 'kept-until-expiry');
      await eventually(async () => roomsStored().includes(idle.code), 15_000, 'the board stored');
      writer.destroy();
      const present = openBoard(hub.wsUrl, busy.code, teacherTokenOf(busy));
      boards.push(present);
      await present.synced();
      clock += 2 * 3600 * 1000;
      await eventually(
        async () => (await fetch(new URL(`/api/classes/${idle.code}`, hub.httpUrl))).status === 404,
        15_000,
        'the idle class expired',
      );
      await eventually(async () => !roomsStored().includes(idle.code), 15_000, 'its board gone');
      const info = await fetch(new URL(`/api/classes/${busy.code}`, hub.httpUrl));
      assert.equal(info.status, 200);
    } finally {
      await hub.stop();
      files.remove();
    }
  });
});
