// The load tester as a library against a real hub: its counts and statistics
// on a timeline with known latencies, the NACK path (re-sent, nothing lost),
// and that nothing a server sends makes it crash.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { encodeMessage } from '../protocols/zwibbler/codec';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { prng } from '../test/random';
import { ZwibblerClient } from '../test/zwibbler-client';
import type { Snapshot } from './report';
import { runLoadTest } from './runner';
import { writeStamp } from './timestamp';
import type { ChangeEvent } from './user';

let t: TestHub;
let url: string;
const clients: ZwibblerClient[] = [];

before(async () => {
  t = await startHub();
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function join(docId: string): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(url, { docId });
  clients.push(c);
  return c;
}

describe('statistics', () => {
  test('a synthetic timeline with known latencies gives exact counts and statistics', async () => {
    // A frozen clock whose low 32 bits are 50: stamps of latencies above 50 ms
    // lie before the 32-bit wrap, so the wrap is crossed too.
    const clock = 2 ** 32 * 400 + 50;
    const docId = 'timeline';
    const controller = new AbortController();
    let last: Snapshot | undefined;
    const run = runLoadTest(
      { url, docId, teachers: 0, students: 3, rampUpMs: 50, tickMs: 10, clock: () => clock },
      { signal: controller.signal, onTick: (s) => (last = s) },
    );
    await until('3 students joined', () => last?.connections.joined === 3);

    // The test plays the teacher: 100 changes stamped 1..100 ms before "now", in
    // random order, plus one 3-byte change that is delivered but is no sample.
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const random = prng(11);
    latencies.sort(() => random() - 0.5);
    const writer = await join(docId);
    let offset = 0;
    const write = async (data: Buffer) => {
      writer.append(offset, data);
      const ack = await writer.nextOf('ack-nack');
      assert.equal(ack.status, 1);
      offset = ack.length;
    };
    for (const ms of latencies) {
      const data = Buffer.alloc(10, 0x41);
      writeStamp(data, clock - ms);
      await write(data);
    }
    await write(Buffer.from('abc'));
    await until('303 deliveries', () => last?.delivered.appends === 303);
    controller.abort();
    const s = await run;

    assert.deepEqual(s.screenToScreenMs, {
      samples: 300,
      avg: 50.5,
      min: 1,
      max: 100,
      p50: 50,
      p95: 95,
      p99: 99,
    });
    assert.equal(s.delivered.appends, 303);
    assert.equal(s.docLength, 1003);
    assert.equal(s.stoppedBy, 'signal');
    assert.deepEqual(s.connections, {
      open: 3,
      joined: 3,
      target: 3,
      peak: 3,
      connects: 3,
      disconnects: 0,
      failedDials: 0,
    });
    assert.deepEqual(s.changes, {
      sent: 0,
      acked: 0,
      conflicts: 0,
      resent: 0,
      unconfirmed: 0,
      perSecond: 0,
    });
    assert.deepEqual(s.errors, { server: 0, unexpected: 0, gaps: 0, behind: 0 });
  });

  test("statsFrom 'all-connected' drops the samples taken during ramp-up", async () => {
    const docId = 'steady';
    const clock = 1_000_000;
    const writer = await join(docId);
    const change = (offset: number, latency: number) => {
      const data = Buffer.alloc(8, 0x41);
      writeStamp(data, clock - latency);
      writer.append(offset, data);
    };
    // Student 1 connects at once, student 2 after 2.7 s of ramp-up.
    const ramp = [0, 0.9];
    const controller = new AbortController();
    let last: Snapshot | undefined;
    const run = runLoadTest(
      {
        url,
        docId,
        teachers: 0,
        students: 2,
        rampUpMs: 3000,
        tickMs: 10,
        clock: () => clock,
        random: () => ramp.shift() ?? 0.5,
        statsFrom: 'all-connected',
      },
      { signal: controller.signal, onTick: (s) => (last = s) },
    );
    await until('student 1 joined', () => last?.connections.joined === 1);
    change(0, 50); // during ramp-up: student 1 takes a 50 ms sample
    await until('1 delivery', () => last?.delivered.appends === 1);
    assert.equal(last?.screenToScreenMs?.max, 50);
    assert.equal(last?.statsSinceS, 0);
    await until('stats restarted', () => last !== undefined && last.statsSinceS > 0);
    change(8, 7); // steady state: both students take a 7 ms sample
    await until('3 deliveries', () => last?.delivered.appends === 3);
    controller.abort();
    const s = await run;
    assert.deepEqual(s.screenToScreenMs, {
      samples: 2,
      avg: 7,
      min: 7,
      max: 7,
      p50: 7,
      p95: 7,
      p99: 7,
    });
    assert.equal(s.delivered.appends, 3, 'counts still cover the whole run');
    assert.ok(s.statsSinceS > 0);
  });
});

describe('teachers', () => {
  test('conflicts are re-sent at the new end and no change is lost or doubled', async () => {
    const docId = 'race';
    const events: ChangeEvent[] = [];
    // A constant random source: every client connects at the same moment and
    // both teachers tick together, so their changes race at the same offset.
    const s = await runLoadTest(
      {
        url,
        docId,
        teachers: 2,
        students: 2,
        delayMs: 40,
        rampUpMs: 100,
        durationS: 2,
        random: () => 0.5,
      },
      { onChange: (e) => events.push(e) },
    );

    assert.ok(s.changes.conflicts > 0, 'the teachers raced');
    assert.equal(s.changes.resent, s.changes.conflicts, 'every NACK led to a re-send');
    assert.equal(s.changes.acked, s.changes.sent, 'every change landed');
    assert.equal(s.changes.unconfirmed, 0);
    assert.deepEqual(s.errors, { server: 0, unexpected: 0, gaps: 0, behind: 0 });

    // Each change's last send, its ACK, and its place in the final document.
    const key = (e: ChangeEvent) => `${e.teacher}/${e.seq}`;
    const lastSent = new Map<string, ChangeEvent>();
    const acks = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'sent') lastSent.set(key(e), e);
      if (e.kind === 'acked') {
        assert.ok(!acks.has(key(e)), `change ${key(e)} acked twice`);
        acks.set(key(e), e.offset);
      }
      if (e.kind === 'abandoned') assert.fail(`change ${key(e)} abandoned`);
    }
    const conflicts = events.filter((e) => e.kind === 'conflict');
    assert.equal(conflicts.length, s.changes.conflicts);
    for (const c of conflicts) {
      const resend = events.find(
        (e) => e.kind === 'sent' && key(e) === key(c) && e.offset >= c.offset,
      );
      assert.ok(resend, `change ${key(c)} re-sent at the new end (≥ ${c.offset})`);
    }
    assert.equal(lastSent.size, s.changes.sent);
    assert.equal(acks.size, s.changes.sent);

    const reader = await join(docId);
    const initial = reader.messages[0]!;
    assert.equal(initial.type, 'append');
    const doc = Buffer.from(initial.type === 'append' ? initial.data : []);
    assert.equal(doc.length, s.changes.acked * 10);
    assert.equal(s.docLength, doc.length);
    const offsets: number[] = [];
    for (const [k, sent] of lastSent) {
      const end = acks.get(k);
      assert.equal(end, sent.offset + 10, `change ${k} acked where it was last sent`);
      assert.deepEqual(doc.subarray(sent.offset, end), Buffer.from(sent.data!), `change ${k}`);
      offsets.push(sent.offset);
    }
    // The changes tile the document: each exactly once, nothing else in it.
    offsets.sort((a, b) => a - b);
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => i * 10),
    );
    // And the letters run on as in the reference: A…Z, then A again, across every teacher.
    for (let i = 0; i < doc.length / 10; i++) {
      const letters = doc.subarray(i * 10 + 4, i * 10 + 10).toString('latin1');
      assert.equal(letters, String.fromCharCode(0x41 + (i % 26)).repeat(6), `change ${i}`);
    }
  });
});

