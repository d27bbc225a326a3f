// The WebSocket chat over real `ws` clients: routing by subprotocol
// (docs/protocols/chat.md#connecting), origins
// (docs/protocols/chat.md#origin-check), the join/message/leave broadcasts
// (docs/protocols/chat.md#messages), the fixed username
// (docs/protocols/chat.md#the-name-is-fixed-at-join), and the session
// registry (docs/protocols/chat.md#session-registry).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ChatClient, chatJson, upgradeStatus } from '../../test/chat-client';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';

let t: TestHub;
let chatUrl: string;
const clients: ChatClient[] = [];
const raw: WebSocket[] = [];

async function open(url = chatUrl, options?: Parameters<typeof ChatClient.open>[1]) {
  const c = await ChatClient.open(url, options);
  clients.push(c);
  return c;
}

async function join(username: string, url = chatUrl) {
  const c = await ChatClient.join(url, username);
  clients.push(c);
  return c;
}

/** Waits until the registry holds `count` chat clients (closes are asynchronous). */
async function chatClients(count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (t.hub.registry.clients({ protocol: 'chat' }).length !== count) {
    if (Date.now() > deadline) {
      assert.fail(
        `expected ${count} chat clients, have ${t.hub.registry.clients({ protocol: 'chat' }).length}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  t = await startHub();
  chatUrl = `${t.wsUrl}/chat`;
});

// A close reaches the hub a moment after the client sees it; a leave from one
// test must not land in the next.
afterEach(() => chatClients(0));

after(async () => {
  for (const ws of raw) ws.terminate();
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

describe('routing', () => {
  test("the original client's connection: beej-chat-protocol at / reaches the chat, echoed", async () => {
    // As chat-client.js: new WebSocket("ws://" + location.host, "beej-chat-protocol").
    const ws = new WebSocket(`${t.wsUrl}/`, 'beej-chat-protocol');
    raw.push(ws);
    const received: { data: string; binary: boolean }[] = [];
    ws.on('message', (data: Buffer, binary: boolean) =>
      received.push({ data: data.toString(), binary }),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'beej-chat-protocol');
    // onSocketOpen sends chat-join; send() sends chat-message with the username field.
    ws.send(JSON.stringify({ type: 'chat-join', payload: { username: 'Guest 1a2b' } }));
    ws.send(
      JSON.stringify({
        type: 'chat-message',
        payload: { username: 'Guest 1a2b', message: 'hello' },
      }),
    );
    const deadline = Date.now() + 5000;
    while (received.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received, [
      { data: chatJson('chat-join', { username: 'Guest 1a2b' }), binary: false },
      {
        data: chatJson('chat-message', { username: 'Guest 1a2b', message: 'hello' }),
        binary: false,
      },
    ]);
    ws.close();
    await new Promise((r) => ws.once('close', r));
  });

  test('beej-chat-protocol on another path (even the Zwibbler one) reaches the chat', async () => {
    for (const path of ['/some/page', '/socket']) {
      const c = await open(`${t.wsUrl}${path}`);
      assert.equal(c.protocol, 'beej-chat-protocol');
      c.send('chat-join', { username: `at ${path}` });
      assert.equal(await c.next(), chatJson('chat-join', { username: `at ${path}` }));
      await c.close();
    }
  });

  test('beej-chat-protocol offered second, after another name, still reaches the chat', async () => {
    const c = await open(`${t.wsUrl}/`, { protocols: ['other', 'beej-chat-protocol'] });
    assert.equal(c.protocol, 'beej-chat-protocol');
    await c.close();
  });

  test('at /chat with the subprotocol: echoed', async () => {
    const c = await open(chatUrl);
    assert.equal(c.protocol, 'beej-chat-protocol');
    await c.close();
  });

  test('at /chat without a subprotocol: 400 Unknown protocol, as the original answers', async () => {
    const before = t.hub.stats().connections;
    assert.equal(await upgradeStatus(chatUrl, { protocols: [] }), 400);
    assert.equal(t.hub.stats().connections, before);
  });

  test('at / without a subprotocol: 404, the chat is not reached', async () => {
    const before = t.hub.stats().connections;
    assert.equal(await upgradeStatus(`${t.wsUrl}/`, { protocols: [] }), 404);
    assert.equal(t.hub.stats().connections, before);
  });

  test('at / with a wrong subprotocol: 404, the chat is not reached', async () => {
    assert.equal(await upgradeStatus(`${t.wsUrl}/`, { protocols: ['beej-chat'] }), 404);
    assert.equal(await upgradeStatus(`${t.wsUrl}/`, { protocols: ['BEEJ-CHAT-PROTOCOL-X'] }), 404);
  });

  test('at /chat with only a wrong subprotocol: 400, the chat is not reached', async () => {
    assert.equal(await upgradeStatus(chatUrl, { protocols: ['other'] }), 400);
    assert.equal(await upgradeStatus(chatUrl, { protocols: ['beej-chat'] }), 400);
    await chatClients(0);
  });
});

describe('origins (AllowedOrigins empty: the hub, loopback and the LAN)', () => {
  test('a foreign web origin is refused with 403 before the chat is reached', async () => {
    for (const origin of ['https://evil.example', 'http://8.8.8.8', 'http://192.169.1.1', 'null']) {
      assert.equal(await upgradeStatus(`${t.wsUrl}/`, { origin }), 403, origin);
      assert.equal(await upgradeStatus(chatUrl, { origin }), 403, origin);
    }
    await chatClients(0);
  });

  test('the Host header alone does not admit a foreign origin', async () => {
    // The original checks only Host; a cross-site page still sends the hub's Host.
    const status = await upgradeStatus(chatUrl, {
      origin: 'https://evil.example',
      headers: { Host: '127.0.0.1' },
    });
    assert.equal(status, 403);
  });

  test('no Origin (a non-browser client) is allowed', async () => {
    assert.equal(await upgradeStatus(chatUrl), 101);
  });

  test("the hub's own origin (Origin host:port = Host) is allowed, whatever the name", async () => {
    const host = `hub.school.example:${new URL(t.httpUrl).port}`;
    assert.equal(
      await upgradeStatus(chatUrl, { origin: `http://${host}`, headers: { Host: host } }),
      101,
    );
    // Same name, another port: another origin.
    const other = await upgradeStatus(chatUrl, {
      origin: 'http://hub.school.example:1',
      headers: { Host: host },
    });
    assert.equal(other, 403);
  });

  test('loopback, private LAN and .local origins are allowed', async () => {
    for (const origin of [
      t.httpUrl,
      'http://localhost:5173',
      'http://[::1]:8080',
      'http://192.168.1.2:3490',
      'http://10.20.30.40',
      'https://172.20.0.5',
      'http://169.254.10.10',
      'http://[fd12:3456::1]',
      'http://teacher-laptop.local:3000',
    ]) {
      assert.equal(await upgradeStatus(`${t.wsUrl}/`, { origin }), 101, origin);
    }
  });

  test('the Zwibbler endpoint keeps accepting any origin (zwibbler-service compatibility)', async () => {
    assert.equal(
      await upgradeStatus(`${t.wsUrl}/socket`, { protocols: [], origin: 'https://evil.example' }),
      101,
    );
  });
});

