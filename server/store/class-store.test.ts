// The ClassroomStore contract on every backend: memory, SQLite, Redis, a
// real three-node Redis Cluster, PostgreSQL and MariaDB. What sharing needs is raced through a second
// handle on the same data (a second SQLite connection, a second Redis client):
// joins never pass the class limit, and every Yjs client ID gets one owner.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { completeConfig } from '../config/load';
import { redisReady } from './redis-connection';
import { tempDir } from '../test/hub-fixture';
import { mariaDbForSuites } from '../test/mariadb-server';
import { postgresForSuites } from '../test/postgres-server';
import { startRedis, startRedisCluster } from '../test/redis-server';
import type { TestRedis, TestRedisCluster } from '../test/redis-server';
import { hashToken } from '../classroom/codes';
import { MariaDbClassroomStore } from './mariadb/class-store';
import { MemoryClassroomStore } from './memory-class-store';
import { PostgresClassroomStore } from './postgres/postgres-class-store';
import { openClassroomStore } from './open-store';
import { RedisClassroomStore } from './redis-class-store';
import { SqliteClassroomStore } from './sqlite-class-store';
import type { Classroom, ClassroomStore, Member, Role } from './class-store';

const T0 = 1_000_000;

const classroom = (code: string, createdAt = T0, lastAccess = createdAt): Classroom => ({
  code,
  title: `Class ${code}`,
  createdAt,
  lastAccess,
  viewOnly: false,
  locked: false,
  joinOpen: true,
  chatOpen: false,
  boardMode: 'shared',
  presentation: null,
  teacherToken: `teacher-token-${code}`,
});

const member = (code: string, id: string, role: Role = 'student'): Member => ({
  id,
  code,
  name: `Name of ${id}`,
  role,
  viewOnly: false,
  removed: false,
  waiting: false,
  joinedAt: T0,
});

/** Each member's token is derived from its ID, so tests can look it up. */
const tokenOf = (id: string) => hashToken(`token-${id}`);

const teacherOf = (code: string) => member(code, `t-${code}`, 'teacher');

/** A class with its teacher, created in `store`. */
async function createClass(store: ClassroomStore, c: Classroom): Promise<Member> {
  const teacher = teacherOf(c.code);
  assert.equal(await store.create(c, teacher, tokenOf(teacher.id)), true);
  return teacher;
}

async function join(store: ClassroomStore, code: string, id: string, max = 100) {
  return store.addMember(member(code, id), tokenOf(id), max);
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

let redis: TestRedis;
let cluster: TestRedisCluster;
const postgres = postgresForSuites();
const mariadb = mariaDbForSuites();
before(async () => {
  [redis, cluster] = await Promise.all([
    startRedis(),
    startRedisCluster(3),
    postgres.start(),
    mariadb.start(),
  ]);
});
after(async () => {
  await redis.stop();
  await cluster.stop();
  await postgres.stop();
  await mariadb.stop();
});

interface Opened {
  store: ClassroomStore;
  /** Another handle on the same data, as a second hub would have. */
  peer(): Promise<ClassroomStore>;
  cleanup(): Promise<void>;
}

interface Backend {
  name: string;
  /** Why this backend cannot run here. */
  skip?: string;
  open(now: () => number): Promise<Opened>;
}

/** Stores on Redis clients made by `connect`, closed together. */
async function redisBackend(
  connect: () => Promise<Redis | Cluster>,
  now: () => number,
): Promise<Opened> {
  const clients: (Redis | Cluster)[] = [];
  const open = async () => {
    const client = await connect();
    clients.push(client);
    return new RedisClassroomStore(client, { now });
  };
  const store = await open();
  return { store, peer: open, cleanup: async () => clients.forEach((c) => c.disconnect()) };
}

const backends: Backend[] = [
  {
    name: 'memory',
    async open(now) {
      const store = new MemoryClassroomStore({ now });
      return { store, peer: async () => store, cleanup: () => store.close() };
    },
  },
  {
    name: 'sqlite',
    async open(now) {
      const dir = tempDir();
      const file = path.join(dir.dir, 'classes.db');
      const stores = [new SqliteClassroomStore(file, { now })];
      return {
        store: stores[0]!,
        async peer() {
          stores.push(new SqliteClassroomStore(file, { now }));
          return stores.at(-1)!;
        },
        async cleanup() {
          for (const s of stores) await s.close();
          dir.remove();
        },
      };
    },
  },
  {
    name: 'redis',
    async open(now) {
      await withRedis((client) => client.flushall());
      return redisBackend(async () => new Redis({ host: '127.0.0.1', port: redis.port }), now);
    },
  },
  {
    name: 'redis cluster',
    async open(now) {
      const connect = async () => {
        const client = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
        await redisReady(client);
        return client;
      };
      const flusher = await connect();
      await Promise.all(flusher.nodes('master').map((node) => node.flushall()));
      flusher.disconnect();
      return redisBackend(connect, now);
    },
  },
  {
    name: 'postgresql',
    skip: postgres.skip,
    async open(now) {
      const store = new PostgresClassroomStore(await postgres.fresh(), { now });
      return {
        store,
        peer: async () => new PostgresClassroomStore(await postgres.peer(), { now }),
        cleanup: () => store.close(),
      };
    },
  },
  {
    name: 'mariadb',
    skip: mariadb.skip,
    async open(now) {
      const store = new MariaDbClassroomStore(await mariadb.fresh(), { now });
      return {
        store,
        peer: async () => new MariaDbClassroomStore(await mariadb.peer(), { now }),
        cleanup: () => store.close(),
      };
    },
  },
];

async function withRedis(use: (client: Redis) => Promise<unknown>): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    await use(client);
  } finally {
    client.disconnect();
  }
}

