// A 50 MB room (images on a board) completes its first sync to a fresh real
// provider: the initial state is not cut off by the live-traffic queue cap,
// it arrives in pieces, and it is stored and served from the SQLite file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHub, tempDir } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { decodeFrame, encodeSyncStep1 } from './codec';

const MiB = 1024 * 1024;
const IMAGES = 50;

const dir = tempDir();
const providers: TestProvider[] = [];
after(() => {
  for (const p of providers) p.destroy();
  dir.remove();
});

const totalBytes = (p: TestProvider): number =>
  p.doc
    .getArray<Uint8Array>('images')
    .toArray()
    .reduce((sum, image) => sum + image.length, 0);

test(`a ${IMAGES} MB document syncs to a fresh provider`, async () => {
  const hub = await startHub({
    Database: 'sqlite',
    DbFile: path.join(dir.dir, 'big.db'),
    // A board of 50 images is past what a classroom needs (YjsMaxRoomBytes, 64 MiB by default).
    YjsMaxRoomBytes: 128 * MiB,
  });
  try {
    const author = openProvider(hub.wsUrl, 'big-board');
    const watcher = openProvider(hub.wsUrl, 'big-board');
    providers.push(author, watcher);
    await Promise.all([author.synced(), watcher.synced()]);
    const images = author.doc.getArray<Uint8Array>('images');
    for (let i = 0; i < IMAGES; i++) images.push([new Uint8Array(randomBytes(MiB))]);
    await waitFor(() => totalBytes(watcher) === IMAGES * MiB, 120_000, 'watcher incomplete');

    const fresh = openProvider(hub.wsUrl, 'big-board');
    providers.push(fresh);
    await fresh.synced();
    assert.equal(totalBytes(fresh), IMAGES * MiB);
    assert.deepEqual(
      fresh.doc.getArray<Uint8Array>('images').get(IMAGES - 1),
      images.get(IMAGES - 1),
    );
    assert.deepEqual(fresh.closes, [], 'the first sync must not be cut off');

    // On the wire: about a megabyte per frame, then the SyncStep2, so a slow link
    // keeps hearing from the hub well inside the client's 30 s liveness window.
    const raw = await RawYjsClient.open(`${hub.wsUrl}/yjs/big-board`);
    try {
      await raw.nextOf('sync-step1');
      raw.send(encodeSyncStep1(Uint8Array.of(0)));
      const sizes: number[] = [];
      for (;;) {
        const frame = await raw.next(60_000);
        const [message] = decodeFrame(frame);
        if (message?.type === 'sync-step2') break;
        if (message?.type === 'update') sizes.push(frame.length);
      }
      assert.ok(sizes.length >= IMAGES, `${sizes.length} frames`);
      assert.ok(Math.max(...sizes) < 2 * MiB + 1024, `largest frame ${Math.max(...sizes)} bytes`);
    } finally {
      raw.close();
    }
  } finally {
    for (const p of providers) p.provider.shouldConnect = false;
    await hub.stop();
  }
});
