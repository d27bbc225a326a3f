// What a client's compressed frames may cost the hub (docs/operating.md#budgets):
// bytes are counted after permessage-deflate inflates them, against the
// connection's InboundBurstBytes and InboundBytesPerSecond, and each endpoint
// cuts a message over its own limit while it inflates. A real `ws` client
// offering permessage-deflate sends compressed zeros; a bystander keeps editing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { LogRing } from '../log/logger';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { waitFor } from '../test/sse-client';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';

const MiB = 1024 * 1024;

let t: TestHub;
const logs = new LogRing();
let writer: TestProvider;
let bystander: TestProvider;

before(async () => {
  // Every budget at its default: what a classroom hub runs with.
  t = await startHub({ LogLevel: 'warn' }, { logRing: logs });
  writer = openProvider(t.wsUrl, 'lesson');
  bystander = openProvider(t.wsUrl, 'lesson');
  await Promise.all([writer.synced(), bystander.synced()]);
});

after(async () => {
  writer.destroy();
  bystander.destroy();
  await t.stop();
});

/** The bystander still receives a fresh edit from the writer. */
async function assertStillServing(): Promise<void> {
  const mark = `ok-${Math.random().toString(36).slice(2, 8)};`;
  writer.doc.getText('t').insert(0, mark);
  await waitFor(
    () => bystander.doc.getText('t').toString().includes(mark),
    10_000,
    'the bystander stopped receiving',
  );
}

/** A valid SyncStep1 whose state vector is `padding` zeros: a few KiB once deflated. */
function paddedSyncStep1(padding: number): Buffer {
  const length: number[] = [];
  for (let n = padding; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      length.push(n);
      break;
    }
    length.push((n % 128) | 128);
  }
  return Buffer.concat([Buffer.from([0, 0, ...length]), Buffer.alloc(padding)]);
}

interface Attacker {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

async function openCompressed(
  url: string,
  protocols: string[] = [],
  localAddress?: string,
): Promise<Attacker> {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: true, localAddress });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  assert.match(ws.extensions, /permessage-deflate/, 'compression was negotiated');
  return { ws, closed };
}

/** Sends `data` compressed, resolving once ws has deflated and written it. */
function sendCompressed(ws: WebSocket, data: Buffer, binary = true): Promise<void> {
  return new Promise((resolve) => ws.send(data, { binary, compress: true }, () => resolve()));
}

