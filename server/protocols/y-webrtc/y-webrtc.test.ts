// y-webrtc signaling at /signal (docs/protocols/y-webrtc.md#messages), driven
// with `ws` as a client: every message type, the reference's observed sequence
// (the reference is y-webrtc's own signaling server, bin/server.js), bad input
// (where the reference throws inside its handler), limits, the session
// registry (stats, kick, permissions), keepalive pings and shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { sleep, startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  decodeSignalMessage,
  encodePublish,
  MAX_PUBLISH_DEPTH,
  SignalFormatError,
} from './messages';

type Json = Record<string, unknown>;

interface Frame {
  text: string;
  isBinary: boolean;
}

/** A raw signaling client: JSON in text frames, every received frame kept. */
class SignalClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  pings = 0;
  private read = 0;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.frames.push({ text: Buffer.from(data as Buffer).toString('utf8'), isBinary });
      this.wake?.();
    });
    ws.on('ping', () => this.pings++);
    this.closed = new Promise((resolve) =>
      ws.once('close', (code: number, reason: Buffer) => {
        this.wake?.();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  static open(url: string): Promise<SignalClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new SignalClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame not yet read, parsed; fails after `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    while (this.read >= this.frames.length) {
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const frame = this.frames[this.read++]!;
    assert.equal(frame.isBinary, false, 'signaling messages are text frames');
    return JSON.parse(frame.text) as Json;
  }

  /** Nothing more arrives within `ms`: asserted after a round trip that proves the order. */
  async assertNothingPending(): Promise<void> {
    this.send({ type: 'ping' });
    assert.deepEqual(await this.next(), { type: 'pong' });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

let t: TestHub;
let url: string;
const clients: SignalClient[] = [];
let n = 0;
const freshTopic = () => `topic-${++n}`;

async function open(target = url): Promise<SignalClient> {
  const c = await SignalClient.open(target);
  clients.push(c);
  return c;
}

/** Subscribes, and waits until the hub has registered it (a ping round trip orders it). */
async function subscribed(topics: string[]): Promise<SignalClient> {
  const c = await open();
  c.send({ type: 'subscribe', topics });
  await c.assertNothingPending();
  return c;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const signalClients = (room?: string) =>
  t.hub.registry.clients(
    room === undefined ? { protocol: 'y-webrtc' } : { protocol: 'y-webrtc', room },
  );

before(async () => {
  t = await startHub({ SignalMaxMessageBytes: 4096 });
  url = `${t.wsUrl}/signal`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

describe('message types', () => {
  test('a plain GET on /signal answers 200 "okay" as the reference does', async () => {
    const res = await fetch(`${t.httpUrl}/signal`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'okay');
  });

  test("the reference's observed sequence: subscribe, announce, the same publish back with clients 1", async () => {
    const c = await open();
    const topic = freshTopic();
    c.sendRaw(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    const announce = { type: 'publish', topic, data: { type: 'announce', from: 'peer-a' } };
    c.send(announce);
    const frame = await c.next();
    assert.deepEqual(frame, { ...announce, clients: 1 });
    // The whole object comes back in the sender's key order, `clients` last.
    assert.equal(c.frames.at(-1)!.text, JSON.stringify({ ...announce, clients: 1 }));
  });

  test('publish goes to every subscriber, the sender included, with clients = subscriber count', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const b = await subscribed([topic]);
    const other = await subscribed([freshTopic()]);
    const msg = { type: 'publish', topic, data: { type: 'signal', from: 'a', to: 'b', token: 7 } };
    a.send(msg);
    assert.deepEqual(await a.next(), { ...msg, clients: 2 });
    assert.deepEqual(await b.next(), { ...msg, clients: 2 });
    // A subscriber of another topic gets nothing: its next frame is its own pong.
    await other.assertNothingPending();
  });

  test('publish relays the whole object untouched, and a client-sent clients is overwritten', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const msg = {
      type: 'publish',
      topic,
      data: 'B0FFUy1HQ00M-encrypted',
      extra: { nested: [1, 'two', null] },
      clients: 99,
    };
    a.send(msg);
    assert.deepEqual(await a.next(), { ...msg, clients: 1 });
  });

  test('a connection may publish to a topic it has not subscribed to, as in the reference', async () => {
    const topic = freshTopic();
    const sub = await subscribed([topic]);
    const outsider = await open();
    outsider.send({ type: 'publish', topic, data: 'x' });
    assert.deepEqual(await sub.next(), { type: 'publish', topic, data: 'x', clients: 1 });
    await outsider.assertNothingPending();
  });

  test('a publish to a topic nobody subscribes to reaches no one', async () => {
    const a = await subscribed([freshTopic()]);
    a.send({ type: 'publish', topic: freshTopic(), data: 'lost' });
    a.send({ type: 'publish', topic: 42, data: 'not a string topic' });
    await a.assertNothingPending();
  });

  test('unsubscribe stops delivery and lowers the clients count', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const b = await subscribed([topic]);
    b.send({ type: 'unsubscribe', topics: [topic] });
    await b.assertNothingPending();
    a.send({ type: 'publish', topic, data: 1 });
    assert.deepEqual(await a.next(), { type: 'publish', topic, data: 1, clients: 1 });
    await b.assertNothingPending();
    // Unsubscribing from a topic never subscribed to changes nothing.
    b.send({ type: 'unsubscribe', topics: ['never-subscribed', 5] });
    await b.assertNothingPending();
  });

  test('subscribing twice to a topic counts the connection once', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic, topic]);
    a.send({ type: 'subscribe', topics: [topic] });
    a.send({ type: 'publish', topic, data: 0 });
    assert.deepEqual(await a.next(), { type: 'publish', topic, data: 0, clients: 1 });
    assert.equal(signalClients(topic).length, 1);
  });

  test('subscribe skips topics that are not strings, as the reference does', async () => {
    const topic = freshTopic();
    await subscribed([topic, 1, null, { x: 1 }] as unknown as string[]);
    const [entry] = signalClients(topic);
    assert.ok(entry, 'subscribed to the string topic');
    const client = entry.id.slice(0, entry.id.indexOf('/'));
    const rooms = signalClients()
      .filter((c) => c.id.startsWith(`${client}/`))
      .map((c) => c.room);
    assert.deepEqual(rooms, [topic]);
  });

  test('ping is answered with pong, to the sender only', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const b = await subscribed([topic]);
    a.send({ type: 'ping' });
    assert.deepEqual(await a.next(), { type: 'pong' });
    assert.equal(a.frames.at(-1)!.text, '{"type":"pong"}');
    await b.assertNothingPending();
  });

  test('a binary frame holding JSON is read like a text frame, as the reference does', async () => {
    const a = await open();
    a.sendRaw(Buffer.from('{"type":"ping"}'), true);
    assert.deepEqual(await a.next(), { type: 'pong' });
  });

  test('an unknown type, or no type, is ignored and the connection stays open', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    a.send({ type: 'announce', topics: [topic] });
    a.send({ type: 'subscribe-all' });
    a.send({ topics: [topic], topic, data: 1 });
    a.send({ type: 7 });
    a.send({});
    await a.assertNothingPending();
    assert.equal(a.ws.readyState, WebSocket.OPEN);
    assert.equal(a.frames.length, 2); // the two pongs, nothing else
  });
});

describe('bad input closes only that connection (the reference throws in its handler)', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['non-JSON text', 'hello, not json', /not JSON/],
    ['truncated JSON', '{"type":"subscribe","topics":[', /not JSON/],
    ['a JSON array', '[{"type":"ping"}]', /an array, not a JSON object/],
    ['a JSON number', '42', /number, not a JSON object/],
    ['a JSON string', '"ping"', /string, not a JSON object/],
    ['JSON null', 'null', /null, not a JSON object/],
    ['invalid UTF-8 in a binary frame', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    [
      '"topics" that is not an array',
      '{"type":"subscribe","topics":"room-a"}',
      /"topics" is not an array/,
    ],
  ];
  for (const [name, payload, reason] of cases) {
    test(`${name}: closed with 1002 and a reason; the hub keeps serving`, async () => {
      const topic = freshTopic();
      const bystander = await subscribed([topic]);
      const bad = await open();
      bad.send({ type: 'subscribe', topics: [topic] });
      bad.sendRaw(payload, Buffer.isBuffer(payload));
      const closed = await bad.closed;
      assert.equal(closed.code, 1002);
      assert.match(closed.reason, reason);
      // Its subscription went with it, and everyone else is still served.
      await waitFor(() => signalClients(topic).length === 1, 'the closed client to leave');
      bystander.send({ type: 'publish', topic, data: 'still here' });
      assert.deepEqual(await bystander.next(), {
        type: 'publish',
        topic,
        data: 'still here',
        clients: 1,
      });
    });
  }

  test('a publish nested too deeply to relay closes with 1002, not a thrown handler', async () => {
    const topic = freshTopic();
    // Far past MAX_PUBLISH_DEPTH, and past where JSON.stringify overflowed up to
    // Node 24, within a raised size limit.
    const depth = 200_000;
    const deep = `{"type":"publish","topic":${JSON.stringify(topic)},"data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const big = await startHub({ SignalMaxMessageBytes: 1024 * 1024 });
    try {
      const c = await SignalClient.open(`${big.wsUrl}/signal`);
      c.send({ type: 'subscribe', topics: [topic] });
      c.sendRaw(deep);
      const closed = await c.closed;
      assert.equal(closed.code, 1002);
      assert.match(closed.reason, /nested too deeply/);
    } finally {
      await big.stop();
    }
  });

  test('a publish nests up to MAX_PUBLISH_DEPTH levels, on every Node', () => {
    const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels));
    // The message object is the first level, its data the second.
    const publish = (levels: number) => ({ type: 'publish', topic: 't', data: nested(levels - 1) });
    const relayed = JSON.parse(encodePublish(publish(MAX_PUBLISH_DEPTH), 2));
    assert.deepEqual(relayed, { ...publish(MAX_PUBLISH_DEPTH), clients: 2 });
    assert.throws(
      () => encodePublish(publish(MAX_PUBLISH_DEPTH + 1), 2),
      (err) => err instanceof SignalFormatError && /nested too deeply/.test(err.message),
    );
    // Deep objects count as arrays do.
    let deepObject: unknown = {};
    for (let i = 1; i < MAX_PUBLISH_DEPTH; i++) deepObject = { a: deepObject };
    assert.throws(() => encodePublish({ type: 'publish', data: deepObject }, 1), SignalFormatError);
  });

  test('decodeSignalMessage raises SignalFormatError, never another error', () => {
    for (const bad of ['', '{', '[]', 'true', '{"type":"unsubscribe","topics":{}}']) {
      assert.throws(() => decodeSignalMessage(Buffer.from(bad)), SignalFormatError);
    }
    assert.deepEqual(decodeSignalMessage(Buffer.from('{"type":"subscribe"}')), {
      type: 'subscribe',
      topics: [],
    });
  });
});