for (const backend of backends) {
  describe(`ClassroomStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    const clock = { now: T0 };
    let opened: Opened;
    let store: ClassroomStore;
    beforeEach(async () => {
      clock.now = T0;
      opened = await backend.open(() => clock.now);
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    test('create stores the class and its teacher; a taken code is refused', async () => {
      const teacher = await createClass(store, classroom('ABCDEF'));
      assert.deepEqual(await store.get('ABCDEF'), classroom('ABCDEF'));
      assert.deepEqual(await store.members('ABCDEF'), [teacher]);
      assert.deepEqual(await store.memberByTokenHash(tokenOf(teacher.id)), teacher);

      const intruder = member('ABCDEF', 'intruder', 'teacher');
      const again = { ...classroom('ABCDEF', T0 + 5), title: 'Other' };
      assert.equal(await store.create(again, intruder, tokenOf(intruder.id)), false);
      assert.deepEqual(await store.get('ABCDEF'), classroom('ABCDEF'));
      assert.deepEqual(await store.members('ABCDEF'), [teacher]);
      assert.equal(await store.memberByTokenHash(tokenOf(intruder.id)), null);
      assert.equal(await store.get('GHJKMN'), null);
    });

    test('list is most recently created first', async () => {
      await createClass(store, classroom('AAAAAA', T0));
      await createClass(store, classroom('CCCCCC', T0 + 20));
      await createClass(store, classroom('BBBBBB', T0 + 10));
      assert.deepEqual(
        (await store.list()).map((c) => c.code),
        ['CCCCCC', 'BBBBBB', 'AAAAAA'],
      );
      assert.deepEqual((await store.list())[0], classroom('CCCCCC', T0 + 20));
    });

    test('update changes only the fields given and returns the class; null when missing', async () => {
      await createClass(store, classroom('ABCDEF'));
      const locked = { ...classroom('ABCDEF'), locked: true };
      assert.deepEqual(await store.update('ABCDEF', { locked: true }), locked);
      const patched = {
        ...locked,
        title: 'Fractions',
        viewOnly: true,
        joinOpen: false,
        chatOpen: true,
      };
      assert.deepEqual(
        await store.update('ABCDEF', {
          title: 'Fractions',
          viewOnly: true,
          joinOpen: false,
          chatOpen: true,
        }),
        patched,
      );
      assert.deepEqual(await store.update('ABCDEF', { title: undefined, locked: false }), {
        ...patched,
        locked: false,
      });
      assert.deepEqual(await store.update('ABCDEF', {}), { ...patched, locked: false });
      assert.deepEqual(await store.get('ABCDEF'), { ...patched, locked: false });

      assert.equal(await store.update('GHJKMN', { title: 'Nobody' }), null);
      assert.equal(await store.get('GHJKMN'), null, 'update does not create a class');
    });

    test('the board mode: a new class has one shared board; the teacher switches it both ways', async () => {
      await createClass(store, classroom('ABCDEF'));
      await createClass(store, { ...classroom('GHJKMN'), boardMode: 'own' });
      assert.equal((await store.get('ABCDEF'))?.boardMode, 'shared');
      assert.equal((await store.get('GHJKMN'))?.boardMode, 'own', 'create keeps the given mode');

      const own = await store.update('ABCDEF', { boardMode: 'own' });
      assert.deepEqual(own, { ...classroom('ABCDEF'), boardMode: 'own' });
      assert.equal((await store.update('ABCDEF', { locked: true }))?.boardMode, 'own', 'kept');
      assert.deepEqual(
        (await store.list()).map((c) => [c.code, c.boardMode]),
        [
          ['GHJKMN', 'own'],
          ['ABCDEF', 'own'],
        ],
      );
      assert.equal((await store.update('ABCDEF', { boardMode: 'shared' }))?.boardMode, 'shared');
      assert.equal((await store.get('ABCDEF'))?.boardMode, 'shared');
      assert.equal((await store.get('GHJKMN'))?.boardMode, 'own', 'the other class is untouched');
    });

    test('the presentation: kept as given, through other changes, until cleared', async () => {
      await createClass(store, classroom('ABCDEF'));
      const presented = JSON.stringify({
        board: 'ABCDEF/amy',
        follow: { x: -12.5, y: 40, width: 1280, height: 720 },
      });
      const set = await store.update('ABCDEF', { presentation: presented });
      assert.deepEqual(set?.presentation, presented);
      assert.deepEqual((await store.update('ABCDEF', { locked: true }))?.presentation, presented);
      assert.deepEqual((await store.get('ABCDEF'))?.presentation, presented);
      assert.deepEqual((await store.list())[0]?.presentation, presented);
      const followOnly = '{"board":null,"follow":{"x":0,"y":0,"width":1,"height":1}}';
      assert.deepEqual(
        (await store.update('ABCDEF', { presentation: followOnly }))?.presentation,
        followOnly,
      );
      assert.equal((await store.update('ABCDEF', { presentation: null }))?.presentation, null);
      assert.deepEqual(await store.get('ABCDEF'), { ...classroom('ABCDEF'), locked: true });
    });

    test('members come in join order; member() finds one member of one class', async () => {
      const teacher = await createClass(store, classroom('ABCDEF'));
      await createClass(store, classroom('GHJKMN'));
      // Same joinedAt, and IDs out of alphabetical order: the order is the joins'.
      for (const id of ['zed', 'amy', 'max']) assert.equal(await join(store, 'ABCDEF', id), 'ok');
      assert.equal(await join(store, 'GHJKMN', 'bob'), 'ok');

      assert.deepEqual(await store.members('ABCDEF'), [
        teacher,
        member('ABCDEF', 'zed'),
        member('ABCDEF', 'amy'),
        member('ABCDEF', 'max'),
      ]);
      assert.deepEqual(await store.member('ABCDEF', 'amy'), member('ABCDEF', 'amy'));
      assert.equal(await store.member('GHJKMN', 'amy'), null);
      assert.equal(await store.member('ABCDEF', 'nobody'), null);
      assert.deepEqual(await store.members('PQRSTU'), []);
    });

    test('memberByTokenHash finds the member its token belongs to', async () => {
      await createClass(store, classroom('ABCDEF'));
      await createClass(store, classroom('GHJKMN'));
      await join(store, 'ABCDEF', 'amy');
      await join(store, 'GHJKMN', 'bob');
      assert.deepEqual(await store.memberByTokenHash(tokenOf('amy')), member('ABCDEF', 'amy'));
      assert.deepEqual(await store.memberByTokenHash(tokenOf('bob')), member('GHJKMN', 'bob'));
      assert.equal(await store.memberByTokenHash(tokenOf('nobody')), null);
    });

    test('updateMember sets viewOnly and removed, keeps the rest; null when missing', async () => {
      await createClass(store, classroom('ABCDEF'));
      await createClass(store, classroom('GHJKMN'));
      await join(store, 'ABCDEF', 'amy');
      await join(store, 'ABCDEF', 'max');
      const amy = member('ABCDEF', 'amy');

      assert.deepEqual(await store.updateMember('ABCDEF', 'amy', { viewOnly: true }), {
        ...amy,
        viewOnly: true,
      });
      assert.deepEqual(await store.updateMember('ABCDEF', 'amy', { removed: true }), {
        ...amy,
        viewOnly: true,
        removed: true,
      });
      const current = { ...amy, viewOnly: false, removed: true };
      assert.deepEqual(await store.updateMember('ABCDEF', 'amy', { viewOnly: false }), current);
      assert.deepEqual(await store.updateMember('ABCDEF', 'amy', {}), current);
      assert.deepEqual(await store.member('ABCDEF', 'amy'), current);
      assert.deepEqual(await store.memberByTokenHash(tokenOf('amy')), current);
      assert.deepEqual(await store.member('ABCDEF', 'max'), member('ABCDEF', 'max'));

      assert.equal(await store.updateMember('ABCDEF', 'nobody', { removed: true }), null);
      assert.equal(await store.updateMember('GHJKMN', 'amy', { removed: true }), null);
      assert.equal(await store.updateMember('PQRSTU', 'amy', { removed: true }), null);
      assert.equal(await store.member('GHJKMN', 'amy'), null);
    });

    test('a member added waiting is stored waiting; updateMember lets them in', async () => {
      await createClass(store, classroom('ABCDEF'));
      const tom = { ...member('ABCDEF', 'tom'), waiting: true };
      assert.equal(await store.addMember(tom, tokenOf('tom'), 100), 'ok');
      assert.deepEqual(await store.member('ABCDEF', 'tom'), tom);
      assert.deepEqual(await store.memberByTokenHash(tokenOf('tom')), tom);
      assert.deepEqual((await store.members('ABCDEF')).at(-1), tom);
      const letIn = { ...tom, waiting: false };
      assert.deepEqual(await store.updateMember('ABCDEF', 'tom', { waiting: false }), letIn);
      assert.deepEqual(await store.members('ABCDEF').then((m) => m.at(-1)), letIn);
    });

    test('addMember refuses a full class (teacher and removed members count) and a missing one', async () => {
      await createClass(store, classroom('ABCDEF'));
      assert.equal(await join(store, 'ABCDEF', 'amy', 3), 'ok');
      await store.updateMember('ABCDEF', 'amy', { removed: true });
      assert.equal(await join(store, 'ABCDEF', 'max', 3), 'ok');
      assert.equal(await join(store, 'ABCDEF', 'zed', 3), 'full');
      assert.equal(await store.member('ABCDEF', 'zed'), null);
      assert.equal(await store.memberByTokenHash(tokenOf('zed')), null);
      assert.equal((await store.members('ABCDEF')).length, 3);
      assert.equal(await join(store, 'ABCDEF', 'zed', 4), 'ok');

      assert.equal(await join(store, 'GHJKMN', 'bob'), 'missing');
      assert.equal(await store.memberByTokenHash(tokenOf('bob')), null);
      assert.deepEqual(await store.members('GHJKMN'), []);
    });

    test('a member ID already taken is an error, and the new token opens nothing', async () => {
      await createClass(store, classroom('ABCDEF'));
      assert.equal(await join(store, 'ABCDEF', 'amy'), 'ok');
      const twin = { ...member('ABCDEF', 'amy'), name: 'Twin' };
      await assert.rejects(store.addMember(twin, tokenOf('twin'), 100));
      assert.equal(await store.memberByTokenHash(tokenOf('twin')), null);
      assert.deepEqual(await store.member('ABCDEF', 'amy'), member('ABCDEF', 'amy'));
      assert.equal((await store.members('ABCDEF')).length, 2);
    });

    test('joins racing from two hubs never pass the limit', async () => {
      const peer = await opened.peer();
      await createClass(store, classroom('ABCDEF'));
      const results = await Promise.all(
        range(1, 20).map((i) => join(i % 2 ? store : peer, 'ABCDEF', `s${i}`, 8)),
      );
      assert.equal(results.filter((r) => r === 'ok').length, 7);
      assert.equal(results.filter((r) => r === 'full').length, 13);
      const members = await store.members('ABCDEF');
      assert.equal(members.length, 8);
      for (const [i, result] of results.entries()) {
        const joined = await peer.memberByTokenHash(tokenOf(`s${i + 1}`));
        assert.equal(joined !== null, result === 'ok', `s${i + 1}: ${result}`);
      }
    });

    test('claim: the first binding wins; members racing agree on every owner', async () => {
      const peer = await opened.peer();
      for (const room of ['ABCDEF', 'GHJKMN', 'PQRSTU', 'VWXYZ2']) {
        const [first, second] = await Promise.all([
          store.claim(room, range(1, 60), 'amy'),
          peer.claim(room, range(31, 90), 'max'),
        ]);
        assert.deepEqual([...first.keys()], range(1, 60));
        assert.deepEqual([...second.keys()], range(31, 90));
        for (const id of range(1, 30)) assert.equal(first.get(id), 'amy');
        for (const id of range(61, 90)) assert.equal(second.get(id), 'max');
        for (const id of range(31, 60)) {
          assert.ok(['amy', 'max'].includes(first.get(id)!), `${room} ${id}`);
          assert.equal(first.get(id), second.get(id), `${room} ${id}: one owner`);
        }
        const owners = await store.owners(room);
        assert.equal(owners.size, 90);
        for (const [id, owner] of [...first, ...second]) assert.equal(owners.get(id), owner);
      }

      const later = await store.claim('ABCDEF', [1, 95], 'zed');
      assert.equal(later.get(1), 'amy', 'a bound ID keeps its owner');
      assert.equal(later.get(95), 'zed');
      assert.deepEqual(await store.claim('ABCDEF', [], 'zed'), new Map());
      assert.deepEqual(await store.owners('KMNPQR'), new Map());
    });

    test('delete removes the class, its members, their token lookups and client ID owners', async () => {
      await createClass(store, classroom('ABCDEF'));
      await createClass(store, classroom('GHJKMN'));
      await join(store, 'ABCDEF', 'amy');
      await join(store, 'GHJKMN', 'bob');
      await store.claim('ABCDEF', [1, 2], 'amy');
      await store.claim('GHJKMN', [3], 'bob');

      assert.equal(await store.delete('ABCDEF'), true);
      assert.equal(await store.get('ABCDEF'), null);
      assert.deepEqual(await store.members('ABCDEF'), []);
      assert.equal(await store.member('ABCDEF', 'amy'), null);
      assert.equal(await store.memberByTokenHash(tokenOf('amy')), null);
      assert.equal(await store.memberByTokenHash(tokenOf(teacherOf('ABCDEF').id)), null);
      assert.deepEqual(await store.owners('ABCDEF'), new Map());
      assert.deepEqual(
        (await store.list()).map((c) => c.code),
        ['GHJKMN'],
      );
      assert.equal(await store.delete('ABCDEF'), false);

      // The other class is untouched, and the code can be used again, empty.
      assert.deepEqual(await store.memberByTokenHash(tokenOf('bob')), member('GHJKMN', 'bob'));
      assert.deepEqual(await store.owners('GHJKMN'), new Map([[3, 'bob']]));
      const teacher = await createClass(store, classroom('ABCDEF', T0 + 1));
      assert.deepEqual(await store.members('ABCDEF'), [teacher]);
      assert.deepEqual(await store.claim('ABCDEF', [1], 'zed'), new Map([[1, 'zed']]));
    });

    test('create keeps the given times; touch sets lastAccess to now', async () => {
      await createClass(store, classroom('ABCDEF', T0 - 500, T0 - 100));
      assert.deepEqual(await store.get('ABCDEF'), classroom('ABCDEF', T0 - 500, T0 - 100));
      clock.now = T0 + 50;
      await store.touch('ABCDEF');
      assert.deepEqual(await store.get('ABCDEF'), classroom('ABCDEF', T0 - 500, T0 + 50));
      await store.touch('GHJKMN');
      assert.equal(await store.get('GHJKMN'), null, 'touch does not create a class');
      assert.deepEqual(
        (await store.list()).map((c) => c.code),
        ['ABCDEF'],
      );
    });

    test('purgeExpired deletes classes unused since the cutoff, unless kept, with all they hold', async () => {
      await createClass(store, classroom('AGED22'));
      await createClass(store, classroom('KEPT22'));
      await createClass(store, classroom('USED22'));
      await join(store, 'AGED22', 'amy');
      await store.claim('AGED22', [7], 'amy');
      clock.now = T0 + 5000;
      await store.touch('USED22');
      await createClass(store, classroom('NEW222', clock.now));

      const gone = await store.purgeExpired(clock.now - 1000, (code) => code === 'KEPT22');
      assert.deepEqual(gone, ['AGED22']);
      assert.equal(await store.get('AGED22'), null);
      assert.deepEqual(await store.members('AGED22'), []);
      assert.equal(await store.memberByTokenHash(tokenOf('amy')), null);
      assert.deepEqual(await store.owners('AGED22'), new Map());
      assert.deepEqual((await store.list()).map((c) => c.code).sort(), [
        'KEPT22',
        'NEW222',
        'USED22',
      ]);
      assert.deepEqual(await store.purgeExpired(clock.now - 1000, (code) => code === 'KEPT22'), []);
      assert.deepEqual(await store.purgeExpired(clock.now - 1000, () => false), ['KEPT22']);
    });
  });
}

describe('SqliteClassroomStore', () => {
  test('classes, members, tokens and owners survive closing and reopening the file', async () => {
    const dir = tempDir();
    const file = path.join(dir.dir, 'classes.db');
    try {
      const first = new SqliteClassroomStore(file, { now: () => T0 + 7 });
      const teacher = await createClass(first, classroom('ABCDEF'));
      await join(first, 'ABCDEF', 'amy');
      await first.updateMember('ABCDEF', 'amy', { viewOnly: true });
      await first.update('ABCDEF', { locked: true, boardMode: 'own' });
      await first.touch('ABCDEF');
      await first.claim('ABCDEF', [5, 6], 'amy');
      await first.close();

      const reopened = new SqliteClassroomStore(file);
      try {
        const amy = { ...member('ABCDEF', 'amy'), viewOnly: true };
        assert.deepEqual(await reopened.get('ABCDEF'), {
          ...classroom('ABCDEF', T0, T0 + 7),
          locked: true,
          boardMode: 'own',
        });
        assert.deepEqual(await reopened.members('ABCDEF'), [teacher, amy]);
        assert.deepEqual(await reopened.memberByTokenHash(tokenOf('amy')), amy);
        assert.deepEqual(
          await reopened.owners('ABCDEF'),
          new Map([
            [5, 'amy'],
            [6, 'amy'],
          ]),
        );
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('openClassroomStore', () => {
  test('chooses the backend as the Yjs rooms do: memory, the SQLite file, or Redis', async () => {
    const memory = openClassroomStore(completeConfig({ Database: 'memory' }), Date.now);
    assert.equal(memory.kind, 'memory');
    await memory.close();

    const dir = tempDir();
    const DbFile = path.join(dir.dir, 'sub', 'hub.db');
    const sqlite = openClassroomStore(completeConfig({ Database: 'sqlite', DbFile }), Date.now);
    assert.ok(sqlite instanceof SqliteClassroomStore);
    assert.equal(sqlite.file, DbFile);
    await sqlite.close();
    dir.remove();

    await withRedis(async (client) => {
      const config = completeConfig({ Database: 'redis', DbServer: redis.server });
      const store = openClassroomStore(config, Date.now, client);
      assert.equal(store.kind, 'redis');
      await store.close();
    });
  });
});
