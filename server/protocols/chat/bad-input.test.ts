// The original chat server crashes on invalid JSON, binary frames and a
// chat-message without `message`
// (docs/protocols/chat.md#bad-input-closes-one-connection). Here such input
// closes that one connection with a code and a reason, and the hub keeps
// serving the others (docs/protocols/chat.md#bad-input). Also the limits:
// message size, characters, username length, message rate
// (docs/protocols/chat.md#limits).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ChatClient, chatJson } from '../../test/chat-client';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';

const MAX_BYTES = 1024;
const MAX_CHARS = 20;
const PER_SECOND = 5; // bursts up to 10

let t: TestHub;
let url: string;
let bystander: ChatClient;
const clients: ChatClient[] = [];

async function open(): Promise<ChatClient> {
  const c = await ChatClient.open(url);
  clients.push(c);
  return c;
}

async function join(username: string): Promise<ChatClient> {
  const c = await ChatClient.join(url, username);
  clients.push(c);
  return c;
}

/** The bystander, joined before every test, still gets a fresh broadcast. */
async function assertStillServing(): Promise<void> {
  const probe = await join('probe');
  assert.equal(await bystander.next(), chatJson('chat-join', { username: 'probe' }));
  probe.send('chat-message', { message: 'still up' });
  const expected = chatJson('chat-message', { username: 'probe', message: 'still up' });
  assert.equal(await bystander.next(), expected);
  assert.equal(await probe.next(), expected);
  await probe.close();
  assert.equal(await bystander.next(), chatJson('chat-leave', { username: 'probe' }));
}

/** Skips the bystander past the leave of a closed bad client. */
async function expectLeave(username?: string): Promise<void> {
  assert.equal(await bystander.next(), chatJson('chat-leave', { username }));
}

before(async () => {
  t = await startHub({
    SignalMaxMessageBytes: MAX_BYTES,
    ChatMaxMessageChars: MAX_CHARS,
    SignalMessagesPerSecond: PER_SECOND,
  });
  url = `${t.wsUrl}/`;
  bystander = await ChatClient.join(url, 'bystander');
});

afterEach(() => {
  assert.equal(bystander.pending, 0, 'the bystander got something unexpected');
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await bystander.close();
  await t.stop();
});

describe('malformed input closes that connection, the hub keeps serving', () => {
  const cases: { name: string; send: (c: ChatClient) => void; code: number; reason: RegExp }[] = [
    {
      name: 'invalid JSON',
      send: (c) => c.sendRaw('{"type": "chat-join", '),
      code: 1002,
      reason: /malformed JSON/,
    },
    {
      name: 'not JSON at all',
      send: (c) => c.sendRaw('hello'),
      code: 1002,
      reason: /malformed JSON/,
    },
    {
      name: 'a binary frame (even of valid JSON)',
      send: (c) => c.sendRaw(Buffer.from(chatJson('chat-message', { message: 'x' })), true),
      code: 1002,
      reason: /binary frame/,
    },
    { name: 'a JSON array', send: (c) => c.sendRaw('[]'), code: 1002, reason: /JSON object/ },
    { name: 'a JSON number', send: (c) => c.sendRaw('42'), code: 1002, reason: /JSON object/ },
    { name: 'JSON null', send: (c) => c.sendRaw('null'), code: 1002, reason: /JSON object/ },
    {
      name: 'an object without a type',
      send: (c) => c.sendRaw('{"payload":{}}'),
      code: 1002,
      reason: /"type"/,
    },
    {
      name: 'a chat-message without a message',
      send: (c) => c.send('chat-message', { username: 'x' }),
      code: 4400,
      reason: /chat-message needs a message string/,
    },
    {
      name: 'a chat-message whose message is not a string',
      send: (c) => c.send('chat-message', { username: 'x', message: { toString: 1 } }),
      code: 4400,
      reason: /chat-message needs a message string/,
    },
    {
      name: 'a chat-message without a payload',
      send: (c) => c.sendRaw('{"type":"chat-message"}'),
      code: 4400,
      reason: /needs a payload object/,
    },
    {
      name: 'a chat-join without a username',
      send: (c) => c.send('chat-join', {}),
      code: 4400,
      reason: /chat-join needs a username string/,
    },
  ];

  for (const { name, send, code, reason } of cases) {
    test(`${name}: closed with ${code} and a reason`, async () => {
      const bad = await join('bad');
      assert.equal(await bystander.next(), chatJson('chat-join', { username: 'bad' }));
      send(bad);
      const closed = await bad.closed;
      assert.equal(closed.code, code);
      assert.match(closed.reason, reason);
      await expectLeave('bad');
      await assertStillServing();
    });
  }

  test('invalid UTF-8 in a text frame closes with 1007 (ws), the hub keeps serving', async () => {
    const bad = await open();
    bad.ws.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false });
    assert.equal((await bad.closed).code, 1007);
    await expectLeave();
    await assertStillServing();
  });
});

