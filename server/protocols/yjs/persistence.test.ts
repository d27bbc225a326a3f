// Yjs rooms persist in the hub's SQLite file: they survive a restart, the
// stored state is applied before the first SyncStep2, stored updates are
// compacted, idle rooms leave memory, and Expiration deletes old rooms.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { startBareTransport } from '../../test/bare-transport';
import { captureLog } from '../../test/captured-log';
import { startHub, tempDir } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { MemoryYjsStore } from '../../store/memory-yjs-store';
import { encodeSyncStep1 } from './codec';
import { mountYjs } from './mount';
import type { YjsRooms } from './rooms';

const dirs: { remove(): void }[] = [];
const providers: TestProvider[] = [];
after(() => {
  for (const p of providers) p.destroy();
  for (const d of dirs) d.remove();
});

function dbFile(): string {
  const d = tempDir();
  dirs.push(d);
  return path.join(d.dir, 'lanboard.db');
}

function provider(wsUrl: string, room: string): TestProvider {
  const p = openProvider(wsUrl, room);
  providers.push(p);
  return p;
}

const text = (p: TestProvider): string => p.doc.getText('t').toString();

function storedRows(file: string, room: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM yjs_updates WHERE room = ?').get(room) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe('durable rooms', () => {
  test('content survives a hub restart on the same SQLite file', async () => {
    const file = dbFile();
    const first = await startHub({ Database: 'sqlite', DbFile: file });
    const writer = provider(first.wsUrl, 'kept');
    const watcher = provider(first.wsUrl, 'kept');
    await Promise.all([writer.synced(), watcher.synced()]);
    writer.doc.getText('t').insert(0, 'still here after a restart');
    await waitFor(() => text(watcher) === 'still here after a restart', 10_000, 'not applied');
    // Stopped with both clients connected: the stop itself must store the room.
    writer.provider.shouldConnect = false;
    watcher.provider.shouldConnect = false;
    await first.stop();

    const second = await startHub({ Database: 'sqlite', DbFile: file });
    try {
      const reader = provider(second.wsUrl, 'kept');
      await reader.synced();
      assert.equal(text(reader), 'still here after a restart');
    } finally {
      await second.stop();
    }
  });

  test('compaction keeps the content and shrinks the stored rows', async () => {
    const file = dbFile();
    const config = { Database: 'sqlite' as const, DbFile: file, YjsCompactUpdates: 10 };
    const hub = await startHub(config);
    const writer = provider(hub.wsUrl, 'compact');
    const watcher = provider(hub.wsUrl, 'compact');
    await Promise.all([writer.synced(), watcher.synced()]);
    for (let i = 0; i < 35; i++) writer.doc.getText('t').insert(text(writer).length, `${i},`);
    const expected = text(writer);
    await waitFor(() => text(watcher) === expected, 10_000, 'edits not applied');
    await waitFor(() => storedRows(file, 'compact') < 10, 10_000, 'rows were not compacted');
    writer.provider.shouldConnect = false;
    watcher.provider.shouldConnect = false;
    await hub.stop();

    assert.ok(storedRows(file, 'compact') < 10, `${storedRows(file, 'compact')} rows`);
    const again = await startHub(config);
    try {
      const reader = provider(again.wsUrl, 'compact');
      await reader.synced();
      assert.equal(text(reader), expected);
    } finally {
      await again.stop();
    }
  });
});

describe('load before sync', () => {
  test('the first SyncStep2 already holds the stored content, however slow the store', async () => {
    const seeded = new Y.Doc();
    seeded.getText('t').insert(0, 'stored long ago');
    const inner = new MemoryYjsStore();
    await inner.append('slow', [Y.encodeStateAsUpdate(seeded)]);
    seeded.destroy();
    // The store answers a second late, as a cold disk or a remote database might.
    const slowStore = Object.assign(Object.create(inner) as MemoryYjsStore, {
      load: async (room: string) => {
        await new Promise((r) => setTimeout(r, 1000));
        return inner.load(room);
      },
    });
    const bare = await startBareTransport({}, (transport, context) =>
      mountYjs(transport, context, { store: slowStore }),
    );
    try {
      const client = await RawYjsClient.open(`${bare.wsUrl}/yjs/slow`);
      // Asked at once, before the room could have loaded.
      client.send(encodeSyncStep1(Uint8Array.of(0)));
      const step2 = await client.nextOf('sync-step2');
      const doc = new Y.Doc();
      Y.applyUpdate(doc, step2.update);
      assert.equal(doc.getText('t').toString(), 'stored long ago');
      doc.destroy();
      client.close();
    } finally {
      await bare.stop();
    }
  });
});

function weakDoc(rooms: YjsRooms, name: string): WeakRef<Y.Doc> {
  const doc = rooms.peek(name)?.doc;
  assert.ok(doc, `room ${name} is not in memory`);
  return new WeakRef(doc);
}

describe('unload', () => {
  test('after the last client leaves, the room leaves memory and its Y.Doc is collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const bare = await startBareTransport({}, (transport, context) => mountYjs(transport, context));
    try {
      const a = provider(bare.wsUrl, 'transient');
      const b = provider(bare.wsUrl, 'transient');
      await Promise.all([a.synced(), b.synced()]);
      a.doc.getText('t').insert(0, 'x'.repeat(100_000));
      await waitFor(() => text(b).length === 100_000, 10_000, 'not applied');
      // Taken in a function of its own, so that no variable here keeps the room alive.
      const ref = weakDoc(bare.mounted.rooms, 'transient');
      a.provider.destroy();
      b.provider.destroy();
      await waitFor(() => bare.mounted.rooms.size === 0, 10_000, 'room still in memory');
      assert.equal(bare.context.registry.stats().rooms, 0);
      await waitFor(
        () => {
          gc();
          return ref.deref() === undefined;
        },
        10_000,
        'the Y.Doc was not collected',
      );
      // And the room comes back from the store when someone returns.
      const c = provider(bare.wsUrl, 'transient');
      await c.synced();
      assert.equal(text(c).length, 100_000);
    } finally {
      await bare.stop();
    }
  });
});

describe('expiration', () => {
  test('a Yjs room unused for Expiration seconds is deleted; a room in use is kept', async () => {
    const clock = { now: Date.parse('2030-01-01T08:00:00Z') };
    const log = captureLog('info');
    const hub = await startHub(
      { Expiration: 3600, ExpirationSweepSeconds: 1, LogLevel: 'info' },
      { now: () => clock.now, logger: log.logger },
    );
    try {
      const old = provider(hub.wsUrl, 'old-lesson');
      const live = provider(hub.wsUrl, 'live-lesson');
      await Promise.all([old.synced(), live.synced()]);
      old.doc.getText('t').insert(0, 'yesterday');
      live.doc.getText('t').insert(0, 'today');
      old.provider.destroy();
      await waitFor(() => hub.hub.stats().yjsRoomsInMemory === 1, 10_000, 'old room in memory');
      clock.now += 2 * 3600 * 1000;
      await waitFor(
        () => log.lines().some((l) => l.msg === 'expired Yjs rooms deleted' && l.rooms === 1),
        10_000,
        'no expiration sweep deleted the room',
      );
      const back = provider(hub.wsUrl, 'old-lesson');
      const alsoLive = provider(hub.wsUrl, 'live-lesson');
      await Promise.all([back.synced(), alsoLive.synced()]);
      assert.equal(text(back), '');
      assert.equal(text(alsoLive), 'today');
    } finally {
      await hub.stop();
    }
  });
});
