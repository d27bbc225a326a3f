// Write faults are loud for Zwibbler too (docs/operating.md#when-a-write-fails):
// when the hub's SQLite file cannot take an append or a document key (really
// full: see test/full-disk.ts), the writer gets ERROR `internal storage error`
// and a 1011 close, nothing is acknowledged or sent to anyone, /healthz and
// /socket?ping answer 503 with the reason, the document is still served to
// readers, and once the file has room again a rejoined writer's write is
// stored and both are ok. On a read-only file (PRAGMA query_only) the same,
// and once it is writable the fault clears by itself, with nobody writing:
// the store's background probe.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminCall } from '../../test/admin-client';
import { PROBE_MS } from '../../hub/faulty-writes';
import { FillableDocumentStore, watchFaults } from '../../test/full-disk';
import { startHub, tempDir } from '../../test/hub-fixture';
import { setKeyMessage, ZwibblerClient } from '../../test/zwibbler-client';

const ADMIN_TOKEN = 'write-faults-admin-token';
const dir = tempDir('lanboard-zwibbler-full-');
const clients: ZwibblerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  dir.remove();
});

interface Health {
  status: string;
  failedWrites?: { what: string; reason: string }[];
}

async function join(wsUrl: string, docId: string): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(`${wsUrl}/socket`, { docId });
  clients.push(c);
  return c;
}

const text = (m: { data?: Uint8Array }) => Buffer.from(m.data ?? []).toString();

test('an append the store cannot take: ERROR and 1011 for the writer, nothing sent to others, /healthz 503 until an append is stored again', async () => {
  const file = path.join(dir.dir, 'hub.db');
  const store = new FillableDocumentStore(file);
  const hub = await startHub({ Database: 'sqlite', DbFile: file }, { store });
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const writer = await join(hub.wsUrl, 'lesson');
    const observer = await join(hub.wsUrl, 'lesson');
    writer.append(0, 'stored;');
    assert.equal((await writer.nextOf('ack-nack')).status, 1);
    assert.equal(text(await observer.nextOf('append')), 'stored;');
    assert.equal((await health()).status, 200);

    store.fill();
    // Larger than a page: it needs new ones.
    writer.append(7, 'x'.repeat(50_000));
    const error = await writer.nextOf('error');
    assert.equal(error.code, 0);
    assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
    const closed = await writer.closed;
    assert.equal(closed.code, 1011);
    assert.equal(
      writer.messages.filter((m) => m.type === 'ack-nack').length,
      1,
      'the failed append was not acknowledged',
    );
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.status, 'error');
    assert.deepEqual(
      failing.body.failedWrites?.map((f) => f.what),
      ['Zwibbler documents'],
    );
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /full/);
    assert.ok(await observer.quiet(300), 'nobody is sent what was not stored');
    const ping = await fetch(`${hub.httpUrl}/socket?ping`);
    assert.equal(ping.status, 503);
    assert.match(await ping.text(), /^Storage failing: Zwibbler documents: .*full.*\n$/);

    // Reads are still served: a reader joins and gets what was stored.
    const reader = await join(hub.wsUrl, 'lesson');
    assert.equal(text(reader.messages[0] as { data: Uint8Array }), 'stored;');
    assert.equal((await health()).status, 503, 'a read does not clear the fault');

    // Room again: the writer comes back, its append is stored and sent, and the hub is healthy.
    store.empty();
    const again = await join(hub.wsUrl, 'lesson');
    again.append(7, 'after;');
    assert.equal((await again.nextOf('ack-nack')).status, 1);
    assert.equal(text(await observer.nextOf('append')), 'after;');
    const healthy = await health();
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.failedWrites, undefined);
    const pong = await fetch(`${hub.httpUrl}/socket?ping`);
    assert.equal(pong.status, 200);
    assert.equal(await pong.text(), 'OK');
  } finally {
    await hub.stop();
  }
});

test('a document key the store cannot take: ERROR and 1011 for the setter, nobody is sent it, /healthz 503 until a key is stored', async () => {
  const file = path.join(dir.dir, 'keys.db');
  const store = new FillableDocumentStore(file);
  const hub = await startHub({ Database: 'sqlite', DbFile: file }, { store });
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const setter = await join(hub.wsUrl, 'keys');
    const observer = await join(hub.wsUrl, 'keys');

    store.fill();
    // A value larger than a page: it needs new ones.
    setter.send(
      setKeyMessage({ name: 'notes', value: 'n'.repeat(50_000), lifetime: 1, newVersion: 1 }),
    );
    const error = await setter.nextOf('error');
    assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
    assert.equal((await setter.closed).code, 1011);
    assert.equal(
      setter.messages.filter((m) => m.type === 'set-key-ack-nack').length,
      0,
      'the key was not acknowledged',
    );
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.failedWrites?.[0]?.what, 'Zwibbler documents');
    assert.ok(await observer.quiet(300), 'nobody is sent a key that was not stored');

    store.empty();
    const again = await join(hub.wsUrl, 'keys');
    again.send(setKeyMessage({ name: 'notes', value: 'stored', lifetime: 1, newVersion: 1 }));
    assert.equal((await again.nextOf('set-key-ack-nack')).accepted, true);
    const keys = await observer.nextOf('key-information');
    assert.equal(Buffer.from(keys.keys[0]!.value).toString(), 'stored');
    assert.equal((await health()).status, 200);
  } finally {
    await hub.stop();
  }
});

test('on a read-only file: ERROR and 1011 for a writer, readers still load the document, and the fault clears by itself once writable, with nobody writing', async () => {
  const file = path.join(dir.dir, 'read-only.db');
  const store = new FillableDocumentStore(file);
  const hub = await startHub(
    { Database: 'sqlite', DbFile: file, AdminToken: ADMIN_TOKEN },
    { store },
  );
  const faults = watchFaults(hub.httpUrl, ADMIN_TOKEN);
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const writer = await join(hub.wsUrl, 'lesson');
    writer.append(0, 'stored;');
    assert.equal((await writer.nextOf('ack-nack')).status, 1);

    store.readOnly();
    writer.append(7, 'refused;');
    const error = await writer.nextOf('error');
    assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
    assert.equal((await writer.closed).code, 1011);
    assert.equal(writer.messages.filter((m) => m.type === 'ack-nack').length, 1);
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.failedWrites?.[0]?.what, 'Zwibbler documents');
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /readonly/);

    // Reads are served: a reader joins and gets what was stored, and nothing else.
    const reader = await join(hub.wsUrl, 'lesson');
    assert.equal(text(reader.messages[0] as { data: Uint8Array }), 'stored;');
    // The background probe fails too while the file is read-only: the fault stays.
    await new Promise((r) => setTimeout(r, PROBE_MS * 2.5));
    assert.equal((await health()).status, 503, 'a failing probe keeps the fault');

    // Writable again, and nobody writes: the probe clears the fault everywhere.
    store.writable();
    await faults.cleared();
    const healthy = await health();
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.failedWrites, undefined);
    assert.equal(await (await fetch(`${hub.httpUrl}/socket?ping`)).text(), 'OK');
    assert.equal(text(reader.messages[0] as { data: Uint8Array }), 'stored;');
    assert.equal(reader.messages.length, 1, 'the probe wrote nothing anyone is sent');
  } finally {
    faults.close();
    await hub.stop();
  }
});
