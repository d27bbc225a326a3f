// The DocumentStore contract on PostgreSQL, against a real server started for
// this file, plus what only a shared server must show: stores on separate
// pools (separate hubs) racing on one offset or one key budget, and the
// schema's migrations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, postgresUnavailable } from '../../test/postgres-server';
import type { TestPostgres } from '../../test/postgres-server';
import { describeStoreContract } from '../../test/store-contract/contract';
import { connectPostgres } from './postgres-client';
import type { PostgresDb } from './postgres-connection';
import { NewerPostgresSchemaError, POSTGRES_MIGRATIONS } from './postgres-migrations';
import { PostgresStore } from './postgres-store';

describe('PostgreSQL', { skip: postgresUnavailable() }, () => {
  let server: TestPostgres;
  /** One pool per simulated hub, all closed at the end. */
  const pools: PostgresDb[] = [];
  const hub = async () => {
    const db = await connectPostgres(server.connection);
    pools.push(db);
    return db;
  };
  let shared: PostgresDb;

  before(async () => {
    server = await startPostgres();
    shared = await hub();
  });
  after(async () => {
    for (const db of pools) await db.close();
    await server?.stop();
  });

  describeStoreContract('postgresql', async (options) => {
    await server.reset();
    const store = new PostgresStore(shared, options);
    return { store, cleanup: () => store.close() };
  });

  describe('PostgresStore shared by several hubs', () => {
    test('appends racing on one offset from separate pools: exactly one wins', async () => {
      await server.reset();
      const stores = await Promise.all([0, 1, 2].map(async () => new PostgresStore(await hub())));
      await stores[0]!.createDocument('race', Buffer.from('start'));
      for (let round = 0; round < 50; round++) {
        const length = (await stores[0]!.documentLength('race'))!;
        const results = await Promise.all(
          stores.map((s, i) => s.appendIfLength('race', length, Buffer.from(`${i}`))),
        );
        assert.equal(results.filter((r) => r.status === 'ok').length, 1, `round ${round}`);
        for (const r of results.filter((r) => r.status !== 'ok')) {
          assert.deepEqual(r, { status: 'conflict', length: length + 1 });
        }
      }
      const loaded = await stores[1]!.loadDocument('race', 'never-create', new Uint8Array(), 0);
      assert.equal(loaded.status === 'ok' && loaded.length, 5 + 50);
      assert.equal(loaded.status === 'ok' && loaded.tail.length, 5 + 50);
    });

    test('new keys racing from separate pools never pass the key budget together', async () => {
      await server.reset();
      const stores = await Promise.all(
        [0, 1, 2, 3].map(async () => new PostgresStore(await hub())),
      );
      await stores[0]!.createDocument('keys', Buffer.from('x'));
      const budget = { maxKeys: 3, maxBytes: 1000 };
      const results = await Promise.all(
        stores.map((s, i) =>
          s.setDocumentKey(
            'keys',
            0,
            { name: Buffer.from(`k${i}`), value: Buffer.from('v'), version: 1 },
            budget,
          ),
        ),
      );
      assert.equal(results.filter((r) => r === 'ok').length, 3);
      assert.equal(results.filter((r) => r === 'full').length, 1);
      assert.equal((await stores[0]!.getDocumentKeys('keys')).length, 3);
    });

    test('a load that races appends returns a tail that ends at the length it reports', async () => {
      await server.reset();
      const [writer, reader] = [new PostgresStore(await hub()), new PostgresStore(await hub())];
      await writer.createDocument('tail', Buffer.from('0'));
      let length = 1;
      const appends = (async () => {
        for (let i = 0; i < 200; i++) {
          const r = await writer.appendIfLength('tail', length, Buffer.from('ab'));
          assert.equal(r.status, 'ok');
          length += 2;
        }
      })();
      for (let i = 0; i < 100; i++) {
        const r = await reader.loadDocument('tail', 'never-create', new Uint8Array(), 0);
        assert.ok(r.status === 'ok' && r.tail.length === r.length, `read ${i}`);
      }
      await appends;
    });
  });

  describe('PostgresDb transactions', () => {
    test('a connection the server ends between two statements: the transaction rejects, and nothing throws outside it', async () => {
      const db = await hub();
      const work = db.transaction(async (query) => {
        const [me] = await query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await server.admin(`SELECT pg_terminate_backend(${me!.pid})`);
        // The server's notice arrives while no statement runs on the connection.
        await new Promise((r) => setTimeout(r, 300));
        await query('SELECT 1');
      });
      await assert.rejects(work);
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    });
  });

  describe('the PostgreSQL schema', () => {
    test('is recorded in lanboard_schema as the number of migrations; hubs starting together migrate once', async () => {
      await server.admin('DROP SCHEMA lanboard CASCADE');
      await server.admin('CREATE SCHEMA lanboard AUTHORIZATION lanboard');
      await Promise.all([hub(), hub(), hub()]);
      const { rows } = await server.admin('SELECT version FROM lanboard.lanboard_schema');
      assert.deepEqual(rows, [{ version: POSTGRES_MIGRATIONS.length }]);
      const tables = await server.admin(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'lanboard' ORDER BY tablename",
      );
      assert.ok(tables.rows.some((r: { tablename: string }) => r.tablename === 'documents'));
    });

    test('a newer schema than this Lanboard knows is refused, and nothing is changed', async () => {
      await hub();
      await server.admin(
        `UPDATE lanboard.lanboard_schema SET version = ${POSTGRES_MIGRATIONS.length + 1}`,
      );
      try {
        await assert.rejects(connectPostgres(server.connection), NewerPostgresSchemaError);
        const { rows } = await server.admin('SELECT version FROM lanboard.lanboard_schema');
        assert.deepEqual(rows, [{ version: POSTGRES_MIGRATIONS.length + 1 }]);
      } finally {
        await server.admin(
          `UPDATE lanboard.lanboard_schema SET version = ${POSTGRES_MIGRATIONS.length}`,
        );
      }
    });
  });
});