describe('broadcasts', () => {
  test('chat-join goes to every connection, the sender included, trimmed', async () => {
    const a = await join('alice');
    const b = await open();
    b.send('chat-join', { username: '  bob \n' });
    const expected = chatJson('chat-join', { username: 'bob' });
    assert.equal(await a.next(), expected);
    assert.equal(await b.next(), expected);
    await Promise.all([a.close(), b.close()]);
  });

  test('chat-message goes to every connection, the sender included, trimmed', async () => {
    const a = await join('alice');
    const b = await join('bob');
    assert.equal(await a.next(), chatJson('chat-join', { username: 'bob' }));
    a.send('chat-message', { username: 'alice', message: '  hi all  ' });
    const expected = chatJson('chat-message', { username: 'alice', message: 'hi all' });
    assert.equal(await a.next(), expected);
    assert.equal(await b.next(), expected);
    await Promise.all([a.close(), b.close()]);
  });

  test('chat-leave goes to the others when a joined user closes', async () => {
    const a = await join('alice');
    const b = await join('bob');
    assert.equal(await a.next(), chatJson('chat-join', { username: 'bob' }));
    await b.close();
    assert.equal(await a.next(), '{"type":"chat-leave","payload":{"username":"bob"}}');
    await a.close();
  });

  test('chat-leave of a user who never joined has the payload {}', async () => {
    const a = await join('alice');
    const lurker = await open();
    await lurker.close();
    assert.equal(await a.next(), '{"type":"chat-leave","payload":{}}');
    await a.close();
  });

  test('an empty or blank message is ignored', async () => {
    const a = await join('alice');
    a.send('chat-message', { username: 'alice', message: '' });
    a.send('chat-message', { username: 'alice', message: ' \t\n ' });
    a.send('chat-message', { username: 'alice', message: 'after' });
    assert.equal(await a.next(), chatJson('chat-message', { username: 'alice', message: 'after' }));
    assert.equal(a.pending, 0);
    await a.close();
  });

  test('an empty or blank username does not join; a later real one does', async () => {
    const a = await open();
    a.send('chat-join', { username: '   ' });
    a.send('chat-message', { username: '', message: 'nameless' });
    a.send('chat-join', { username: 'carol' });
    assert.equal(await a.next(), chatJson('chat-join', { username: 'carol' }));
    a.send('chat-message', { username: 'carol', message: 'now' });
    assert.equal(await a.next(), chatJson('chat-message', { username: 'carol', message: 'now' }));
    await a.close();
  });

  test('a chat-message before chat-join is not broadcast', async () => {
    const watcher = await join('watcher');
    const a = await open();
    a.send('chat-message', { username: 'teacher', message: 'sneaky' });
    a.send('chat-join', { username: 'dave' });
    assert.equal(await watcher.next(), chatJson('chat-join', { username: 'dave' }));
    assert.equal(await a.next(), chatJson('chat-join', { username: 'dave' }));
    await Promise.all([watcher.close(), a.close()]);
  });

  test('unknown message types are ignored and the connection stays', async () => {
    const a = await join('alice');
    a.send('chat-typing', { username: 'alice' });
    a.send('chat-leave', { username: 'bob' }); // server-only type
    a.send('chat-message', { message: 'still here' });
    assert.equal(
      await a.next(),
      chatJson('chat-message', { username: 'alice', message: 'still here' }),
    );
    await a.close();
  });
});

