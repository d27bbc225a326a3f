// The WorkspaceStore contract, run against every backend (Redis on a real
// redis-server), plus what only a shared store must show.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { completeConfig } from '../config/load';
import { tempDir } from '../test/hub-fixture';
import { mariaDbForSuites } from '../test/mariadb-server';
import { postgresForSuites } from '../test/postgres-server';
import type { MariaDb } from './mariadb/connection';
import { MariaDbWorkspaceStore } from './mariadb/workspace-store';
import type { PostgresDb } from './postgres/postgres-connection';
import { PostgresWorkspaceStore } from './postgres/postgres-workspace-store';
import { RedisWorkspaceStore } from './redis-workspace-store';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { SqliteStore } from './sqlite-store';
import { SqliteWorkspaceStore } from './sqlite-workspace-store';
import { MemoryWorkspaceStore } from './memory-workspace-store';
import { openWorkspaceStore } from './open-store';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from './workspace-store';

const dir = tempDir('lanboard-workspace-store-');
const postgres = postgresForSuites();
const mariadb = mariaDbForSuites();
let redis: TestRedis;
const clients: Redis[] = [];
before(async () => {
  redis = await startRedis();
  await postgres.start();
  await mariadb.start();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
  dir.remove();
  await postgres.stop();
  await mariadb.stop();
});

/** A connection of its own, as each hub has. */
function connect(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: redis.port });
  clients.push(c);
  return c;
}

let clock = 1_000_000;
const now = () => clock;
let files = 0;

let postgresDb: PostgresDb;
let mariaDb: MariaDb;

interface Backend {
  kind: string;
  open: () => WorkspaceStore;
  /** Why this backend cannot run here. */
  skip?: string;
  /** Before each test: empty stores. */
  prepare?: () => Promise<void>;
}

const backends: Backend[] = [
  { kind: 'memory', open: () => new MemoryWorkspaceStore({ now }) },
  {
    kind: 'sqlite',
    open: () => new SqliteWorkspaceStore(path.join(dir.dir, `ws-${++files}.db`), { now }),
  },
  {
    kind: 'redis',
    open: () => new RedisWorkspaceStore(connect(), { now }),
    prepare: async () => void (await connect().flushall()),
  },
  {
    kind: 'postgresql',
    open: () => new PostgresWorkspaceStore(postgresDb, { now }),
    skip: postgres.skip,
    prepare: async () => void (postgresDb = await postgres.fresh()),
  },
  {
    kind: 'mariadb',
    open: () => new MariaDbWorkspaceStore(mariaDb, { now }),
    skip: mariadb.skip,
    prepare: async () => void (mariaDb = await mariadb.fresh()),
  },
];

const record = (id: string, over: Partial<WorkspaceRecord> = {}): WorkspaceRecord => ({
  id,
  name: `Workspace ${id}`,
  avatar: '',
  owner: '_owner',
  created: 42,
  pinSalt: Uint8Array.from([1, 2, 3]),
  pinHash: Uint8Array.from([4, 5, 6]),
  tokenKey: Uint8Array.from([7, 8, 9]),
  call: null,
  ...over,
});

const member = (id: string, lastJoined = 1): WorkspaceMember => ({
  id,
  name: `Name ${id}`,
  avatar: '',
  lastJoined,
});