describe('limits', () => {
  test('a message over SignalMaxMessageBytes closes with 1009; one at the limit passes', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const frame = (size: number) => {
      const head = JSON.stringify({ type: 'publish', topic, data: '' });
      return head.replace('"data":""', `"data":"${'x'.repeat(size - head.length)}"`);
    };
    const atLimit = frame(4096);
    assert.equal(Buffer.byteLength(atLimit), 4096);
    a.sendRaw(atLimit);
    assert.equal((await a.next()).clients, 1);
    a.sendRaw(frame(4097));
    const closed = await a.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, /4097 bytes is over the 4096-byte limit/);
  });

  test('a huge frame (1 MiB) closes with 1009 and the hub keeps serving', async () => {
    const a = await open();
    a.sendRaw(`{"type":"publish","topic":"t","data":"${'y'.repeat(1024 * 1024)}"}`);
    const closed = await a.closed;
    assert.equal(closed.code, 1009);
    const b = await open();
    await b.assertNothingPending();
  });

  test('more than SignalMessagesPerSecond (bursts to twice that) closes with 1008', async () => {
    const a = await open();
    // The default is 100 a second with bursts of 200: 1000 at once is far past it.
    for (let i = 0; i < 1000; i++) a.send({ type: 'ping' });
    const closed = await a.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /more than 100 messages per second/);
    const pongs = a.frames.filter((f) => f.text === '{"type":"pong"}').length;
    assert.ok(pongs >= 200 && pongs < 1000, `${pongs} pongs before the close`);
  });

  test('a steady rate under the limit is never cut off, past the burst', async () => {
    const a = await open();
    // 80 a second for 5 seconds: 400 messages, twice the burst, so refilling is needed.
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      for (let j = 0; j < 80; j++) a.send({ type: 'ping' });
      for (let j = 0; j < 80; j++) assert.deepEqual(await a.next(), { type: 'pong' });
      await sleep(1000 - (Date.now() - started));
    }
    assert.equal(a.ws.readyState, WebSocket.OPEN);
  });

  test('more than 100 topics on one connection closes with 1008', async () => {
    const a = await open();
    const topics = Array.from({ length: 100 }, () => freshTopic());
    a.send({ type: 'subscribe', topics });
    await a.assertNothingPending();
    assert.equal(signalClients().filter((c) => topics.includes(c.room)).length, 100);
    a.send({ type: 'subscribe', topics: [topics[0]] }); // already in it: still 100
    await a.assertNothingPending();
    a.send({ type: 'subscribe', topics: [freshTopic()] });
    const closed = await a.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /more than 100 topics/);
    await waitFor(
      () => !signalClients().some((c) => topics.includes(c.room)),
      'its 100 topics to be released',
    );
  });

  test('a topic name over 1024 characters closes with 4400', async () => {
    const a = await open();
    a.send({ type: 'subscribe', topics: ['x'.repeat(1024)] });
    await a.assertNothingPending();
    a.send({ type: 'subscribe', topics: ['ok', 'x'.repeat(1025)] });
    const closed = await a.closed;
    assert.equal(closed.code, 4400);
    assert.match(closed.reason, /topic name longer than 1024 characters/);
    // Nothing of that message was applied.
    assert.equal(signalClients('ok').length, 0);
  });

  test('a publish to a topic name over 1024 characters closes with 4400', async () => {
    const a = await open();
    a.send({ type: 'publish', topic: 'z'.repeat(1025), data: 1 });
    assert.equal((await a.closed).code, 4400);
  });
});