describe('server trouble is counted, never a crash', () => {
  let fake: WebSocketServer;
  let fakeUrl: string;
  const sockets = new Set<WebSocket>();

  before(async () => {
    // A broken server: it answers INIT with a key update, an unknown type, a
    // stray continuation chunk and an ERROR, then drops the connection.
    fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => fake.once('listening', r));
    fakeUrl = `ws://127.0.0.1:${(fake.address() as AddressInfo).port}/socket`;
    fake.on('connection', (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.once('message', () => {
        ws.send(
          encodeMessage({
            type: 'key-information',
            keys: [{ version: 1, name: Buffer.from('k'), value: Buffer.from('v') }],
          }),
        );
        ws.send(Buffer.from([0x07, 0x00, 0x01]));
        ws.send(Buffer.from([0x05, 0x01, 0x00]));
        ws.send(Buffer.from([0x05, 0x00]));
        ws.send(encodeMessage({ type: 'error', code: 4, description: Buffer.from('nope') }));
        setTimeout(() => ws.terminate(), 20);
      });
    });
  });

  after(async () => {
    for (const ws of sockets) ws.terminate();
    await new Promise((r) => fake.close(r));
  });

  test('errors, unexpected messages and disconnects are counted and clients reconnect', async () => {
    const s = await runLoadTest({
      url: fakeUrl,
      docId: 'x',
      teachers: 1,
      students: 2,
      rampUpMs: 0,
      reconnectDelayMs: 50,
      durationS: 1,
    });
    assert.equal(s.stoppedBy, 'duration');
    const connects = s.connections.connects;
    assert.ok(connects > 3, `clients reconnected: ${connects} connects`);
    // Only the (at most 3) connections open when the run stopped may have missed some.
    const { server, unexpected } = s.errors;
    assert.ok(server <= connects && server >= connects - 3, `${server} ERRORs`);
    // Before each ERROR: key information, type 0x07, a chunk sequence broken by
    // a new message, and that message: an APPEND too short to decode.
    assert.ok(unexpected >= 4 * server && unexpected <= 4 * connects, `${unexpected} unexpected`);
    assert.ok(s.connections.disconnects >= connects - 3, `${s.connections.disconnects}`);
    assert.equal(s.connections.joined, 0);
  });

  test('a server that is not there is counted as failed dials', async () => {
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const s = await runLoadTest({
      url: `ws://127.0.0.1:${port}/socket`,
      docId: 'x',
      teachers: 1,
      students: 1,
      rampUpMs: 0,
      reconnectDelayMs: 50,
      durationS: 0.5,
    });
    assert.ok(s.connections.failedDials >= 2, `${s.connections.failedDials} failed dials`);
    assert.equal(s.connections.connects, 0);
    assert.equal(s.screenToScreenMs, null);
  });
});
