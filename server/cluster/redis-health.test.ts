// /healthz is honest about Redis (docs/operating.md#several-hubs-on-one-redis):
// with a real redis-server killed, or frozen (SIGSTOP: its connections stay
// open and nothing answers), a hub on Redis answers /healthz at once with
// 503 and the reason instead of waiting for the outage to end (a lost
// connection is listed in failedWrites too, as the dashboard's banner shows
// it), and says ok again by itself once Redis is back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminCall, eventually } from '../test/admin-client';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';

interface Health {
  status: string;
  database: { ok: boolean; kind: string; error?: string };
  failedWrites?: { what: string; reason: string }[];
}

let redis: TestRedis;
let hub: TestHub;
// Its own folder: a hub on Redis still keeps workspaces and its token in DataDir.
const dir = tempDir('lanboard-redis-health-');

before(async () => {
  redis = await startRedis();
  hub = await startHub({ Database: 'redis', DbServer: redis.server, DataDir: dir.dir });
});

after(async () => {
  await hub?.stop();
  await redis?.stop();
  dir.remove();
});

const health = () => adminCall<Health>(hub.httpUrl, '/healthz');

async function healthyAgain(): Promise<void> {
  await eventually(async () => (await health()).status === 200 || undefined, 20_000);
  assert.equal((await health()).body.database.ok, true);
}

test('Redis killed: /healthz answers 503 saying Redis is unreachable, then ok once it is back', async () => {
  assert.equal((await health()).status, 200);
  await redis.down();
  // The hub notices the closed connection, then why its reconnects fail; every
  // answer meanwhile is a prompt 503.
  const outage = (reply: { body: Health }) =>
    reply.body.failedWrites?.find((f) => f.what === 'Redis')?.reason ?? '';
  const down = await eventually(async () => {
    const reply = await health();
    return /ECONNREFUSED/.test(outage(reply)) && reply;
  });
  assert.equal(down.status, 503);
  assert.equal(down.body.status, 'error');
  assert.equal(down.body.database.kind, 'redis');
  assert.match(down.body.database.error ?? '', /Redis is unreachable/);
  // Listed as a failing store too: that is what the dashboard's banner shows.
  assert.match(outage(down), /^Redis is unreachable: connect ECONNREFUSED/);
  await redis.up();
  await healthyAgain();
  assert.equal((await health()).body.failedWrites, undefined);
});

test(
  'Redis frozen: /healthz answers 503 saying PING went unanswered, not after the outage',
  { timeout: 60_000 },
  async () => {
    assert.equal((await health()).status, 200);
    redis.freeze();
    try {
      // Answered while Redis is still frozen: the replies cannot have waited for it.
      const replies = await Promise.all([health(), health()]);
      for (const reply of replies) {
        assert.equal(reply.status, 503);
        assert.match(reply.body.database.error ?? '', /did not answer PING/);
      }
    } finally {
      redis.thaw();
    }
    await healthyAgain();
  },
);
