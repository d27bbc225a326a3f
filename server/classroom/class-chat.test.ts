// A class's chat (docs/protocols/chat.md#a-classs-chat) on a real hub, with
// real `ws` clients speaking beej-chat-protocol at <ChatPath>/<class code>
// with member tokens: the teacher's switch turns students' chat on and off;
// names and roles come from the class, not the client;
// each class's chat is apart; refusals have their close codes; the chat's
// size and rate limits hold; view-only students read but cannot post; a
// kicked member's chat closes, their token opens no chat again, and coming
// back under their name opens none until the teacher lets them in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClassDetail } from '../admin/api-types';
import { ChatClient, chatJson, upgradeStatus } from '../test/chat-client';
import {
  createClass,
  joinClass,
  joinRequest,
  TEST_ADMIN_TOKEN,
  teacherDoes,
  teacherTokenOf,
} from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const RATE = 20;
const MAX_CHARS = 100;

describe("a class's chat", () => {
  let t: TestHub;
  let detail: ClassDetail;
  const clients: ChatClient[] = [];
  const url = (code: string, token?: string) =>
    `${t.wsUrl}/chat/${code}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const open = async (code: string, token?: string) => {
    const c = await ChatClient.open(url(code, token));
    clients.push(c);
    return c;
  };
  /** Opens with a token and takes the hub's join of this member. */
  const enter = async (token: string, code = detail.code) => {
    const c = await open(code, token);
    return { c, joined: JSON.parse(await c.next()) as { payload: Record<string, string> } };
  };

  before(async () => {
    t = await startHub({
      AdminToken: TEST_ADMIN_TOKEN,
      SignalMessagesPerSecond: RATE,
      ChatMaxMessageChars: MAX_CHARS,
      ClassStreamsPerMember: 3,
    });
    detail = await chatClass('Chat 7B');
  });
  /** A class with its chat turned on. */
  const chatClass = async (title: string) => {
    const created = await createClass(t.httpUrl, title);
    await teacherDoes(t.httpUrl, `classes/${created.code}`, 'PATCH', { chatOpen: true });
    return created;
  };
  after(async () => {
    for (const c of clients) await c.close();
    await t.stop();
  });

  test("the teacher's switch: off by default; off refuses and closes students' chats, never the teacher's", async () => {
    const off = await createClass(t.httpUrl, 'Chat off');
    const fay = await joinClass(t.httpUrl, off.code, 'Fay');
    const refused = await open(off.code, fay.token);
    assert.deepEqual(await refused.closed, {
      code: 4403,
      reason: 'the teacher has turned the chat off',
    });
    const teacher = await enter(teacherTokenOf(off), off.code);

    await teacherDoes(t.httpUrl, `classes/${off.code}`, 'PATCH', { chatOpen: true });
    const student = await enter(fay.token, off.code);
    assert.match(await teacher.c.next(), /"chat-join".*"Fay"/);
    student.c.send('chat-message', { message: 'hello' });
    assert.match(await teacher.c.next(), /"hello"/);

    await teacherDoes(t.httpUrl, `classes/${off.code}`, 'PATCH', { chatOpen: false });
    assert.deepEqual(await student.c.closed, {
      code: 4403,
      reason: 'the teacher has turned the chat off',
    });
    assert.match(await teacher.c.next(), /"chat-leave".*"Fay"/);
    teacher.c.send('chat-message', { message: 'only me now' });
    assert.match(await teacher.c.next(), /only me now/);
  });

  test('names and roles come from the class: a student cannot post as the teacher', async () => {
    const teacher = await enter(teacherTokenOf(detail));
    assert.equal(teacher.joined.payload.username, 'Teacher');
    assert.equal(teacher.joined.payload.role, 'teacher');
    const ada = await joinClass(t.httpUrl, detail.code, 'Ada');
    const student = await enter(ada.token);
    assert.deepEqual(student.joined.payload, {
      username: 'Ada',
      id: ada.member.id,
      role: 'student',
    });
    // The teacher sees Ada arrive, under the class's name for her.
    assert.equal(
      await teacher.c.next(),
      chatJson('chat-join', { username: 'Ada', id: ada.member.id, role: 'student' }),
    );

    // A join under another name is ignored; a message claiming to be the teacher goes out as Ada.
    student.c.send('chat-join', { username: 'Teacher' });
    student.c.send('chat-message', { username: 'Teacher', message: '  no homework today ' });
    const expected = JSON.stringify({
      type: 'chat-message',
      payload: {
        username: 'Ada',
        message: 'no homework today',
        id: ada.member.id,
        role: 'student',
      },
    });
    assert.equal(await teacher.c.next(), expected);
    assert.equal(await student.c.next(), expected);

    // A student who joined under the teacher's name is still a student, with an ID of their own.
    const fake = await joinClass(t.httpUrl, detail.code, 'Teacher');
    const impostor = await enter(fake.token);
    assert.equal(impostor.joined.payload.role, 'student');
    assert.equal(impostor.joined.payload.id, fake.member.id);
    assert.notEqual(fake.member.id, teacher.joined.payload.id);
  });

  test("each class's chat is apart, from the hub-wide chat and from other classes", async () => {
    const other = await chatClass('Chat 8C');
    const outsider = await enter(teacherTokenOf(other), other.code);
    const lobby = await ChatClient.join(`${t.wsUrl}/chat`, 'Lobby');
    clients.push(lobby);
    const bo = await joinClass(t.httpUrl, detail.code, 'Bo');
    const { c } = await enter(bo.token);
    c.send('chat-message', { message: 'in 7B only' });
    assert.match(await c.next(), /in 7B only/);
    // The next thing the others see is their own message: nothing of 7B's came first.
    outsider.c.send('chat-message', { message: 'in 8C' });
    assert.match(await outsider.c.next(), /"in 8C"/);
    lobby.send('chat-message', { message: 'everyone' });
    assert.equal(
      await lobby.next(),
      chatJson('chat-message', { username: 'Lobby', message: 'everyone' }),
    );
  });

  test('refusals: no token, a wrong token, another class token, no such class, no subprotocol', async () => {
    const other = await createClass(t.httpUrl, 'Chat 9D');
    const cases: Array<[string, string | undefined, number]> = [
      [detail.code, undefined, 4401],
      [detail.code, 'not-a-token', 4401],
      [detail.code, teacherTokenOf(other), 4403],
      ['ZZZZZZ', teacherTokenOf(detail), 4404],
      ['not-a-class', teacherTokenOf(detail), 4404],
    ];
    for (const [code, token, want] of cases) {
      const c = await open(code, token);
      const closed = await c.closed;
      assert.equal(closed.code, want, `${code} ${token}: ${closed.reason}`);
      assert.ok(closed.reason.length > 0);
    }
    assert.equal(
      await upgradeStatus(url(detail.code, teacherTokenOf(detail)), { protocols: [] }),
      404,
    );
  });

  test('limits: a message over ChatMaxMessageChars, and over the message rate, close the sender only', async () => {
    const teacher = await enter(teacherTokenOf(detail));
    const cy = await joinClass(t.httpUrl, detail.code, 'Cy');
    const long = await enter(cy.token);
    await teacher.c.next(); // Cy's join
    long.c.send('chat-message', { message: 'x'.repeat(MAX_CHARS + 1) });
    const closed = await long.c.closed;
    assert.equal(closed.code, 1009);
    assert.match(await teacher.c.next(), /"chat-leave".*"username":"Cy"/);

    const flood = await enter(cy.token);
    await teacher.c.next(); // Cy back
    const FLOOD = 10 * RATE;
    for (let i = 0; i < FLOOD; i++) flood.c.send('chat-message', { message: `m${i}` });
    assert.equal((await flood.c.closed).code, 1008);
    // The burst and what refilled while sending went out, not the flood; the teacher's chat goes on.
    let seen = 0;
    for (;;) {
      const frame = await teacher.c.next();
      if (frame.includes('chat-leave')) break;
      seen++;
    }
    assert.ok(seen >= 2 * RATE && seen < FLOOD, `${seen} of ${FLOOD} messages went out`);
    teacher.c.send('chat-message', { message: 'still here' });
    assert.match(await teacher.c.next(), /still here/);
  });

  test('one member holds at most ClassStreamsPerMember chats on the hub', async () => {
    const di = await joinClass(t.httpUrl, detail.code, 'Di');
    for (let i = 0; i < 3; i++) await enter(di.token);
    const fourth = await open(detail.code, di.token);
    const closed = await fourth.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /at most 3 chats per member/);
  });

  test('a view-only class: students read and cannot post, the teacher can; a kicked student is out', async () => {
    const teacher = await enter(teacherTokenOf(detail));
    const ed = await joinClass(t.httpUrl, detail.code, 'Ed');
    const student = await enter(ed.token);
    await teacher.c.next(); // Ed's join
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { viewOnly: true });
    // Applied live: wait until Ed's post is dropped, by sending until the teacher's own comes first.
    await waitUntilMuted(student.c, teacher.c);
    teacher.c.send('chat-message', { message: 'eyes on me' });
    assert.match(await student.c.next(), /eyes on me/);
    await teacherDoes(t.httpUrl, `classes/${detail.code}`, 'PATCH', { viewOnly: false });

    await teacherDoes(t.httpUrl, `classes/${detail.code}/members/${ed.member.id}/kick`);
    const closed = await student.c.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /removed/);
    // Skip whatever Ed managed to post before the kick, to the leave.
    while (!(await teacher.c.next()).includes('chat-leave'));
    const again = await open(detail.code, ed.token);
    assert.equal((await again.closed).code, 4403);
    // Back under the same name: waiting for the teacher, and no chat meanwhile.
    const back = await joinRequest(t.httpUrl, detail.code, { name: 'Ed' });
    assert.equal(back.status, 202);
    const waiting = await open(detail.code, ((await back.json()) as { token: string }).token);
    assert.deepEqual(await waiting.closed, {
      code: 4403,
      reason: 'the teacher has not let you in yet',
    });
  });
});

/**
 * Ed posts, then the teacher posts a marker; once the marker reaches the
 * teacher with no post of Ed's before it, Ed is muted.
 */
async function waitUntilMuted(student: ChatClient, teacher: ChatClient): Promise<void> {
  for (let i = 0; i < 50; i++) {
    student.send('chat-message', { message: `ed ${i}` });
    await new Promise((r) => setTimeout(r, 20));
    teacher.send('chat-message', { message: `marker ${i}` });
    let muted = true;
    for (;;) {
      const frame = await teacher.next();
      if (frame.includes(`marker ${i}`)) break;
      muted = false;
    }
    // Ed sees everything too: skip to the marker.
    while (!(await student.next()).includes(`marker ${i}`));
    if (muted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the view-only switch never muted the student');
}
