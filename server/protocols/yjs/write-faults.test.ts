// Write faults are loud (docs/protocols/yjs.md#when-updates-are-stored): when
// the hub's SQLite file cannot take a Yjs room's updates (here really full:
// PRAGMA max_page_count on the hub's own connection, since tests run as root
// and file modes cannot fake it), the writer is told why and closed with 1011,
// further writes to the room are refused the same way, nobody is sent what
// was not stored, a newcomer meanwhile reads what is stored (and nothing
// else), and /healthz answers 503 with the reason until a write succeeds
// again; then the kept updates are stored and go out. The same on a read-only
// file (PRAGMA query_only), where a room nobody had open is read too.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import { adminCall, eventually } from '../../test/admin-client';
import { startHub, tempDir } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { FillableYjsStore } from '../../test/full-disk';
import { SqliteYjsStore } from '../../store/sqlite-yjs-store';
import { encodeSyncStep1, encodeUpdate } from './codec';

const dir = tempDir('lanboard-full-');
const providers: TestProvider[] = [];
after(() => {
  for (const p of providers) p.destroy();
  dir.remove();
});

interface Health {
  status: string;
  failedWrites?: { what: string; reason: string }[];
}

const text = (p: TestProvider) => p.doc.getText('t').toString();

test('a Yjs room whose updates cannot be stored refuses writes with 1011, serves newcomers what is stored, and /healthz says why until a write succeeds', async () => {
  const file = path.join(dir.dir, 'hub.db');
  const store = new FillableYjsStore(file);
  const hub = await startHub({ Database: 'sqlite', DbFile: file }, { yjsStore: store });
  try {
    const health = async () => (await adminCall<Health>(hub.httpUrl, '/healthz')).body;
    const writer = openProvider(hub.wsUrl, 'lesson');
    const reader = openProvider(hub.wsUrl, 'lesson');
    providers.push(writer, reader);
    await Promise.all([writer.synced(), reader.synced()]);
    writer.doc.getText('t').insert(0, 'stored;');
    await waitFor(() => text(reader) === 'stored;', 10_000, 'the first edit did not arrive');
    assert.equal((await health()).status, 'ok');

    store.fill();
    // Larger than a page: it needs new ones.
    writer.doc.getText('t').insert(7, 'x'.repeat(50_000));
    await waitFor(() => writer.closes.length > 0, 10_000, 'the writer was not closed');
    assert.equal(writer.closes[0]!.code, 1011);
    assert.match(writer.closes[0]!.reason, /cannot store this room: .*full/);
    const failing = await adminCall<Health>(hub.httpUrl, '/healthz');
    assert.equal(failing.status, 503);
    assert.equal(failing.body.status, 'error');
    assert.equal(failing.body.failedWrites?.[0]?.what, 'Yjs room lesson');
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /full/);
    assert.equal(text(reader), 'stored;', 'nobody is sent what was not stored');

    // Another writer is refused too, with the reason.
    writer.provider.shouldConnect = false;
    writer.provider.disconnect();
    const late = await RawYjsClient.open(`${hub.wsUrl}/yjs/lesson`);
    late.send(encodeSyncStep1(Uint8Array.of(0)));
    const other = new Y.Doc();
    let edit: Uint8Array | undefined;
    other.once('update', (u: Uint8Array) => (edit = u));
    other.getText('t').insert(0, 'refused;');
    late.send(encodeUpdate(edit!));
    const closed = await late.closed;
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /cannot store this room/);
    assert.equal((await health()).status, 'error');

    // A newcomer meanwhile reads what is stored, and nothing that is not.
    const newcomer = openProvider(hub.wsUrl, 'lesson');
    providers.push(newcomer);
    await newcomer.synced();
    assert.equal(text(newcomer), 'stored;');

    // Room again: the kept update is stored, sent, and the hub is healthy.
    store.empty();
    await waitFor(() => text(reader).length === 50_007, 10_000, 'the kept update never went out');
    await waitFor(() => text(newcomer).length === 50_007, 10_000, 'the newcomer never got it');
    await eventually(
      async () => (await health()).status === 'ok' || undefined,
      10_000,
      '/healthz stayed 503',
    );
    const again = openProvider(hub.wsUrl, 'lesson');
    providers.push(again);
    await again.synced();
    again.doc.getText('t').insert(0, 'after;');
    await waitFor(() => text(reader).startsWith('after;'), 10_000, 'writes are refused still');
    assert.deepEqual(again.closes, []);
  } finally {
    await hub.stop();
  }
});

test('a Yjs room on a read-only file refuses writes with 1011 saying why, shows nobody the refused edit, serves newcomers what is stored, and recovers', async () => {
  const file = path.join(dir.dir, 'read-only.db');
  // A room stored before, which nobody has open when the file turns read-only.
  const before = new SqliteYjsStore(file);
  const archived = new Y.Doc();
  archived.getText('t').insert(0, 'archived;');
  await before.append('archive', [Y.encodeStateAsUpdate(archived)]);
  await before.close();
  const store = new FillableYjsStore(file);
  const hub = await startHub({ Database: 'sqlite', DbFile: file }, { yjsStore: store });
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const writer = openProvider(hub.wsUrl, 'lesson');
    const reader = openProvider(hub.wsUrl, 'lesson');
    providers.push(writer, reader);
    await Promise.all([writer.synced(), reader.synced()]);
    writer.doc.getText('t').insert(0, 'stored;');
    await waitFor(() => text(reader) === 'stored;', 10_000, 'the first edit did not arrive');

    store.readOnly();
    writer.doc.getText('t').insert(7, 'kept;');
    await waitFor(() => writer.closes.length > 0, 10_000, 'the writer was not closed');
    writer.provider.shouldConnect = false;
    writer.provider.disconnect();
    assert.equal(writer.closes[0]!.code, 1011);
    assert.match(writer.closes[0]!.reason, /cannot store this room: .*readonly/);
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.failedWrites?.[0]?.what, 'Yjs room lesson');
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /readonly/);
    // The reader (which may write too, so it is closed and reconnects) has
    // what was stored and nothing that was not.
    assert.equal(text(reader), 'stored;', 'nobody is sent what was not stored');
    const newcomer = openProvider(hub.wsUrl, 'lesson');
    providers.push(newcomer);
    await newcomer.synced();
    assert.equal(text(newcomer), 'stored;', 'a newcomer reads what is stored meanwhile');
    const opener = openProvider(hub.wsUrl, 'archive');
    providers.push(opener);
    await opener.synced();
    assert.equal(text(opener), 'archived;', 'a room not open yet is read too');

    // Writable again: the kept edit is stored and sent, and the hub is healthy.
    store.writable();
    await waitFor(() => text(reader) === 'stored;kept;', 10_000, 'the kept edit never went out');
    await waitFor(() => text(newcomer) === 'stored;kept;', 10_000, 'the newcomer never got it');
    await eventually(async () => (await health()).status === 200 || undefined, 10_000);
  } finally {
    await hub.stop();
  }
});