async function metric(name: string, labels: string, hub = t): Promise<number> {
  const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('inbound bytes are counted after inflating', () => {
  test('compressed padding past InboundBurstBytes closes with 1008, and no more is inflated', async () => {
    const received = await metric('lanboard_received_bytes_total', 'protocol="yjs"');
    const attacker = await openCompressed(`${t.wsUrl}/yjs/lesson`);
    // 40 messages of 7 MiB, each under YjsMaxUpdateBytes (8 MiB): 280 MiB
    // inflated, against a 64 MiB burst. Each is about 7 KiB on the wire.
    const message = paddedSyncStep1(7 * MiB);
    for (let i = 0; i < 40 && attacker.ws.readyState === WebSocket.OPEN; i++) {
      await sendCompressed(attacker.ws, message);
    }
    const closed = await attacker.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /InboundBytesPerSecond/);

    // What the hub inflated: the burst, the message that crossed it, and no more.
    const inflated = (await metric('lanboard_received_bytes_total', 'protocol="yjs"')) - received;
    assert.ok(inflated <= 64 * MiB + 7 * MiB, `${(inflated / MiB).toFixed(1)} MiB inflated`);
    assert.ok(inflated >= 57 * MiB, `${(inflated / MiB).toFixed(1)} MiB inflated before the close`);
    assert.equal(await metric('lanboard_limit_hits_total', 'limit="InboundBytesPerSecond"'), 1);
    assert.ok(
      logs.recent().some((l) => l.includes('inbound budget') && l.includes('"remote":"127.0.0.1"')),
      'a log line names the address',
    );
    await assertStillServing();
  });

  test('one message inflating past YjsMaxUpdateBytes closes with 1009 as it inflates', async () => {
    const received = await metric('lanboard_received_bytes_total', 'protocol="yjs"');
    const attacker = await openCompressed(`${t.wsUrl}/yjs/lesson`);
    await sendCompressed(attacker.ws, paddedSyncStep1(60 * MiB));
    const closed = await attacker.closed;
    assert.equal(closed.code, 1009);
    // Cut while inflating: nothing of it reached the protocol.
    assert.equal(await metric('lanboard_received_bytes_total', 'protocol="yjs"'), received);
    assert.equal(await metric('lanboard_limit_hits_total', 'limit="YjsMaxUpdateBytes"'), 1);
    await assertStillServing();
  });

  const endpoints: [string, string, string[], string][] = [
    ['Zwibbler', '/socket', [], 'MaxMessageBytes'],
    ['y-webrtc', '/signal', [], 'SignalMaxMessageBytes'],
    ['chat', '/chat', ['beej-chat-protocol'], 'SignalMaxMessageBytes'],
  ];
  for (const [name, path, protocols, limit] of endpoints) {
    test(`${name} cuts a compressed message past its ${limit} with 1009`, async () => {
      const hits = await metric('lanboard_limit_hits_total', `limit="${limit}"`);
      const attacker = await openCompressed(`${t.wsUrl}${path}`, protocols);
      await sendCompressed(attacker.ws, Buffer.alloc(20 * MiB, ' '), false);
      const closed = await attacker.closed;
      assert.equal(closed.code, 1009);
      assert.equal(await metric('lanboard_limit_hits_total', `limit="${limit}"`), hits + 1);
      await assertStillServing();
    });
  }
});

describe("an address's WebSockets share one inbound budget", () => {
  // Small budgets, to keep the test quick: 4 MiB per connection, 6 MiB per address.
  const settings = {
    LogLevel: 'warn' as const,
    MaxMessageBytes: MiB,
    YjsMaxUpdateBytes: MiB,
    InboundBurstBytes: 4 * MiB,
    InboundAddressBurstBytes: 6 * MiB,
    InboundAddressBytesPerSecond: 64 * 1024,
  };
  const addressLogs = new LogRing();
  let hub: TestHub;
  before(async () => {
    hub = await startHub(settings, { logRing: addressLogs });
  });
  after(async () => {
    await hub.stop();
  });

  /** Sends just under 4 MiB inflated (one connection's whole budget) from `address`; resolves with how it ended. */
  async function sendBudget(address: string, room: string): Promise<string> {
    const a = await openCompressed(`${hub.wsUrl}/yjs/${room}`, [], address);
    const message = paddedSyncStep1(MiB - 16);
    for (let i = 0; i < 4 && a.ws.readyState === WebSocket.OPEN; i++) {
      await sendCompressed(a.ws, message);
    }
    const outcome = await Promise.race([
      a.closed.then(({ code, reason }) => `${code} ${reason}`),
      new Promise<string>((r) => setTimeout(() => r('open'), 500)),
    ]);
    a.ws.terminate();
    return outcome;
  }

  test('the connection that takes its address past InboundAddressBurstBytes is closed with 1008', async () => {
    assert.equal(await sendBudget('127.0.0.21', 'a'), 'open', 'within both budgets');
    const second = await sendBudget('127.0.0.21', 'b');
    assert.match(second, /^1008 .*InboundAddressBytesPerSecond/);
    assert.equal(
      await metric('lanboard_limit_hits_total', 'limit="InboundAddressBytesPerSecond"', hub),
      1,
    );
    assert.ok(
      addressLogs
        .recent()
        .some((l) => l.includes('inbound budget') && l.includes('"remote":"127.0.0.21"')),
      'a log line names the address',
    );
    // Another address has its own budget.
    assert.equal(await sendBudget('127.0.0.22', 'c'), 'open');
    // The address earns its budget back at InboundAddressBytesPerSecond: not yet.
    assert.match(await sendBudget('127.0.0.21', 'd'), /^1008 /);
  });
});
