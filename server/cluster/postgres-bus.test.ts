// Hubs on one real PostgreSQL (Database=postgresql), the bus on LISTEN/NOTIFY
// (cluster/postgres-bus.ts), with real clients: the LISTEN connections killed
// by the server (pg_terminate_backend) are opened again and no append made
// meanwhile is lost; a message too big for a notification crosses through
// bus_payloads; a hub killed outright has its clients' keys cleared by the
// survivor. What three hubs share is in scale-out.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { killAllHubs, spawnHub } from '../test/child-hub';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { postgresUnavailable, startPostgres } from '../test/postgres-server';
import type { TestPostgres } from '../test/postgres-server';
import { waitFor } from '../test/sse-client';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import { setKeyMessage, ZwibblerClient } from '../test/zwibbler-client';
import { ZwibblerWriter } from '../test/zwibbler-writer';

describe('hubs on one PostgreSQL', { skip: postgresUnavailable() }, () => {
  let server: TestPostgres;
  const hubs: TestHub[] = [];
  const closers: (() => unknown)[] = [];
  const url = (i: number) => `${hubs[i]!.wsUrl}/socket`;

  before(async () => {
    server = await startPostgres();
    for (let i = 0; i < 2; i++) hubs.push(await startHub({ ...server.settings }));
  });
  after(async () => {
    for (const close of closers) await close();
    for (const hub of hubs) await hub.stop();
    await killAllHubs();
    await server?.stop();
  });

  const listeners = async () =>
    Number(
      (
        await server.admin(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'lanboard-listen-%'",
        )
      ).rows[0].n,
    );

  const provider = async (i: number, room: string): Promise<TestProvider> => {
    const p = openProvider(hubs[i]!.wsUrl, room);
    closers.push(() => p.destroy());
    await p.synced();
    return p;
  };

  test('LISTEN connections killed by the server: opened again, and no append made meanwhile is lost', async () => {
    const a = await ZwibblerWriter.join(url(0), { docId: 'killed', initialData: 'start' });
    const b = await ZwibblerWriter.join(url(1), { docId: 'killed' });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    const boardA = await provider(0, 'killed-room');
    const boardB = await provider(1, 'killed-room');
    await a.write('before;');
    await b.reach(a.end);
    assert.equal(await listeners(), 2);

    // New connections are refused for a while, so that the edits below are
    // made while neither hub hears the other (connections already open, the
    // pools', go on working).
    await server.admin('ALTER ROLE lanboard NOLOGIN');
    const killed = await server.admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'lanboard-listen-%'",
    );
    assert.equal(killed.rowCount, 2);
    // Each is stored, then told to nobody.
    await a.write('during;');
    boardA.doc.getText('t').insert(0, 'during');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!b.bytes().includes('during;'), 'not heard');
    assert.equal(boardB.doc.getText('t').toString(), '', 'not heard');
    await server.admin('ALTER ROLE lanboard LOGIN');

    for (const deadline = Date.now() + 10_000; (await listeners()) !== 2;) {
      assert.ok(Date.now() < deadline, 'LISTEN connections reopened');
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([a.reach(b.end), b.reach(a.end)]);
    assert.deepEqual(a.bytes(), b.bytes());
    for (const w of [a, b]) {
      for (const ack of w.acked) {
        assert.deepEqual(a.bytes().subarray(ack.offset, ack.offset + ack.data.length), ack.data);
      }
    }
    assert.equal(a.acked.length, 2);
    await waitFor(
      () => boardB.doc.getText('t').toString() === 'during',
      10_000,
      'the Yjs edit made during the gap did not reach the other hub',
    );

    // And the bus carries live edits again, without a reconnect of the clients.
    await b.write('after;');
    await a.reach(b.end);
    boardB.doc.getText('t').insert(6, ' and after');
    await waitFor(
      () => boardA.doc.getText('t').toString() === 'during and after',
      10_000,
      'a Yjs edit after the gap did not cross',
    );
  });

  test('a message too big for a notification (8000 bytes) crosses through bus_payloads', async () => {
    const a = await ZwibblerWriter.join(url(0), { docId: 'big', initialData: 'start' });
    const b = await ZwibblerWriter.join(url(1), { docId: 'big' });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    const boardA = await provider(0, 'big-room');
    const boardB = await provider(1, 'big-room');
    const big = 'x'.repeat(50_000);
    await a.write(big);
    await b.reach(a.end);
    assert.deepEqual(b.bytes(), a.bytes());
    boardA.doc.getText('t').insert(0, big);
    await waitFor(
      () => boardB.doc.getText('t').length === big.length,
      10_000,
      'the big Yjs update did not cross',
    );
    const stored = await server.admin('SELECT count(*) AS n FROM lanboard.bus_payloads');
    assert.ok(Number(stored.rows[0].n) >= 2, 'both went through the table');
  });

  test('a hub killed outright: its clients resume on the other, and its client keys are cleared', async () => {
    const doomed = await spawnHub(['--db', 'postgresql'], {
      LANBOARD_DB_SERVER: server.settings.DbServer,
      LANBOARD_DB_USER: server.settings.DbUser,
      LANBOARD_DB_PASSWORD: server.settings.DbPassword,
      LANBOARD_DB_NAME: server.settings.DbName,
    });
    const a = await ZwibblerWriter.join(`${doomed.wsUrl}/socket`, {
      docId: 'failover',
      initialData: 'start',
    });
    const watcher = await ZwibblerClient.join(url(0), { docId: 'failover' });
    closers.push(
      () => a.close(),
      () => watcher.close(),
    );
    a.client.send(setKeyMessage({ name: 'cursor', value: 'a was here', newVersion: 1 }));
    assert.equal((await watcher.nextOf('key-information')).keys.length, 1);
    await a.write('a0;');
    await doomed.stop('SIGKILL');

    await a.reconnect(url(1), 'failover');
    await a.write('a1;');
    assert.equal(a.acked.length, 2);
    // Cleared by the survivor that claims the dead hub (presence, 6 s without a beat).
    const cleared = await watcher.nextOf('key-information', 20_000);
    assert.deepEqual(
      cleared.keys.map((k) => [Buffer.from(k.name).toString(), k.version, k.value.length]),
      [['cursor', 2, 0]],
    );
    const rows = await server.admin('SELECT count(*) AS n FROM lanboard.session_keys');
    assert.equal(Number(rows.rows[0].n), 0);
  });
});
