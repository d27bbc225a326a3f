// Expiration (docs/protocols/zwibbler.md#expiration) on a running hub with an
// injected clock and short settings. The state is read through a second
// connection to the same SQLite file, which does not count as an access.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { captureLog } from '../test/captured-log';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { openProvider } from '../test/yjs-client';
import { sleep, startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { ZwibblerClient } from '../test/zwibbler-client';
import { defaultSweepSeconds, ExpirySweeper } from './expiry-sweeper';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import { RedisYjsStore } from './redis-yjs-store';
import { SqliteStore } from './sqlite-store';

const dir = tempDir('lanboard-expiry-');
const dbFile = path.join(dir.dir, 'hub.db');
let clock = Date.UTC(2026, 10, 22);
let t: TestHub;
let side: SqliteStore;

/** Looks without touching: findToken would count as a use. */
function tokenExists(token: string): boolean {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT 1 FROM tokens WHERE token = ?').get(token) !== undefined;
  } finally {
    db.close();
  }
}

async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  t = await startHub(
    { Database: 'sqlite', DbFile: dbFile, Expiration: 60, ExpirationSweepSeconds: 1 },
    { now: () => clock },
  );
  side = new SqliteStore(dbFile, { now: () => clock });
});

after(async () => {
  await t.stop();
  await side.close();
  dir.remove();
});

describe('expiration on a running hub', () => {
  test('idle documents and tokens go; a document with clients stays until they leave', async () => {
    const url = `${t.wsUrl}/socket`;
    const idle = await ZwibblerClient.join(url, { docId: 'idle', initialData: 'i' });
    await idle.close();
    const live = await ZwibblerClient.join(url, { docId: 'live', initialData: 'l' });
    await side.addToken(
      { token: 'unused', documentId: 'idle', userId: 'u', permissions: 'r', expiresAt: 4e12 },
      new Uint8Array(),
    );

    clock += 61_000; // past Expiration for everything
    await waitFor(
      'the idle document to be purged',
      async () => (await side.documentLength('idle')) === null,
    );
    assert.equal(await side.documentLength('live'), 1, 'a document with a client is kept');
    await waitFor('the unused token to be purged', async () => !tokenExists('unused'));

    // The live client still works, and its append counts as an access.
    live.append(1, '!');
    assert.deepEqual(await live.nextOf('ack-nack'), { type: 'ack-nack', status: 1, length: 2 });
    await live.close();
    await waitFor(
      'the hub to drop the live document',
      async () => t.hub.stats().liveDocuments === 0,
    );
    clock += 30_000; // accessed 30 s ago: kept
    await sleep(1200);
    assert.equal(await side.documentLength('live'), 2);
    clock += 31_000; // now 61 s since its last access: purged
    await waitFor(
      'the formerly live document to be purged',
      async () => (await side.documentLength('live')) === null,
    );
  });
});

describe('ExpirySweeper', () => {
  test('the default sweep interval is a quarter of Expiration, from 1 s to 1 h', () => {
    assert.equal(defaultSweepSeconds(60), 15);
    assert.equal(defaultSweepSeconds(2), 1);
    assert.equal(defaultSweepSeconds(30 * 86_400), 3600);
  });

  test('each sweep that deletes something is logged with the counts', async () => {
    const { logger: log, lines } = captureLog('info');
    let now = 1_000_000;
    const store = new MemoryStore({ now: () => now });
    await store.createDocument('old', Buffer.from('x'));
    now += 10_000;
    const sweeper = new ExpirySweeper({
      store,
      expirationMs: 5000,
      intervalMs: 60_000,
      live: { has: () => false, ids: () => [] },
      log,
      now: () => now,
    });
    assert.deepEqual(await sweeper.sweep(), { documents: 1, tokens: 0 });
    await sweeper.stop();
    assert.ok(lines().some((l) => l.msg === 'expiration sweep' && l.documents === 1));
  });
});

describe('several hubs on one Redis', () => {
  let shared = Date.UTC(2026, 10, 22);
  let redis: TestRedis;
  let a: TestHub;
  let b: TestHub;
  before(async () => {
    redis = await startRedis();
    const settings = {
      Database: 'redis' as const,
      DbServer: redis.server,
      Expiration: 60,
      ExpirationSweepSeconds: 1,
    };
    a = await startHub(settings, { now: () => shared });
    b = await startHub(settings, { now: () => shared });
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await redis.stop();
  });

  /** 70 s pass in steps shorter than a quarter of Expiration, each long enough for both hubs to sweep. */
  async function seventySecondsPass(): Promise<void> {
    for (let step = 0; step < 5; step++) {
      shared += 14_000;
      await sleep(2500);
    }
  }

  test("a document with clients on one hub outlives every other hub's sweeps", async () => {
    // A side connection: documentLength is not an access.
    const reader = new RedisStore(new Redis({ host: '127.0.0.1', port: redis.port }));
    try {
      const held = await ZwibblerClient.join(`${b.wsUrl}/socket`, {
        docId: 'held',
        initialData: 'h',
      });
      await seventySecondsPass();
      assert.equal(
        await reader.documentLength('held'),
        1,
        'hub A deleted a document in use on hub B',
      );
      await held.close();
      await waitFor('hub B to drop the document', async () => b.hub.stats().liveDocuments === 0);
      shared += 61_000;
      await waitFor(
        'the idle document to be purged',
        async () => (await reader.documentLength('held')) === null,
      );
    } finally {
      await reader.close();
    }
  });

  test("a Yjs room with clients on one hub outlives every other hub's sweeps", async () => {
    // A side connection: list() is not an access.
    const side = new Redis({ host: '127.0.0.1', port: redis.port });
    const rooms = new RedisYjsStore(side);
    const stored = async () => (await rooms.list()).map((r) => r.name);
    const p = openProvider(b.wsUrl, 'held-room');
    try {
      await p.synced();
      p.doc.getText('t').insert(0, 'kept');
      await waitFor('the update stored', async () => (await stored()).includes('held-room'));
      await seventySecondsPass();
      assert.ok((await stored()).includes('held-room'), 'hub A deleted a room in use on hub B');
    } finally {
      p.destroy();
      side.disconnect();
    }
  });
});