describe('session registry', () => {
  test('each topic of a connection is a registry client; stats count them per protocol', async () => {
    const [x, y] = [freshTopic(), freshTopic()];
    const baseline = t.hub.stats().byProtocol['y-webrtc'] ?? { rooms: 0, clients: 0 };
    const a = await subscribed([x, y]);
    const b = await subscribed([x]);
    const stats = t.hub.stats().byProtocol['y-webrtc']!;
    assert.equal(stats.rooms, baseline.rooms + 2);
    assert.equal(stats.clients, baseline.clients + 3);
    const inX = signalClients(x);
    assert.equal(inX.length, 2);
    for (const c of inX) {
      assert.equal(c.protocol, 'y-webrtc');
      assert.equal(c.room, x);
      assert.match(c.id, new RegExp(`^[0-9a-f]+/${x}$`));
      assert.equal(c.remoteAddress, '127.0.0.1');
      assert.equal(c.permissions.read, true);
    }
    const roomX = t.hub.registry.rooms('y-webrtc').find((r) => r.name === x);
    assert.equal(roomX?.clients, 2);

    // Unsubscribing removes that topic's entry; closing removes the rest.
    a.send({ type: 'unsubscribe', topics: [y] });
    await a.assertNothingPending();
    assert.equal(signalClients(y).length, 0);
    assert.ok(!t.hub.registry.rooms('y-webrtc').some((r) => r.name === y), 'empty room closed');
    await a.close();
    await waitFor(() => signalClients(x).length === 1, 'the closed connection to leave');
    await b.close();
    await waitFor(() => signalClients(x).length === 0, 'the room to empty');
    assert.deepEqual(t.hub.stats().byProtocol['y-webrtc'] ?? { rooms: 0, clients: 0 }, baseline);
  });

  test('the registry emits client-added and client-removed for signaling clients', async () => {
    const topic = freshTopic();
    const added: string[] = [];
    const removed: string[] = [];
    const onAdd = (c: { room: string; id: string }) => c.room === topic && added.push(c.id);
    const onRemove = (c: { room: string; id: string }) => c.room === topic && removed.push(c.id);
    t.hub.events.on('client-added', onAdd);
    t.hub.events.on('client-removed', onRemove);
    try {
      const a = await subscribed([topic]);
      assert.equal(added.length, 1);
      await a.close();
      await waitFor(() => removed.length === 1, 'client-removed');
      assert.deepEqual(removed, added);
    } finally {
      t.hub.events.off('client-added', onAdd);
      t.hub.events.off('client-removed', onRemove);
    }
  });

  test('kick closes the socket with 4403 and the reason, and releases all its topics', async () => {
    const [x, y] = [freshTopic(), freshTopic()];
    const a = await subscribed([x, y]);
    const b = await subscribed([x]);
    const id = signalClients(y)[0]!.id;
    assert.equal(t.hub.registry.kick(id, 'please rejoin'), true);
    const closed = await a.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /please rejoin/);
    await waitFor(() => signalClients(y).length === 0, 'the kicked client to leave');
    assert.equal(signalClients(x).length, 1);
    // The other subscriber of x now counts alone.
    b.send({ type: 'publish', topic: x, data: 'after kick' });
    assert.deepEqual(await b.next(), { type: 'publish', topic: x, data: 'after kick', clients: 1 });
  });

  test('a client kicked by a client-added listener, mid-subscribe, leaves nothing behind', async () => {
    const [x, y] = [freshTopic(), freshTopic()];
    const onAdd = (c: { id: string; room: string }) => {
      if (c.room === x) t.hub.registry.kick(c.id, 'not allowed here');
    };
    t.hub.events.on('client-added', onAdd);
    try {
      const a = await open();
      a.send({ type: 'subscribe', topics: [x, y] });
      const closed = await a.closed;
      assert.equal(closed.code, 4403);
      assert.match(closed.reason, /not allowed here/);
      assert.equal(signalClients(x).length, 0);
      assert.equal(signalClients(y).length, 0);
    } finally {
      t.hub.events.off('client-added', onAdd);
    }
  });

  test('kickRoom closes every subscriber of a topic', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const b = await subscribed([topic]);
    assert.equal(t.hub.registry.kickRoom('y-webrtc', topic, 'lesson over'), 2);
    for (const c of [a, b]) {
      const closed = await c.closed;
      assert.equal(closed.code, 4403);
      assert.match(closed.reason, /lesson over/);
    }
  });

  test('losing write drops that topic’s publishes; losing read closes with 4403', async () => {
    const topic = freshTopic();
    const a = await subscribed([topic]);
    const id = signalClients(topic)[0]!.id; // a's: b is not in yet
    const b = await subscribed([topic]);
    t.hub.registry.setClientPermissions(id, { read: true, write: false, admin: false });
    a.send({ type: 'publish', topic, data: 'muted' });
    await a.assertNothingPending();
    await b.assertNothingPending();
    // a still receives what others publish.
    b.send({ type: 'publish', topic, data: 'to a' });
    assert.deepEqual(await a.next(), { type: 'publish', topic, data: 'to a', clients: 2 });
    t.hub.registry.setClientPermissions(id, { read: false, write: false, admin: false });
    const closed = await a.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /read permission revoked/);
  });
});

