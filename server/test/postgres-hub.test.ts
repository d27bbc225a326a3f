// A hub on PostgreSQL (Database=postgresql), against a real server started for
// this file, with real clients: what it stores survives the hub, and a
// PostgreSQL that is stopped is a loud fault (docs/operating.md#when-a-write-fails):
// the Zwibbler writer gets ERROR and 1011 with nothing acknowledged, /healthz
// answers 503 and /socket?ping 500 (as zwibserve's does), and all is well again once the server is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import { adminCall } from './admin-client';
import { killAllHubs, runCli } from './child-hub';
import { freePort, startHub, tempDir } from './hub-fixture';
import { postgresUnavailable, startPostgres } from './postgres-server';
import type { TestPostgres } from './postgres-server';
import { openProvider } from './yjs-client';
import { setKeyMessage, ZwibblerClient } from './zwibbler-client';

const text = (m: { data?: Uint8Array }) => Buffer.from(m.data ?? []).toString();

describe('a hub on PostgreSQL', { skip: postgresUnavailable() }, () => {
  let server: TestPostgres;
  const clients: ZwibblerClient[] = [];
  const join = async (wsUrl: string, docId: string) => {
    const c = await ZwibblerClient.join(`${wsUrl}/socket`, { docId });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  test('keeps Zwibbler documents, their keys and Yjs rooms across a restart of the hub', async () => {
    let hub = await startHub({ ...server.settings });
    const writer = await join(hub.wsUrl, 'lesson');
    writer.append(0, 'first;');
    assert.equal((await writer.nextOf('ack-nack')).status, 1);
    writer.send(setKeyMessage({ lifetime: 1, newVersion: 1, name: 'title', value: 'Maths' }));
    assert.equal((await writer.nextOf('set-key-ack-nack')).accepted, true);
    const board = openProvider(hub.wsUrl, 'room-1');
    await board.synced();
    board.doc.getArray<string>('strokes').push(['circle']);
    // The hub stores before it tells anyone: a second client that sees it, sees it stored.
    const watcher = openProvider(hub.wsUrl, 'room-1');
    await watcher.synced();
    while (watcher.doc.getArray('strokes').length === 0)
      await new Promise((r) => setTimeout(r, 20));
    board.destroy();
    watcher.destroy();
    await writer.close();
    await hub.stop();

    hub = await startHub({ ...server.settings });
    try {
      const reader = await join(hub.wsUrl, 'lesson');
      assert.equal(text(reader.messages[0] as { data: Uint8Array }), 'first;');
      const keys = await reader.nextOf('key-information');
      assert.deepEqual(
        keys.keys.map((k) => [Buffer.from(k.name).toString(), Buffer.from(k.value).toString()]),
        [['title', 'Maths']],
      );
      const again = openProvider(hub.wsUrl, 'room-1', { doc: new Y.Doc() });
      await again.synced();
      assert.deepEqual(again.doc.getArray('strokes').toArray(), ['circle']);
      again.destroy();
    } finally {
      await hub.stop();
    }
  });

  test('a stopped PostgreSQL: ERROR and 1011 for the writer, nothing acknowledged, /healthz 503 and ?ping 500; well again once it is back', async () => {
    const hub = await startHub({ ...server.settings });
    try {
      const health = () => adminCall<{ status: string }>(hub.httpUrl, '/healthz');
      const writer = await join(hub.wsUrl, 'outage');
      writer.append(0, 'before;');
      assert.equal((await writer.nextOf('ack-nack')).status, 1);
      assert.equal((await health()).status, 200);

      await server.down();
      writer.append(7, 'during;');
      const error = await writer.nextOf('error', 20_000);
      assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
      assert.equal((await writer.closed).code, 1011);
      assert.equal(writer.messages.filter((m) => m.type === 'ack-nack').length, 1);
      assert.equal((await health()).status, 503);
      // As zwibserve answers when its database does not: 500.
      const ping = await fetch(`${hub.httpUrl}/socket?ping`);
      assert.equal(ping.status, 500);
      assert.equal(await ping.text(), 'Database health check failed\n');

      await server.up();
      const back = await join(hub.wsUrl, 'outage');
      assert.equal(text(back.messages[0] as { data: Uint8Array }), 'before;');
      back.append(7, 'after;');
      assert.equal((await back.nextOf('ack-nack')).status, 1);
      const healthy = await health();
      assert.equal(healthy.status, 200, JSON.stringify(healthy.body));
    } finally {
      await hub.stop();
    }
  });

  test('DbSslMode=require against a server without TLS: a clear error at start, naming the server', async () => {
    await assert.rejects(startHub({ ...server.settings, DbSslMode: 'require' }), (err: Error) => {
      assert.match(err.message, /^Database=postgresql: cannot use database "lanboard_test"/);
      assert.match(err.message, /does not support SSL/);
      return true;
    });
  });

  test('DbPoolSize bounds the connections a hub opens for its stores', async () => {
    const hub = await startHub({ ...server.settings, DbPoolSize: 2 });
    try {
      const writers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => join(hub.wsUrl, `pool-${i}`)),
      );
      writers.forEach((w) => w.append(0, 'x'));
      for (const w of writers) assert.equal((await w.nextOf('ack-nack')).status, 1);
      const { rows } = await server.admin(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'lanboard'",
      );
      assert.ok(Number(rows[0].n) <= 2, `${rows[0].n} pool connections`);
    } finally {
      await hub.stop();
    }
  });
});

test('lanboard backup with Database=postgresql: exit 2, one line naming pg_dump', async () => {
  const r = await runCli(['backup'], {
    LANBOARD_DATABASE: 'postgresql',
    LANBOARD_LOG_LEVEL: 'silent',
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /Database=postgresql: back the database up with pg_dump/);
});

test('a PostgreSQL that cannot be reached at start: exit 2 and one line naming the server, database and user', async () => {
  const port = await freePort(); // nothing listens there
  const dataDir = tempDir('lanboard-pg-unreachable-');
  try {
    const r = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--no-mdns'], {
      // Its own folder: the hub writes its admin token before it reaches the database.
      LANBOARD_DATA_DIR: dataDir.dir,
      LANBOARD_DATABASE: 'postgres',
      LANBOARD_DB_SERVER: `127.0.0.1:${port}`,
      LANBOARD_DB_USER: 'lanboard',
      LANBOARD_DB_PASSWORD: 'not-shown',
      LANBOARD_LOG_LEVEL: 'silent',
    });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    for (const part of [
      'Database=postgresql',
      `127.0.0.1:${port}`,
      '"zwibbler"',
      '"lanboard"',
      'ECONNREFUSED',
    ]) {
      assert.ok(lines[0]!.includes(part), `${part} in ${lines[0]}`);
    }
    assert.ok(!r.stderr.includes('not-shown'));
  } finally {
    await killAllHubs();
    dataDir.remove();
  }
});