describe('the username is fixed at chat-join', () => {
  test('a message carrying another username is broadcast under the joined name', async () => {
    const student = await join('student');
    const other = await join('other');
    assert.equal(await student.next(), chatJson('chat-join', { username: 'other' }));
    student.send('chat-message', { username: 'teacher', message: 'homework cancelled' });
    const expected = chatJson('chat-message', {
      username: 'student',
      message: 'homework cancelled',
    });
    assert.equal(await other.next(), expected);
    assert.equal(await student.next(), expected);
    await Promise.all([student.close(), other.close()]);
  });

  test('a second chat-join with another name is ignored: no broadcast, the name stays', async () => {
    const student = await join('student');
    const other = await join('other');
    assert.equal(await student.next(), chatJson('chat-join', { username: 'other' }));
    student.send('chat-join', { username: 'teacher' });
    student.send('chat-message', { username: 'teacher', message: 'hi' });
    const expected = chatJson('chat-message', { username: 'student', message: 'hi' });
    assert.equal(await other.next(), expected); // no chat-join for "teacher" before it
    assert.equal(await student.next(), expected);
    await other.close();
    await student.close();
  });

  test('the leave carries the joined name, not a later one', async () => {
    const student = await join('student');
    const other = await join('other');
    assert.equal(await student.next(), chatJson('chat-join', { username: 'other' }));
    student.send('chat-join', { username: 'teacher' });
    await student.close();
    assert.equal(await other.next(), chatJson('chat-leave', { username: 'student' }));
    await other.close();
  });
});

