// What the teacher presents, on a real hub with a SQLite file: spotlight (a
// student's board shown read-only to everyone) and "follow me" are one state,
// set only with the teacher's token, pushed to every page's event stream, kept
// for a page that opens later, and checked field by field.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClassDetail } from '../admin/api-types';
import { studentBoardRoom } from './api-types';
import type { JoinReply, MemberState } from './api-types';
import { eventually } from '../test/admin-client';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  me,
  openBoard,
  present,
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

const VIEW = { x: 120, y: -40, width: 800, height: 600 };

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

describe('presenting to the class', () => {
  let detail: ClassDetail;
  let teacherToken: string;
  let ada: JoinReply;
  let bob: JoinReply;
  let adaRoom: string;
  let bobEvents: SseClient;

  before(async () => {
    detail = await createClass(t.httpUrl, 'Presenting');
    teacherToken = teacherTokenOf(detail);
    ada = await joinClass(t.httpUrl, detail.code, 'Ada');
    bob = await joinClass(t.httpUrl, detail.code, 'Bob');
    adaRoom = studentBoardRoom(detail.code, ada.member.id);
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { boardMode: 'own' });
    bobEvents = classEvents(t.httpUrl, detail.code, bob.token);
    streams.push(bobEvents);
    const first = await bobEvents.next<MemberState>('state');
    assert.deepEqual(first.presentation, { board: null, follow: null });
  });

  test("spotlight: a student's board is shown to every student, read-only, live", async () => {
    const adaOwn = board(adaRoom, ada.token);
    await adaOwn.synced();
    draw(adaOwn.doc, 'ada-1');
    const shown = await present(t.httpUrl, detail.code, teacherToken, { board: adaRoom });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, { board: adaRoom, follow: null });
    const state = await bobEvents.next<MemberState>('state', (s) => s.presentation.board !== null);
    assert.equal(state.presentation.board, adaRoom);

    const bobReads = board(adaRoom, bob.token);
    await shapesBecome(bobReads.doc, ['ada-1'], "Ada's board on Bob's screen");
    draw(adaOwn.doc, 'ada-2');
    await shapesBecome(bobReads.doc, ['ada-1', 'ada-2'], 'live');
    // Bob's page may show it, not write on it.
    draw(bobReads.doc, 'bob-on-ada');
    await eventually(async () => bobReads.denied.find((r) => r.startsWith('read-only')));
    const check = board(adaRoom, teacherToken);
    await shapesBecome(check.doc, ['ada-1', 'ada-2'], 'the hub’s copy');

    // Ending it closes the board for Bob again.
    const off = await present(t.httpUrl, detail.code, teacherToken, { board: null });
    assert.deepEqual(off.body, { board: null, follow: null });
    await closedWith(bobReads, 4403);
    assert.deepEqual(adaOwn.closes, [], "Ada's own connection is not touched");
  });

  test('a student presenting is refused and changes nothing, whatever they send', async () => {
    await present(t.httpUrl, detail.code, teacherToken, { follow: VIEW });
    await bobEvents.next<MemberState>('state', (s) => s.presentation.follow !== null);
    for (const body of [{ board: adaRoom }, { board: null, follow: null }, { follow: VIEW }]) {
      const tried = await present(t.httpUrl, detail.code, bob.token, body);
      assert.equal(tried.status, 403);
      assert.equal(tried.body.error, 'only the teacher does this');
    }
    const now = await me(t.httpUrl, detail.code, ada.token);
    assert.deepEqual(now.state.presentation, { board: null, follow: VIEW });
    const forged = await present(t.httpUrl, detail.code, 'no-such-token', { board: null });
    assert.equal(forged.status, 401);
  });

  test('"follow me": the viewport reaches every page, and a page that opens later gets it', async () => {
    const moved = { ...VIEW, x: 300 };
    await present(t.httpUrl, detail.code, teacherToken, { follow: moved });
    const state = await bobEvents.next<MemberState>(
      'state',
      (s) => s.presentation.follow?.x === 300,
    );
    assert.deepEqual(state.presentation, { board: null, follow: moved });

    const cid = await joinClass(t.httpUrl, detail.code, 'Cid');
    const late = classEvents(t.httpUrl, detail.code, cid.token);
    streams.push(late);
    const first = await late.next<MemberState>('state');
    assert.deepEqual(first.presentation, { board: null, follow: moved });

    // Spotlight and follow-me together, then everything off.
    const both = await present(t.httpUrl, detail.code, teacherToken, {
      board: detail.code,
      follow: moved,
    });
    assert.deepEqual(both.body, { board: detail.code, follow: moved });
    await present(t.httpUrl, detail.code, teacherToken, {});
    await bobEvents.next<MemberState>(
      'state',
      (s) => s.presentation.board === null && s.presentation.follow === null,
    );
  });

  test('bad presentations are refused with the reason', async () => {
    const other = await createClass(t.httpUrl, 'Another class');
    const cases: [unknown, number, RegExp][] = [
      [{ board: 'ZZZZZZ' }, 400, /board must be/],
      [{ board: studentBoardRoom(detail.code, 'nobody') }, 400, /board must be/],
      [{ board: other.code }, 400, /board must be/],
      [{ board: 7 }, 400, /board must be/],
      [{ follow: { x: 0, y: 0, width: 0, height: 10 } }, 400, /follow must be/],
      [{ follow: { x: 0, y: 0, width: 10, height: 1e12 } }, 400, /follow must be/],
      [{ follow: { x: '0', y: 0, width: 10, height: 10 } }, 400, /follow must be/],
      [{ follow: { x: 0, y: 0, width: 10, height: 10, z: 1 } }, 400, /follow must be/],
      [{ follow: [1, 2, 3, 4] }, 400, /follow must be/],
      [{ page: 3 }, 400, /unknown field: page/],
      [[], 400, /JSON object/],
      ['{"board": ', 400, /./],
      [JSON.stringify({ board: 'x'.repeat(8000) }), 413, /./],
    ];
    for (const [body, status, error] of cases) {
      const tried = await present(t.httpUrl, detail.code, teacherToken, body);
      assert.equal(tried.status, status, JSON.stringify(body).slice(0, 80));
      assert.match(tried.body.error ?? '', error);
    }
    const now = await me(t.httpUrl, detail.code, bob.token);
    assert.deepEqual(now.state.presentation, { board: null, follow: null });
  });

  test("the teacher's page switches the board mode with its token; a student's is refused", async () => {
    const put = async (token: string, body: unknown) => {
      const res = await fetch(new URL(`/api/classes/${detail.code}/mode`, t.httpUrl), {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { mode?: string; error?: string } };
    };
    const refused = await put(bob.token, { mode: 'shared' });
    assert.deepEqual(refused, { status: 403, body: { error: 'only the teacher does this' } });
    assert.equal((await put(teacherToken, { mode: 'everyone' })).status, 400);
    assert.deepEqual(await put(teacherToken, { mode: 'shared' }), {
      status: 200,
      body: { mode: 'shared' },
    });
    await bobEvents.next<MemberState>('state', (s) => s.boards.mode === 'shared');
    assert.deepEqual((await put(teacherToken, { mode: 'own' })).body, { mode: 'own' });
    const state = await bobEvents.next<MemberState>('state', (s) => s.boards.mode === 'own');
    assert.equal(state.boards.room, studentBoardRoom(detail.code, bob.member.id));
  });

  test("the teacher's page lists the students' boards; a student may not", async () => {
    const list = async (token: string) => {
      const res = await fetch(new URL(`/api/classes/${detail.code}/students`, t.httpUrl), {
        headers: { Authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    assert.equal((await list(bob.token)).status, 403);
    const listed = await list(teacherToken);
    assert.equal(listed.status, 200);
    const names = (listed.body as { name: string; room: string }[]).map((s) => [s.name, s.room]);
    assert.deepEqual(names.slice(0, 2), [
      ['Ada', adaRoom],
      ['Bob', studentBoardRoom(detail.code, bob.member.id)],
    ]);
  });

  test('it survives a hub restart with the class', async () => {
    await present(t.httpUrl, detail.code, teacherToken, { board: adaRoom, follow: VIEW });
    await t.stop();
    t = await startHub({
      AdminToken: TEST_ADMIN_TOKEN,
      DataDir: dir.dir,
      Database: 'sqlite',
      DbFile: path.join(dir.dir, 'classes.db'),
    });
    const now = await me(t.httpUrl, detail.code, bob.token);
    assert.deepEqual(now.state.presentation, { board: adaRoom, follow: VIEW });
    const bobReads = board(adaRoom, bob.token);
    await eventually(async () => shapeIds(bobReads.doc).length > 0 || undefined);
  });
});
