// The DocumentStore contract on MariaDB, against a real server started for
// this file, plus what only a shared server must show: stores on separate
// pools (separate hubs) racing on one offset or one key budget, identifiers
// kept byte for byte, and the schema's migrations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mariaDbUnavailable, startMariaDb } from '../../test/mariadb-server';
import type { TestMariaDb } from '../../test/mariadb-server';
import { describeStoreContract } from '../../test/store-contract/contract';
import { completeConfig } from '../../config/load';
import { connectMariaDb, packetTooSmall } from './client';
import type { MariaDb } from './connection';
import { MariaDbStore } from './document-store';
import { MARIADB_MIGRATIONS, NewerMariaDbSchemaError } from './migrations';

describe('MariaDB', { skip: mariaDbUnavailable() }, () => {
  let server: TestMariaDb;
  /** One pool per simulated hub, all closed at the end. */
  const pools: MariaDb[] = [];
  const hub = async () => {
    const db = await connectMariaDb(server.connection);
    pools.push(db);
    return db;
  };
  let shared: MariaDb;

  before(async () => {
    server = await startMariaDb();
    shared = await hub();
  });
  after(async () => {
    for (const db of pools) await db.close();
    await server?.stop();
  });

  describeStoreContract('mariadb', async (options) => {
    await server.reset();
    const store = new MariaDbStore(shared, options);
    return { store, cleanup: () => store.close() };
  });

  describe('MariaDbStore shared by several hubs', () => {
    test('appends racing on one offset from separate pools: exactly one wins', async () => {
      await server.reset();
      const stores = await Promise.all([0, 1, 2].map(async () => new MariaDbStore(await hub())));
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
      const stores = await Promise.all([0, 1, 2, 3].map(async () => new MariaDbStore(await hub())));
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
      const [writer, reader] = [new MariaDbStore(await hub()), new MariaDbStore(await hub())];
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

  describe('sizes on MariaDB', () => {
    test("an append as large as MaxMessageBytes (8 MiB) is stored within the server's default max_allowed_packet (16 MiB)", async () => {
      await server.reset();
      const store = new MariaDbStore(shared);
      await store.createDocument('large', Buffer.from('x'));
      const data = Buffer.alloc(8 * 2 ** 20, 7);
      assert.deepEqual(await store.appendIfLength('large', 1, data), {
        status: 'ok',
        length: 1 + data.length,
      });
      const r = await store.loadDocument('large', 'never-create', new Uint8Array(), 1);
      assert.ok(r.status === 'ok' && Buffer.from(r.tail).equals(data));
    });

    test('a max_allowed_packet below the largest row the hub may write is said at start, with what to set', async () => {
      const defaults = completeConfig({});
      const warning = await packetTooSmall(shared, defaults);
      assert.match(warning ?? '', /max_allowed_packet is 16MiB/);
      assert.match(warning ?? '', /set max_allowed_packet=65M on the server/);
      const small = { ...defaults, YjsMaxRoomBytes: 8 * 2 ** 20 };
      assert.equal(await packetTooSmall(shared, small), undefined);
    });
  });

  test("a statement longer than the pool's query timeout (DbQueryTimeoutSeconds) fails", async () => {
    const db = await connectMariaDb({ ...server.connection, queryTimeoutMs: 1000 });
    pools.push(db);
    await assert.rejects(db.rows('SELECT SLEEP(5)'), /timeout/i);
    // The pool goes on with a new connection.
    assert.deepEqual(await db.rows('SELECT 1 AS one'), [{ one: 1 }]);
  });

  describe('identifiers on MariaDB', () => {
    test('document IDs differing only in case or a trailing space are different documents', async () => {
      await server.reset();
      const store = new MariaDbStore(shared);
      for (const id of ['Doc', 'doc', 'doc ', 'dóc', '文档']) {
        assert.equal(await store.createDocument(id, Buffer.from(id)), true, id);
      }
      for (const id of ['Doc', 'doc', 'doc ', 'dóc', '文档']) {
        const r = await store.loadDocument(id, 'never-create', new Uint8Array(), 0);
        assert.equal(r.status === 'ok' && Buffer.from(r.tail).toString(), id);
      }
    });

    test('key names are bytes: names that are not UTF-8 come back as they went in', async () => {
      await server.reset();
      const store = new MariaDbStore(shared);
      await store.createDocument('bytes', Buffer.from('x'));
      const name = Uint8Array.from([0xff, 0x00, 0x41, 0xc3]);
      assert.equal(
        await store.setDocumentKey('bytes', 0, { name, value: Uint8Array.from([1]), version: 1 }),
        'ok',
      );
      const [key] = await store.getDocumentKeys('bytes');
      assert.deepEqual([...key!.name], [...name]);
    });
  });

  describe('the MariaDB schema', () => {
    test('is recorded in lanboard_schema as the number of migrations; hubs starting together migrate once', async () => {
      const tables = (await server.admin(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'lanboard_test'",
      )) as { name: string }[];
      await server.admin(
        'SET foreign_key_checks = 0',
        `DROP TABLE ${tables.map((t) => t.name).join(', ')}`,
      );
      await Promise.all([hub(), hub(), hub()]);
      assert.deepEqual(await server.admin('SELECT version FROM lanboard_schema'), [
        { version: MARIADB_MIGRATIONS.length },
      ]);
      const now = (await server.admin(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'lanboard_test'",
      )) as { name: string }[];
      assert.ok(now.some((t) => t.name === 'documents'));
    });

    test('a newer schema than this Lanboard knows is refused, and nothing is changed', async () => {
      await hub();
      await server.admin(`UPDATE lanboard_schema SET version = ${MARIADB_MIGRATIONS.length + 1}`);
      try {
        await assert.rejects(connectMariaDb(server.connection), NewerMariaDbSchemaError);
        assert.deepEqual(await server.admin('SELECT version FROM lanboard_schema'), [
          { version: MARIADB_MIGRATIONS.length + 1 },
        ]);
      } finally {
        await server.admin(`UPDATE lanboard_schema SET version = ${MARIADB_MIGRATIONS.length}`);
      }
    });
  });
});
