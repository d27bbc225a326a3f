// Kick means out (docs/protocols/classroom.md#removed-students), on a real hub
// over real HTTP and the real y-websocket provider: a removed student's token
// opens nothing, and a join from their browser or under their name waits for
// the teacher, who can let a waiting student in or a removed one back in.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClassDetail, MemberView } from '../admin/api-types';
import type { JoinReply, MemberState, RemovedEvent } from './api-types';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  me,
  openBoard,
  shapesBecome,
  TEST_ADMIN_TOKEN,
  teacherDoes,
} from '../test/class-client';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { SseClient } from '../test/sse-client';
import { RawYjsClient } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';

const dir = tempDir();
let t: TestHub;
let detail: ClassDetail;
const boards: TestProvider[] = [];
const streams: SseClient[] = [];

before(async () => {
  t = await startHub({
    AdminToken: TEST_ADMIN_TOKEN,
    DataDir: dir.dir,
    Database: 'sqlite',
    DbFile: path.join(dir.dir, 'classes.db'),
  });
  detail = await createClass(t.httpUrl, 'Kick 7B');
});
after(async () => {
  for (const p of boards) p.destroy();
  for (const s of streams) s.close();
  await t.stop();
  dir.remove();
});

/** A join as the board page sends it: the browser's old token, if any, as its bearer. */
async function join(name: string, previousToken?: string) {
  const res = await fetch(new URL(`/api/classes/${detail.code}/join`, t.httpUrl), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(previousToken ? { Authorization: `Bearer ${previousToken}` } : {}),
    },
    body: JSON.stringify({ name }),
  });
  return { status: res.status, reply: (await res.json()) as JoinReply };
}

const kick = (id: string) => teacherDoes(t.httpUrl, `classes/${detail.code}/members/${id}/kick`);
const letIn = (id: string) =>
  teacherDoes<MemberView>(t.httpUrl, `classes/${detail.code}/members/${id}/let-in`);
const members = async () =>
  (await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET')).members;

/** The Yjs endpoint's answer to a token: the close, or 'open' once it synced. */
async function boardRefusal(token: string) {
  const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${detail.code}?token=${token}`);
  return raw.closed;
}

function board(token: string): TestProvider {
  const p = openBoard(t.wsUrl, detail.code, token);
  boards.push(p);
  return p;
}

describe('a removed student cannot come back without the teacher', () => {
  let tom: JoinReply;

  test('the kicked token opens no board and no /me', async () => {
    tom = await joinClass(t.httpUrl, detail.code, 'Tom Smith');
    await kick(tom.member.id);
    const closed = await boardRefusal(tom.token);
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /removed you/);
    assert.equal((await me(t.httpUrl, detail.code, tom.token)).status, 403);
  });

  test('a join from the same browser (its old token) waits; its board stays closed', async () => {
    const { status, reply } = await join('Somebody Else', tom.token);
    assert.equal(status, 202);
    assert.equal(reply.waiting, true);
    assert.notEqual(reply.member.id, tom.member.id);
    const state = await me(t.httpUrl, detail.code, reply.token);
    assert.equal(state.status, 200);
    assert.equal(state.state.waiting, true);
    assert.equal(state.state.canEdit, false);
    const closed = await boardRefusal(reply.token);
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /not let you in/);
    const listed = (await members()).find((m) => m.id === reply.member.id);
    assert.equal(listed?.waiting, true);
    assert.equal(listed?.removed, false);
  });

  test('a fresh join under the removed name, in any case and spacing, waits', async () => {
    for (const name of ['tom smith', '  TOM   SMITH ', 'TomSmith']) {
      const { status, reply } = await join(name);
      assert.equal(status, 202, name);
      assert.equal(reply.waiting, true, name);
    }
    const other = await join('Tom Smithers');
    assert.equal(other.status, 201);
    assert.equal(other.reply.waiting, false);
    const summary = await teacherDoes<ClassDetail>(t.httpUrl, `classes/${detail.code}`, 'GET');
    assert.equal(summary.students, 1, 'only Tom Smithers is in; waiting and removed are not');
  });

  test('the teacher lets a waiting student in: the page hears it and the board opens', async () => {
    const { reply } = await join('Tom Smith');
    const events = classEvents(t.httpUrl, detail.code, reply.token);
    streams.push(events);
    assert.equal((await events.next<MemberState>('state')).waiting, true);
    const view = await letIn(reply.member.id);
    assert.equal(view.waiting, false);
    const now = await events.next<MemberState>('state');
    assert.equal(now.waiting, false);
    assert.equal(now.canEdit, true);
    const p = board(reply.token);
    await p.synced();
    draw(p.doc, 'back-in');
    await shapesBecome(p.doc, ['back-in']);
  });

  test('a waiting student the teacher turns away is removed', async () => {
    const { reply } = await join('TOM SMITH');
    const events = classEvents(t.httpUrl, detail.code, reply.token);
    streams.push(events);
    await events.next('state');
    await kick(reply.member.id);
    assert.match((await events.next<RemovedEvent>('removed')).reason, /removed/);
    assert.equal((await me(t.httpUrl, detail.code, reply.token)).status, 403);
  });

  test('"let back in" gives a removed student their own token back', async () => {
    const view = await letIn(tom.member.id);
    assert.equal(view.removed, false);
    const state = await me(t.httpUrl, detail.code, tom.token);
    assert.equal(state.status, 200);
    assert.equal(state.state.member.id, tom.member.id);
    const p = board(tom.token);
    await p.synced();
  });

  test('let-in of an unknown member: 404; of the teacher: 409', async () => {
    const unknown = await fetch(
      new URL(`/admin/api/classes/${detail.code}/members/nobody/let-in`, t.httpUrl),
      { method: 'POST', headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
    );
    assert.equal(unknown.status, 404);
    const teacher = (await members()).find((m) => m.role === 'teacher')!;
    const refused = await fetch(
      new URL(`/admin/api/classes/${detail.code}/members/${teacher.id}/let-in`, t.httpUrl),
      { method: 'POST', headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
    );
    assert.equal(refused.status, 409);
  });
});