describe('registry', () => {
  test('chat clients are registered (protocol chat, room chat) and counted in stats', async () => {
    await chatClients(0);
    const a = await join('alice');
    const b = await open();
    await chatClients(2);
    const listed = t.hub.registry.clients({ protocol: 'chat' });
    assert.deepEqual(
      listed.map((c) => [c.protocol, c.room, c.remoteAddress]),
      [
        ['chat', 'chat', '127.0.0.1'],
        ['chat', 'chat', '127.0.0.1'],
      ],
    );
    assert.deepEqual(t.hub.stats().byProtocol.chat, { rooms: 1, clients: 2 });
    assert.deepEqual(
      t.hub.registry.rooms('chat').map((r) => [r.name, r.clients]),
      [['chat', 2]],
    );
    // The name chosen at join is the client's user; one that has not joined has none yet.
    assert.deepEqual(listed.map((c) => c.userId).sort(), ['', 'alice']);
    await Promise.all([a.close(), b.close()]);
    await chatClients(0);
    assert.equal(t.hub.stats().byProtocol.chat, undefined);
  });

  test('kick closes with 4403 and the reason; the others see the leave', async () => {
    const a = await join('alice');
    const b = await join('bob');
    assert.equal(await a.next(), chatJson('chat-join', { username: 'bob' }));
    const ids = t.hub.registry.clients({ protocol: 'chat' }).map((c) => c.id);
    assert.equal(ids.length, 2);
    assert.equal(t.hub.registry.kick(ids[1]!, 'be nice'), true);
    assert.deepEqual(await b.closed, { code: 4403, reason: 'be nice' });
    assert.equal(await a.next(), chatJson('chat-leave', { username: 'bob' }));
    await chatClients(1);
    await a.close();
  });

  test('kickRoom closes every chat client', async () => {
    const a = await join('alice');
    const b = await open();
    await chatClients(2);
    assert.equal(t.hub.registry.kickRoom('chat', 'chat', 'class is over'), 2);
    assert.deepEqual(await a.closed, { code: 4403, reason: 'class is over' });
    assert.deepEqual(await b.closed, { code: 4403, reason: 'class is over' });
    await chatClients(0);
  });

  test('without write permission messages are not broadcast; without read the client is closed', async () => {
    const a = await join('alice');
    const [entry] = t.hub.registry.clients({ protocol: 'chat' });
    t.hub.registry.setClientPermissions(entry!.id, { read: true, write: false, admin: false });
    a.send('chat-message', { message: 'muted' });
    const b = await join('bob'); // a still reads: it sees bob's join, and not its own message
    assert.equal(await a.next(), chatJson('chat-join', { username: 'bob' }));
    t.hub.registry.setClientPermissions(entry!.id, { read: false, write: false, admin: false });
    assert.deepEqual(await a.closed, { code: 4403, reason: 'access revoked' });
    await b.close();
  });
});

describe('AllowedOrigins set', () => {
  let pinned: TestHub;
  before(async () => {
    pinned = await startHub({ AllowedOrigins: 'https://school.example' });
  });
  after(async () => {
    await pinned.stop();
  });

  test('it applies to the chat as to everything else: LAN origins no longer pass by default', async () => {
    const url = `${pinned.wsUrl}/`;
    assert.equal(await upgradeStatus(url, { origin: 'https://school.example' }), 101);
    assert.equal(await upgradeStatus(url), 101);
    assert.equal(await upgradeStatus(url, { origin: 'http://192.168.1.2:3490' }), 403);
    assert.equal(await upgradeStatus(url, { origin: 'https://evil.example' }), 403);
  });
});
