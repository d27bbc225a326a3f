// The YjsStore contract on every backend (memory, SQLite, Redis, PostgreSQL,
// MariaDB): updates come
// back in order, compaction replaces exactly the rows it was given and keeps
// later ones, and expiration spares rooms in use.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { tempDir } from '../test/hub-fixture';
import { mariaDbForSuites } from '../test/mariadb-server';
import { postgresForSuites } from '../test/postgres-server';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { RedisYjsStore } from './redis-yjs-store';
import { SqliteYjsStore } from './sqlite-yjs-store';
import type { YjsStore } from './yjs-store';
import { MemoryYjsStore } from './memory-yjs-store';
import { MariaDbYjsStore } from './mariadb/yjs-store';
import { PostgresYjsStore } from './postgres/postgres-yjs-store';

const u = (...bytes: number[]) => Uint8Array.from(bytes);
const list = (updates: Uint8Array[]) => updates.map((x) => [...x]);

let redis: TestRedis;
const postgres = postgresForSuites();
const mariadb = mariaDbForSuites();
before(async () => {
  [redis] = await Promise.all([startRedis(), postgres.start(), mariadb.start()]);
});
after(() => Promise.all([redis.stop(), postgres.stop(), mariadb.stop()]));

interface Backend {
  name: string;
  /** Why this backend cannot run here. */
  skip?: string;
  open(now: () => number): Promise<{ store: YjsStore; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    open: async (now) => ({ store: new MemoryYjsStore({ now }), cleanup: async () => {} }),
  },
  {
    name: 'sqlite',
    async open(now) {
      const dir = tempDir();
      const store = new SqliteYjsStore(path.join(dir.dir, 'y.db'), { now });
      return { store, cleanup: async () => (await store.close(), dir.remove()) };
    },
  },
  {
    name: 'redis',
    async open(now) {
      const client = new Redis({ host: '127.0.0.1', port: redis.port });
      await client.flushall();
      const store = new RedisYjsStore(client, { now });
      return { store, cleanup: async () => client.disconnect() };
    },
  },
  {
    name: 'postgresql',
    skip: postgres.skip,
    async open(now) {
      const store = new PostgresYjsStore(await postgres.fresh(), { now });
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'mariadb',
    skip: mariadb.skip,
    async open(now) {
      const store = new MariaDbYjsStore(await mariadb.fresh(), { now });
      return { store, cleanup: () => store.close() };
    },
  },
];

for (const backend of backends) {
  describe(`YjsStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    const clock = { now: 1_000_000 };
    let store: YjsStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      clock.now = 1_000_000;
      ({ store, cleanup } = await backend.open(() => clock.now));
    });
    afterEach(() => cleanup());

    test('a room never stored loads empty', async () => {
      assert.deepEqual(await store.load('none'), { updates: [], lastSeq: 0, bytes: 0 });
    });

    test('appends come back in order, with their count, bytes and last sequence number', async () => {
      assert.deepEqual(await store.append('r', [u(1), u(2, 2)]), {
        updates: 2,
        bytes: 3,
        lastSeq: 2,
      });
      assert.deepEqual(await store.append('r', [u(3, 3, 3)]), { updates: 3, bytes: 6, lastSeq: 3 });
      const loaded = await store.load('r');
      assert.deepEqual(list(loaded.updates), [[1], [2, 2], [3, 3, 3]]);
      assert.equal(loaded.lastSeq, 3);
      assert.equal(loaded.bytes, 6);
    });

    test('compaction replaces the rows through its sequence number and keeps later ones', async () => {
      await store.append('r', [u(1), u(2), u(3)]);
      const through = (await store.load('r')).lastSeq;
      await store.append('r', [u(4, 4)]); // written while the compaction was being prepared
      assert.deepEqual(await store.compact('r', u(9, 9, 9), through), { updates: 2, bytes: 5 });
      const loaded = await store.load('r');
      assert.deepEqual(list(loaded.updates), [
        [9, 9, 9],
        [4, 4],
      ]);
      assert.equal(loaded.lastSeq, through + 1);
      assert.deepEqual(await store.append('r', [u(5)]), {
        updates: 3,
        bytes: 6,
        lastSeq: through + 2,
      });
    });

    test('delete removes a room; list shows what rooms hold, most recent first', async () => {
      await store.append('old', [u(1)]);
      clock.now += 10;
      await store.append('new', [u(1), u(2)]);
      assert.deepEqual(
        (await store.list()).map((r) => [r.name, r.updates, r.bytes]),
        [
          ['new', 2, 2],
          ['old', 1, 1],
        ],
      );
      assert.equal(await store.delete('old'), true);
      assert.equal(await store.delete('old'), false);
      assert.deepEqual((await store.load('old')).updates, []);
    });

    test('expiration deletes rooms unused since the cutoff, except those kept', async () => {
      await store.append('stale', [u(1)]);
      await store.append('in-use', [u(1)]);
      clock.now += 5000;
      await store.append('fresh', [u(1)]);
      const gone = await store.purgeExpired(clock.now - 1000, (name) => name === 'in-use');
      assert.deepEqual(gone, ['stale']);
      assert.deepEqual((await store.list()).map((r) => r.name).sort(), ['fresh', 'in-use']);
    });

    test('touch counts as a use of stored rooms, and stores nothing for the others', async () => {
      await store.append('touched', [u(1)]);
      await store.append('untouched', [u(1)]);
      clock.now += 5000;
      await store.touch(['touched', 'never-stored']);
      const gone = await store.purgeExpired(clock.now - 1000, () => false);
      assert.deepEqual(gone, ['untouched']);
      assert.deepEqual(
        (await store.list()).map((r) => [r.name, r.lastAccess]),
        [['touched', clock.now]],
      );
    });
  });
}

/** The servers several hubs share, each with a store on a pool of its own per hub. */
const sharedServers = [
  {
    name: 'PostgresYjsStore',
    skip: postgres.skip,
    hub: async (first: boolean) =>
      new PostgresYjsStore(await (first ? postgres.fresh() : postgres.peer())),
  },
  {
    name: 'MariaDbYjsStore',
    skip: mariadb.skip,
    hub: async (first: boolean) =>
      new MariaDbYjsStore(await (first ? mariadb.fresh() : mariadb.peer())),
  },
];

for (const shared of sharedServers)
  describe(`${shared.name} shared by several hubs`, { skip: shared.skip }, () => {
    test('appends from separate pools to one room all stay, in one order for every reader', async () => {
      const hubs = [await shared.hub(true), await shared.hub(false)];
      await Promise.all(
        hubs.map(async (store, h) => {
          for (let i = 0; i < 40; i++) await store.append('shared', [u(h, i), u(h, i, 0)]);
        }),
      );
      const [a, b] = await Promise.all(hubs.map((s) => s.load('shared')));
      assert.equal(a!.updates.length, 160);
      assert.equal(a!.lastSeq, 160);
      assert.deepEqual(list(a!.updates), list(b!.updates));
      // Each hub's own updates in the order it sent them.
      for (const h of [0, 1]) {
        const own = list(a!.updates)
          .filter((x) => x[0] === h && x.length === 2)
          .map((x) => x[1]);
        assert.deepEqual(own, [...Array(40).keys()]);
      }
    });

    test('a compaction on one hub keeps what another hub appended meanwhile', async () => {
      const [one, two] = [await shared.hub(true), await shared.hub(false)];
      await one.append('r', [u(1), u(2)]);
      const through = (await one.load('r')).lastSeq;
      await two.append('r', [u(3)]);
      await one.compact('r', u(1, 2), through);
      assert.deepEqual(list((await two.load('r')).updates), [[1, 2], [3]]);
    });
  });