for (const { kind, open, skip, prepare } of backends) {
  describe(`WorkspaceStore (${kind})`, { skip }, () => {
    beforeEach(async () => prepare?.());

    test('create, get, and refusing a taken ID', async () => {
      const s = open();
      assert.equal(s.kind, kind);
      assert.equal(await s.create(record('_a'), member('_owner')), true);
      assert.equal(await s.create(record('_a', { name: 'other' }), member('_x')), false);
      const got = await s.get('_a');
      assert.deepEqual(got, record('_a'));
      assert.equal(await s.get('_missing'), null);
      assert.deepEqual(await s.members('_a'), [member('_owner')]);
      assert.equal(await s.count(), 1);
      await s.close();
    });

    test('members are added, updated in place, removed; a gone workspace takes none', async () => {
      const s = open();
      await s.create(record('_a'), member('_owner'));
      assert.equal(await s.putMember('_a', member('_b', 5)), true);
      assert.equal(await s.putMember('_a', member('_c', 6)), true);
      assert.equal(await s.putMember('_a', { ...member('_b', 9), name: 'Renamed' }), true);
      assert.deepEqual(
        (await s.members('_a')).map((m) => [m.id, m.name, m.lastJoined]),
        [
          ['_owner', 'Name _owner', 1],
          ['_b', 'Renamed', 9],
          ['_c', 'Name _c', 6],
        ],
      );
      assert.deepEqual(await s.member('_a', '_c'), member('_c', 6));
      assert.equal(await s.removeMember('_a', '_c'), true);
      assert.equal(await s.removeMember('_a', '_c'), false);
      assert.equal(await s.member('_a', '_c'), null);
      assert.equal(await s.putMember('_gone', member('_z')), false);
      await s.close();
    });

    test('the call is stored as JSON and cleared', async () => {
      const s = open();
      await s.create(record('_a'), member('_owner'));
      await s.setCall('_a', { id: 'call-1', n: [1, 2] });
      assert.deepEqual((await s.get('_a'))?.call, { id: 'call-1', n: [1, 2] });
      await s.setCall('_a', undefined);
      assert.equal((await s.get('_a'))?.call, null);
      await s.close();
    });

    test('delete takes the members with it', async () => {
      const s = open();
      await s.create(record('_a'), member('_owner'));
      await s.putMember('_a', member('_b'));
      assert.equal(await s.delete('_a'), true);
      assert.equal(await s.delete('_a'), false);
      assert.deepEqual(await s.members('_a'), []);
      await s.create(record('_a'), member('_new'));
      assert.deepEqual(
        (await s.members('_a')).map((m) => m.id),
        ['_new'],
      );
      await s.close();
    });

    test('purgeExpired deletes what was not used since the cutoff, unless kept', async () => {
      const s = open();
      clock = 1000;
      await s.create(record('_old'), member('_owner'));
      await s.create(record('_kept'), member('_owner'));
      await s.create(record('_touched'), member('_owner'));
      await s.create(record('_joined'), member('_owner'));
      clock = 5000;
      await s.touch('_touched');
      await s.putMember('_joined', member('_b'));
      await s.setCall('_old', 'not a use');
      const gone = await s.purgeExpired(2000, (id) => id === '_kept');
      assert.deepEqual(gone, ['_old']);
      assert.equal(await s.get('_old'), null);
      assert.equal(await s.count(), 3);
      clock = 9000;
      await s.removeMember('_joined', '_b');
      assert.deepEqual((await s.purgeExpired(6000, () => false)).sort(), ['_kept', '_touched']);
      await s.close();
    });
  });
}

describe('SqliteWorkspaceStore beside the document store', () => {
  test('both open the same file; migration 3 adds the workspace tables once', async () => {
    const file = path.join(dir.dir, 'shared.db');
    const documents = new SqliteStore(file);
    const workspaces = openWorkspaceStore(
      completeConfig({ Database: 'sqlite', DbFile: file }),
      now,
    );
    assert.equal(workspaces.kind, 'sqlite');
    await workspaces.create(record('_a'), member('_owner'));
    assert.equal(await documents.createDocument('doc', Buffer.from('x')), true);
    await workspaces.close();
    await documents.close();
    const db = new Database(file, { readonly: true });
    try {
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      assert.ok(tables.includes('workspaces') && tables.includes('workspace_members'));
      assert.ok(tables.includes('documents'));
    } finally {
      db.close();
    }
    const reopened = new SqliteWorkspaceStore(file);
    assert.equal((await reopened.get('_a'))?.name, 'Workspace _a');
    await reopened.close();
  });

  test('Database=memory chooses the memory backend', () => {
    const s = openWorkspaceStore(completeConfig({ Database: 'memory' }));
    assert.equal(s.kind, 'memory');
  });
});

describe('RedisWorkspaceStore shared by several hubs', () => {
  test('what one hub stores, another reads; members added from two hubs at once all stay', async () => {
    await connect().flushall();
    const [a, b] = [new RedisWorkspaceStore(connect()), new RedisWorkspaceStore(connect())];
    assert.equal(await a.create(record('_shared'), member('_owner')), true);
    assert.equal(await b.create(record('_shared'), member('_x')), false);
    assert.deepEqual(await b.get('_shared'), record('_shared'));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).putMember('_shared', member(`_m${i}`, i)),
      ),
    );
    const ids = (await a.members('_shared')).map((m) => m.id);
    assert.equal(ids.length, 21);
    assert.equal(new Set(ids).size, 21);
    assert.equal(await b.delete('_shared'), true);
    assert.equal(await a.get('_shared'), null);
    assert.equal(await a.putMember('_shared', member('_late')), false);
    await a.setCall('_shared', { late: true });
    assert.equal(await a.get('_shared'), null, 'a call set after the delete brings nothing back');
    assert.equal(await a.count(), 0);
  });
});
