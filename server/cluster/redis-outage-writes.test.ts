// A write during a Redis outage fails loudly, and soon (docs/operating.md#when-a-write-fails):
// with a real redis-server killed, or frozen (SIGSTOP: the connection stays
// open and nothing answers), a Zwibbler append waits only a bounded time in
// ioredis' queue, then its writer gets ERROR `internal storage error` and a
// 1011 close, nothing is acknowledged, and nothing waits on: once Redis is
// back, /healthz lists no fault without anyone writing (the stores' probe),
// and a writer's append is stored. (A refused append that had reached a
// frozen server runs when it wakes: refused may yet mean stored, never the
// other way round; the writer's client sorts it out at its next append.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminCall, eventually } from '../test/admin-client';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { ZwibblerClient } from '../test/zwibbler-client';

let redis: TestRedis;
let hub: TestHub;
// Its own folder: a hub on Redis still keeps workspaces and its token in DataDir.
const dir = tempDir('lanboard-redis-outage-writes-');
const clients: ZwibblerClient[] = [];

before(async () => {
  redis = await startRedis();
  hub = await startHub({ Database: 'redis', DbServer: redis.server, DataDir: dir.dir });
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await hub?.stop();
  await redis?.stop();
  dir.remove();
});

async function join(docId: string): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId });
  clients.push(c);
  return c;
}

const text = (m: { data?: Uint8Array }) => Buffer.from(m.data ?? []).toString();

/** Appends `data` during the outage `start` begins; the append must be refused, not kept waiting. */
async function refusedDuring(docId: string, start: () => Promise<void> | void): Promise<void> {
  const writer = await join(docId);
  writer.append(0, 'stored;');
  assert.equal((await writer.nextOf('ack-nack')).status, 1);
  await start();
  writer.append(7, 'refused;');
  // Longer than the bounds (about 1 s refused, 10 s for a command already sent), far
  // shorter than an outage: the append is not left waiting for Redis to come back.
  const error = await writer.nextOf('error', 30_000);
  assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
  assert.equal((await writer.closed).code, 1011);
  assert.equal(
    writer.messages.filter((m) => m.type === 'ack-nack').length,
    1,
    'the refused append was not acknowledged',
  );
}

interface Health {
  failedWrites?: { what: string }[];
}

/** Once Redis is back, with nobody writing: no write fault is listed any more (the probe). */
async function clearsByItself(): Promise<void> {
  await eventually(async () => {
    const reply = await adminCall<Health>(hub.httpUrl, '/healthz');
    return (reply.status === 200 && reply.body.failedWrites === undefined) || undefined;
  }, 30_000);
}

/** Once Redis is back: a new append is stored. */
async function storesAgain(docId: string): Promise<void> {
  let before: string;
  for (let attempt = 0; ; attempt++) {
    const again = await join(docId);
    before = text(again.messages[0] as { data: Uint8Array });
    assert.ok(['stored;', 'stored;refused;'].includes(before), `the document is ${before}`);
    again.append(before.length, 'after;');
    const reply = await again.next(10_000).catch(() => undefined);
    if (reply?.type === 'ack-nack' && reply.status === 1) break;
    // Still reconnecting: the hub refused it the same way; try once more.
    assert.ok(
      attempt < 20,
      `the append after the outage was never stored: ${JSON.stringify(reply)}`,
    );
    await new Promise((r) => setTimeout(r, 500));
  }
  const reader = await join(docId);
  assert.equal(text(reader.messages[0] as { data: Uint8Array }), `${before}after;`);
}

test(
  'Redis killed: an append is refused with ERROR and 1011 instead of waiting for Redis; appends are stored once it is back',
  { timeout: 90_000 },
  async () => {
    await refusedDuring('outage-killed', () => redis.down());
    await redis.up();
    await clearsByItself();
    await storesAgain('outage-killed');
  },
);

test(
  'Redis frozen: an append is refused with ERROR and 1011 instead of waiting for Redis; appends are stored once it runs again',
  { timeout: 90_000 },
  async () => {
    try {
      await refusedDuring('outage-frozen', () => redis.freeze());
    } finally {
      redis.thaw();
    }
    await clearsByItself();
    await storesAgain('outage-frozen');
  },
);