describe('limits', () => {
  test(`a message over SignalMaxMessageBytes (${MAX_BYTES}) closes with 1009`, async () => {
    const big = await open();
    // A valid message whose JSON is over the byte limit: the frame is refused unread.
    big.sendRaw(JSON.stringify({ type: 'chat-typing', payload: { pad: 'x'.repeat(MAX_BYTES) } }));
    const closed = await big.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, new RegExp(`larger than ${MAX_BYTES} bytes`));
    await expectLeave();
    await assertStillServing();
  });

  test(`a message of exactly ${MAX_CHARS} characters passes (emoji count as one)`, async () => {
    const a = await join('a');
    await bystander.next();
    const text = '😀'.repeat(MAX_CHARS); // 40 UTF-16 units, 80 bytes
    a.send('chat-message', { message: text });
    assert.equal(await a.next(), chatJson('chat-message', { username: 'a', message: text }));
    assert.equal(
      await bystander.next(),
      chatJson('chat-message', { username: 'a', message: text }),
    );
    await a.close();
    await expectLeave('a');
  });

  test(`a message over ChatMaxMessageChars (${MAX_CHARS}) closes with 1009 and is not broadcast`, async () => {
    const a = await join('a');
    await bystander.next();
    a.send('chat-message', { message: 'y'.repeat(MAX_CHARS + 1) });
    const closed = await a.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, new RegExp(`longer than ${MAX_CHARS} characters`));
    await expectLeave('a'); // and nothing before it
  });

  test('surrounding spaces do not count towards the limit', async () => {
    const a = await join('a');
    await bystander.next();
    a.send('chat-message', { message: `   ${'z'.repeat(MAX_CHARS)}   ` });
    assert.equal(
      await bystander.next(),
      chatJson('chat-message', { username: 'a', message: 'z'.repeat(MAX_CHARS) }),
    );
    await a.close();
    await expectLeave('a');
  });

  test('a username of 64 characters joins; 65 closes with 4400', async () => {
    const ok = await join('u'.repeat(64));
    assert.equal(await bystander.next(), chatJson('chat-join', { username: 'u'.repeat(64) }));
    await ok.close();
    await expectLeave('u'.repeat(64));
    const long = await open();
    long.send('chat-join', { username: 'v'.repeat(65) });
    const closed = await long.closed;
    assert.equal(closed.code, 4400);
    assert.match(closed.reason, /username longer than 64 characters/);
    await expectLeave(); // never joined
  });

  test(`more than SignalMessagesPerSecond (${PER_SECOND}, burst ${2 * PER_SECOND}) closes with 1008`, async () => {
    const flood = await join('flood');
    await bystander.next();
    // The join took one token; the burst allows the rest, then the bucket is empty.
    for (let i = 0; i < 4 * PER_SECOND; i++) flood.send('chat-message', { message: `m${i}` });
    const closed = await flood.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, new RegExp(`over ${PER_SECOND} messages per second`));
    // Only what the bucket allowed was broadcast: at most the burst, less the join.
    const got: string[] = [];
    for (;;) {
      const frame = await bystander.next();
      if (frame === chatJson('chat-leave', { username: 'flood' })) break;
      got.push(frame);
    }
    assert.ok(
      got.length >= 2 * PER_SECOND - 1 && got.length <= 2 * PER_SECOND,
      `broadcast ${got.length}`,
    );
    assert.deepEqual(
      got,
      got.map((_, i) => chatJson('chat-message', { username: 'flood', message: `m${i}` })),
    );
    await assertStillServing();
  });

  test('a slow steady sender is not limited', async () => {
    const a = await join('steady');
    await bystander.next();
    for (let i = 0; i < 2 * PER_SECOND + 2; i++) {
      a.send('chat-message', { message: `s${i}` });
      assert.equal(
        await bystander.next(),
        chatJson('chat-message', { username: 'steady', message: `s${i}` }),
      );
      await new Promise((r) => setTimeout(r, 1000 / PER_SECOND + 20));
    }
    await a.close();
    await expectLeave('steady');
  });
});