describe('keepalive and shutdown', () => {
  test('the hub pings signaling sockets (KeepaliveSeconds), as the reference does every 30 s', async () => {
    const h = await startHub({ KeepaliveSeconds: 1 });
    try {
      const c = await SignalClient.open(`${h.wsUrl}/signal`);
      const deadline = Date.now() + 10_000;
      while (c.pings < 2 && Date.now() < deadline) await sleep(50);
      assert.ok(c.pings >= 2, `got ${c.pings} pings`);
      // `ws` answers pings itself, so the socket stays open across sweeps.
      assert.equal(c.ws.readyState, WebSocket.OPEN);
    } finally {
      await h.stop();
    }
  });

  test('hub.stop() closes signaling sockets with 1001 and empties the registry', async () => {
    const h = await startHub();
    const topic = 'shutdown-room';
    const c = await SignalClient.open(`${h.wsUrl}/signal`);
    c.send({ type: 'subscribe', topics: [topic] });
    await c.assertNothingPending();
    assert.equal(h.hub.registry.clients({ protocol: 'y-webrtc', room: topic }).length, 1);
    await h.stop();
    const closed = await c.closed;
    assert.equal(closed.code, 1001);
    assert.equal(h.hub.registry.clients({ protocol: 'y-webrtc' }).length, 0);
  });
});
