// The reference's weaknesses that this scope fixes (a client that stops reading,
// keepalive, a join racing an append, fan-out order; each has its section under
// docs/protocols/zwibbler.md#where-lanboard-differs-from-zwibserve) and the
// zwibserve load tester's expectations (docs/protocols/zwibbler.md#compatibility).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { killAllHubs, residentBytes, spawnHub } from '../../test/child-hub';
import { sleep, startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { initMessage, ZwibblerClient } from '../../test/zwibbler-client';
import { encodeMessage } from './codec';
import type { AppendMessage, Message } from './codec';

async function waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A reader that keeps nothing: it counts broadcasts, so the test itself stays small. */
async function countingReader(url: string, docId: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const counts = { broadcasts: 0, frames: 0 };
  ws.on('message', (d: Buffer) => {
    counts.frames++;
    if (d[0] === 0x04) counts.broadcasts++;
  });
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  ws.send(encodeMessage(initMessage({ docId, maxMessageSize: 8 << 20 })));
  await waitFor('initial append', () => counts.frames > 0);
  return { ws, counts };
}

// docs/protocols/zwibbler.md#a-client-that-stops-reading-is-disconnected
describe('a client that stops reading', () => {
  after(killAllHubs);

  test(
    'is cut off at its cap, while the hub keeps serving and its memory stays flat',
    { skip: process.platform !== 'linux' && 'reads /proc for the hub process memory' },
    async () => {
      const hub = await spawnHub(['--db', 'memory'], {
        LANBOARD_MAX_QUEUED_BYTES: '4MiB',
        LANBOARD_MAX_MESSAGE_BYTES: '2MiB',
        // A queue cap this small holds twice no larger message on any endpoint (config/budgets.ts).
        LANBOARD_YJS_MAX_UPDATE_BYTES: '2MiB',
        // The writer's 400 MiB is the load here, not the attack: its inbound budget lets it all in.
        LANBOARD_INBOUND_BURST_BYTES: '1GiB',
        LANBOARD_INBOUND_ADDRESS_BURST_BYTES: '1GiB',
      });
      const url = `${hub.wsUrl}/socket`;
      const doc = 'slow-reader';
      try {
        const slow = await countingReader(url, doc);
        slow.ws.pause(); // stops reading: the hub's data for it piles up
        const fast = await countingReader(url, doc);
        const writer = await ZwibblerClient.join(url, { docId: doc });
        const total = 400;
        const payload = Buffer.alloc(1 << 20, 7);
        const baseline = (await residentBytes(hub.child.pid!))!;
        let peak = baseline;
        const sampler = setInterval(() => {
          void residentBytes(hub.child.pid!).then((rss) => (peak = Math.max(peak, rss ?? 0)));
        }, 20);
        try {
          for (let i = 0; i < total; i++) {
            writer.send({ type: 'broadcast', data: payload });
            // Paced by the reader that keeps up: only the stalled one falls behind.
            await waitFor('the fast reader', () => fast.counts.broadcasts >= i - 1, 30_000);
          }
          // The fast reader gets all 400 MiB: the hub kept serving it.
          await waitFor(
            'the fast reader to get every broadcast',
            () => fast.counts.broadcasts === total,
            60_000,
          );
        } finally {
          clearInterval(sampler);
        }
        // 400 MiB went through; a queue without a cap would have held most of it.
        const grownMiB = (peak - baseline) / 2 ** 20;
        assert.ok(grownMiB < 160, `hub memory grew by ${grownMiB.toFixed(0)} MiB`);
        const closed = new Promise<number>((r) => slow.ws.once('close', (c) => r(c)));
        slow.ws.resume();
        const code = await Promise.race([closed, sleep(10_000).then(() => 'still open')]);
        assert.equal(code, 1006, 'the hub dropped the connection without a close frame');
        assert.ok(slow.counts.broadcasts < total / 4, `slow reader got ${slow.counts.broadcasts}`);
        fast.ws.close();
        await writer.close();
      } finally {
        await hub.stop();
      }
    },
  );
});

describe('with a running hub', () => {
  let t: TestHub;
  let url: string;
  const clients: ZwibblerClient[] = [];
  const join = async (init: Parameters<typeof ZwibblerClient.join>[1]) => {
    const c = await ZwibblerClient.join(url, init);
    clients.push(c);
    return c;
  };

  before(async () => {
    t = await startHub({ KeepaliveSeconds: 1 });
    url = `${t.wsUrl}/socket`;
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t.stop();
  });

  // docs/protocols/zwibbler.md#keepalive-pings-drop-dead-peers
  test('keepalive drops a dead peer and keeps a live one', async () => {
    const live = await join({ docId: 'keepalive' });
    const dead = await join({ docId: 'keepalive' });
    // A join registers once the document's keys are read, after the initial
    // APPEND: a store on a server (PostgreSQL) takes a round trip more.
    await waitFor(
      'both to be registered',
      () => t.hub.registry.clients({ room: 'keepalive' }).length === 2,
    );
    dead.ws.pause(); // no more reads, so no pongs: it looks like a half-open connection
    await waitFor('the dead peer to be dropped', () => t.hub.stats().clients === 1);
    await sleep(2500); // more than two intervals: the live client must still be there
    assert.equal(t.hub.registry.clients({ room: 'keepalive' }).length, 1);
    assert.equal(live.ws.readyState, WebSocket.OPEN);
    live.append(0, 'still here');
    assert.equal((await live.next()).type, 'ack-nack');
    dead.ws.resume();
    assert.equal((await dead.closed).code, 1006);
  });

  // docs/protocols/zwibbler.md#a-join-never-misses-an-append
  test('an append committed while a newcomer joins reaches it exactly once', async () => {
    for (let round = 0; round < 25; round++) {
      const doc = `join-race-${round}`;
      const writer = await join({ docId: doc, initialData: 'start:' });
      let length = 6;
      let stop = false;
      const writing = (async () => {
        for (let i = 0; !stop || i < 5; i++) {
          writer.append(length, `<${round}.${i}>`);
          const reply = await writer.next();
          assert.ok(reply.type === 'ack-nack' && reply.status === 1);
          length = reply.type === 'ack-nack' ? reply.length : length;
        }
      })();
      await sleep(round % 5);
      const newcomer = await join({ docId: doc });
      stop = true;
      await writing;
      await waitFor('the newcomer to catch up', () => viewOf(newcomer).length === length);
      const view = viewOf(newcomer);
      const fresh = await join({ docId: doc });
      const first = fresh.messages[0] as AppendMessage;
      assert.equal(view.toString(), Buffer.from(first.data).toString(), `round ${round}`);
      assert.ok(await newcomer.quiet(50), 'no duplicate arrives later');
    }
  });

  // docs/protocols/zwibbler.md#fan-out-follows-commit-order
  test('fan-out order equals commit order for every reader', async () => {
    const doc = 'order';
    const readers = await Promise.all([1, 2, 3].map(() => join({ docId: doc })));
    const writers = await Promise.all([1, 2, 3, 4].map(() => join({ docId: doc })));
    const perWriter = 30;
    await Promise.all(
      writers.map(async (w, wi) => {
        let known = 0;
        for (let i = 0; i < perWriter;) {
          w.append(known, `w${wi}#${i};`);
          for (;;) {
            const m = await w.next();
            if (m.type === 'append') known = Math.max(known, m.offset + m.data.length);
            if (m.type !== 'ack-nack') continue;
            known = m.length;
            if (m.status === 1) i++;
            break;
          }
        }
      }),
    );
    const fresh = await join({ docId: doc });
    const doc0 = Buffer.from((fresh.messages[0] as AppendMessage).data);
    for (const r of readers) {
      await waitFor('a reader to get every append', () => viewOf(r).length === doc0.length);
      const appends = r.messages.slice(1) as AppendMessage[];
      let end = 0;
      for (const a of appends) {
        assert.equal(a.offset, end, 'each append starts where the previous one ended');
        end += a.data.length;
      }
      assert.deepEqual(viewOf(r), doc0);
      assert.equal(appends.length, writers.length * perWriter);
    }
  });

  // docs/protocols/zwibbler.md#compatibility
  test("zwibserve's load tester pattern: V2 clients on a keyless document get only 0x02 and 0x81", async () => {
    const doc = 'v2-load-tester';
    const students = await Promise.all([1, 2, 3].map(() => join({ docId: doc, version: 2 })));
    const teachers = await Promise.all([1, 2].map(() => join({ docId: doc, version: 2 })));
    let length = 0;
    for (let i = 0; i < 40; i++) {
      const teacher = teachers[i % 2]!;
      // A V3 append carrying a send timestamp in its first 4 bytes, 10 bytes in all.
      const data = Buffer.alloc(10, 0x41 + (i % 26));
      data.writeUInt32BE(Date.now() % 2 ** 32, 0);
      teacher.send({ type: 'append', layout: 3, generation: 0, offset: length, data });
      let reply: Message;
      do reply = await teacher.next();
      while (reply.type !== 'ack-nack');
      assert.equal(reply.type === 'ack-nack' && reply.status, 1);
      length = reply.type === 'ack-nack' ? reply.length : length;
    }
    await Promise.all(
      students.map((s) => waitFor('students to catch up', () => viewOf(s).length === length)),
    );
    for (const c of [...students, ...teachers]) {
      const types = new Set(c.frames.map((f) => f[0]));
      for (const type of types) assert.ok(type === 0x02 || type === 0x81, `got type ${type}`);
      assert.ok(
        c.frames.every((f) => f[1] === 0),
        'no continuation chunks',
      );
    }
  });
});

/** The document as a client has assembled it: its initial load plus every append since. */
function viewOf(c: ZwibblerClient): Buffer {
  const appends = c.messages.filter((m): m is AppendMessage => m.type === 'append');
  if (appends.length === 0) return Buffer.alloc(0);
  let doc = Buffer.from(appends[0]!.data);
  const base = appends[0]!.offset;
  for (const a of appends.slice(1)) {
    assert.equal(a.offset - base, doc.length, 'no gap and no duplicate');
    doc = Buffer.concat([doc, a.data]);
  }
  return doc;
}
