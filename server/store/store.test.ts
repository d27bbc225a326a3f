// The DocumentStore contract on every embedded backend, plus what only SQLite has:
// the file format (WAL, schema version), durability across reopen, and compaction.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../test/hub-fixture';
import { MemoryStore } from './memory-store';
import { MIGRATIONS, NewerSchemaError } from './sqlite-migrations';
import { SqliteStore } from './sqlite-store';
import { describeStoreContract } from '../test/store-contract/contract';
import type { DocumentKey, LoadResult } from './types';

const dirs: (() => void)[] = [];
function freshFile(name = 'store.db'): string {
  const t = tempDir('lanboard-store-');
  dirs.push(t.remove);
  return path.join(t.dir, name);
}

after(() => {
  for (const remove of dirs) remove();
});

describeStoreContract('memory', async (options) => {
  const store = new MemoryStore(options);
  return { store, cleanup: () => store.close() };
});

describeStoreContract('sqlite', async (options) => {
  const t = tempDir('lanboard-store-');
  const store = new SqliteStore(path.join(t.dir, 'store.db'), options);
  return {
    store,
    cleanup: async () => {
      await store.close();
      t.remove();
    },
  };
});

// ---- SQLite only ----------------------------------------------------------------

/** Must match COMPACT_AFTER_ROWS in sqlite-store.ts. */
const COMPACT_AFTER_ROWS = 256;
const SEALED_SEGMENT_BYTES = 1 << 20;

const b = (s: string): Buffer => Buffer.from(s);
const EMPTY = new Uint8Array();
const hexOf = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A read-only second connection, as an outside tool would open the file. */
function inspect<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** How many of this process's file descriptors point at `file` or its -wal/-shm (Linux). */
function openHandlesTo(file: string): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(file)) count++;
    } catch {
      // closed while listing
    }
  }
  return count;
}

interface ChunkRow {
  start: number;
  size: number;
}

function chunkRows(file: string, id: string): ChunkRow[] {
  return inspect(
    file,
    (db) =>
      db
        .prepare(
          'SELECT start, length(data) AS size FROM document_chunks WHERE doc_id = ? ORDER BY start',
        )
        .all(id) as ChunkRow[],
  );
}

function docRow(
  file: string,
  id: string,
): { length: number; chunk_rows: number; sealed_end: number } {
  return inspect(
    file,
    (db) =>
      db.prepare('SELECT length, chunk_rows, sealed_end FROM documents WHERE id = ?').get(id) as {
        length: number;
        chunk_rows: number;
        sealed_end: number;
      },
  );
}

function okTail(r: LoadResult): Buffer {
  assert.equal(r.status, 'ok');
  return Buffer.from((r as { tail: Uint8Array }).tail);
}

let seed = 0x1234567;
function randomBytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out[i] = seed >>> 16;
  }
  return out;
}

function randomInt(below: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % below;
}

/**
 * Reads the document from `offset` and checks it against `whole`, for every row
 * edge (start - 1, start, start + 1), both ends and some random offsets.
 */
async function assertReadsBack(
  store: SqliteStore,
  file: string,
  id: string,
  whole: Buffer,
): Promise<void> {
  assert.equal(await store.documentLength(id), whole.length);
  const offsets = new Set([0, 1, whole.length - 1, whole.length]);
  for (const row of chunkRows(file, id)) {
    for (const o of [row.start - 1, row.start, row.start + 1, row.start + row.size - 1]) {
      offsets.add(o);
    }
  }
  for (let i = 0; i < 40; i++) offsets.add(randomInt(whole.length + 1));
  for (const offset of offsets) {
    if (offset < 0 || offset > whole.length) continue;
    const r = await store.loadDocument(id, 'never-create', EMPTY, offset);
    assert.equal(r.status === 'ok' && r.length, whole.length, `length at offset ${offset}`);
    const tail = okTail(r);
    assert.equal(tail.length, whole.length - offset, `tail length at offset ${offset}`);
    assert.ok(tail.equals(whole.subarray(offset)), `bytes from offset ${offset}`);
  }
  assert.deepEqual(await store.loadDocument(id, 'never-create', EMPTY, whole.length + 1), {
    status: 'invalid-offset',
    length: whole.length,
  });
}

/** Appends `count` pieces without yielding to the event loop; returns them. */
async function appendMany(
  store: SqliteStore,
  id: string,
  count: number,
  size: () => number,
): Promise<Buffer[]> {
  let length = (await store.documentLength(id))!;
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const data = randomBytes(size());
    const r = await store.appendIfLength(id, length, data);
    assert.deepEqual(r, { status: 'ok', length: length + data.length });
    length += data.length;
    parts.push(data);
  }
  return parts;
}

describe('SqliteStore file', () => {
  let file: string;
  let store: SqliteStore | undefined;

  beforeEach(() => {
    file = freshFile();
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  test('the file is in WAL mode and user_version is the number of migrations', async () => {
    store = new SqliteStore(file);
    await store.createDocument('d', b('x'));
    const [mode, version] = inspect(file, (db) => [
      db.pragma('journal_mode', { simple: true }),
      db.pragma('user_version', { simple: true }),
    ]);
    assert.equal(mode, 'wal');
    assert.equal(version, MIGRATIONS.length);
    assert.ok(MIGRATIONS.length >= 1);
  });

  test('reopening the same file keeps documents, keys and tokens', async () => {
    const name = Buffer.from([0xff, 0x00, 0xc3]);
    const value = Buffer.from([0x80, 0x81, 0x00]);
    const first = new SqliteStore(file);
    await first.createDocument('d', b('hello'));
    await first.appendIfLength('d', 5, b(' world'));
    await first.appendIfLength('d', 11, b('!'));
    await first.createDocument('empty', EMPTY);
    assert.equal(
      await first.setDocumentKey('d', 0, { name: b('k'), value: b('v1'), version: 1 }),
      'ok',
    );
    assert.equal(
      await first.setDocumentKey('d', 1, { name: b('k'), value: b('v2'), version: 2 }),
      'ok',
    );
    assert.equal(await first.setDocumentKey('d', 0, { name, value, version: 7 }), 'ok');
    const token = {
      token: 'tok',
      documentId: 'd',
      userId: 'u',
      permissions: 'rw',
      expiresAt: 4_000_000_000_000,
    };
    assert.equal(await first.addToken(token, EMPTY), 'ok');
    assert.equal(await first.updateUser('u', 'r'), 1);
    await first.close();

    store = new SqliteStore(file);
    assert.equal(
      hexOf(okTail(await store.loadDocument('d', 'never-create', EMPTY, 0))),
      hexOf(b('hello world!')),
    );
    assert.equal(await store.documentLength('empty'), 0);
    const keys = (await store.getDocumentKeys('d')).map((k: DocumentKey) => [
      hexOf(k.name),
      hexOf(k.value),
      k.version,
    ]);
    assert.deepEqual(
      keys.sort(),
      [
        [hexOf(b('k')), hexOf(b('v2')), 2],
        [hexOf(name), hexOf(value), 7],
      ].sort(),
    );
    assert.deepEqual({ ...(await store.getToken('tok', 0)) }, { ...token, permissions: 'r' });
    // Compare-and-set continues from the persisted versions.
    assert.equal(
      await store.setDocumentKey('d', 2, { name: b('k'), value: b('v3'), version: 3 }),
      'ok',
    );
    assert.deepEqual(await store.appendIfLength('d', 12, b('?')), { status: 'ok', length: 13 });
    assert.equal(
      inspect(file, (db) => db.pragma('user_version', { simple: true })),
      MIGRATIONS.length,
    );
  });

  test('a database with a newer schema version makes the constructor throw NewerSchemaError', () => {
    const newer = MIGRATIONS.length + 1;
    const db = new Database(file);
    db.exec('CREATE TABLE future (x INTEGER)');
    db.pragma(`user_version = ${newer}`);
    db.close();
    assert.throws(
      () => new SqliteStore(file),
      (err: unknown) =>
        err instanceof NewerSchemaError &&
        err.message.includes(`version ${newer}`) &&
        err.message.includes(`(${MIGRATIONS.length})`),
    );
    // The newer database is left as it was: not migrated, not downgraded.
    const [version, tables] = inspect(file, (d) => [
      d.pragma('user_version', { simple: true }),
      d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
    ]);
    assert.equal(version, newer);
    assert.deepEqual(tables, ['future']);
  });

  test(
    'a refused database file is closed again, not left open until garbage collection',
    { skip: !fs.existsSync('/proc/self/fd') && 'needs /proc/self/fd' },
    () => {
      const db = new Database(file);
      db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      db.close();
      assert.equal(openHandlesTo(file), 0);
      assert.throws(() => new SqliteStore(file), NewerSchemaError);
      assert.equal(openHandlesTo(file), 0);
    },
  );
});

describe('SqliteStore compaction', () => {
  let file: string;
  let store: SqliteStore;

  beforeEach(() => {
    file = freshFile();
    store = new SqliteStore(file);
  });

  afterEach(async () => {
    await store.close();
  });

  test(`more than ${COMPACT_AFTER_ROWS} appends are merged by the scheduled compaction, bytes unchanged`, async () => {
    const first = b('start');
    await store.createDocument('d', first);
    const parts = [first, ...(await appendMany(store, 'd', 300, () => 1 + randomInt(40)))];
    // No tick has passed: every append is still its own row.
    const before = chunkRows(file, 'd').length;
    assert.equal(before, 301);

    await tick();
    const after = chunkRows(file, 'd');
    assert.ok(after.length < before, `rows ${before} -> ${after.length}`);
    assert.deepEqual(after, [{ start: 0, size: Buffer.concat(parts).length }]);
    await assertReadsBack(store, file, 'd', Buffer.concat(parts));

    // New rows after the merged one; reads across the edge are still exact.
    parts.push(...(await appendMany(store, 'd', 20, () => 1 + randomInt(40))));
    assert.equal(chunkRows(file, 'd').length, 21);
    await assertReadsBack(store, file, 'd', Buffer.concat(parts));

    // The next threshold is counted from the compaction, and triggers again.
    parts.push(...(await appendMany(store, 'd', COMPACT_AFTER_ROWS, () => 1 + randomInt(40))));
    assert.equal(chunkRows(file, 'd').length, 1 + 20 + COMPACT_AFTER_ROWS);
    await tick();
    assert.equal(chunkRows(file, 'd').length, 1);
    await assertReadsBack(store, file, 'd', Buffer.concat(parts));
  });

  test('fewer appends than the threshold schedule no compaction', async () => {
    await store.createDocument('d', EMPTY);
    const parts = await appendMany(store, 'd', COMPACT_AFTER_ROWS - 2, () => 1 + randomInt(10));
    await tick();
    await tick();
    assert.equal(chunkRows(file, 'd').length, COMPACT_AFTER_ROWS - 2);
    await assertReadsBack(store, file, 'd', Buffer.concat(parts));
  });

  test('compact(id) merges the rows; every offset reads the same before and after', async () => {
    await store.createDocument('d', EMPTY);
    const parts = await appendMany(store, 'd', 60, () => 1 + randomInt(12));
    const whole = Buffer.concat(parts);
    const tailsBefore: string[] = [];
    for (let o = 0; o <= whole.length; o++) {
      tailsBefore.push(hexOf(okTail(await store.loadDocument('d', 'never-create', EMPTY, o))));
    }
    assert.equal(chunkRows(file, 'd').length, 60);
    store.compact('d');
    assert.deepEqual(chunkRows(file, 'd'), [{ start: 0, size: whole.length }]);
    for (let o = 0; o <= whole.length; o++) {
      const tail = hexOf(okTail(await store.loadDocument('d', 'never-create', EMPTY, o)));
      assert.equal(tail, tailsBefore[o], `offset ${o}`);
      assert.equal(tail, hexOf(whole.subarray(o)), `offset ${o}`);
    }

    // Merging again folds the merged row and the new ones together.
    parts.push(...(await appendMany(store, 'd', 30, () => 1 + randomInt(12))));
    store.compact('d');
    const again = Buffer.concat(parts);
    assert.deepEqual(chunkRows(file, 'd'), [{ start: 0, size: again.length }]);
    await assertReadsBack(store, file, 'd', again);
    // Appends after compaction land at the right place.
    assert.deepEqual(await store.appendIfLength('d', again.length, b('end')), {
      status: 'ok',
      length: again.length + 3,
    });
    await assertReadsBack(store, file, 'd', Buffer.concat([again, b('end')]));
  });

  test('compact(id) of a missing or single-row document changes nothing', async () => {
    assert.doesNotThrow(() => store.compact('missing'));
    assert.equal(await store.documentLength('missing'), null);
    await store.createDocument('one', b('single row'));
    store.compact('one');
    assert.deepEqual(chunkRows(file, 'one'), [{ start: 0, size: 10 }]);
    assert.equal(
      hexOf(okTail(await store.loadDocument('one', 'never-create', EMPTY, 0))),
      hexOf(b('single row')),
    );
  });

  test('compaction keeps keys, and deleting a compacted document removes its rows', async () => {
    await store.createDocument('d', b('x'));
    await store.setDocumentKey('d', 0, { name: b('k'), value: b('v'), version: 1 });
    await appendMany(store, 'd', 300, () => 5);
    await tick();
    assert.equal(chunkRows(file, 'd').length, 1);
    assert.equal((await store.getDocumentKeys('d')).length, 1);
    assert.equal(await store.deleteDocument('d'), true);
    assert.deepEqual(chunkRows(file, 'd'), []);
    assert.equal(
      inspect(file, (db) => db.prepare('SELECT count(*) FROM document_keys').pluck().get()),
      0,
    );
  });

  test('a document over 1 MiB gets a sealed row that later compactions leave alone', async () => {
    await store.createDocument('big', EMPTY);
    const parts = await appendMany(store, 'big', 300, () => 4000);
    const sealedEnd = 300 * 4000;
    assert.ok(sealedEnd >= SEALED_SEGMENT_BYTES);
    await tick();
    assert.deepEqual(chunkRows(file, 'big'), [{ start: 0, size: sealedEnd }]);
    const sealedState = docRow(file, 'big');
    assert.equal(sealedState.sealed_end, sealedEnd, 'the merged row is sealed');
    assert.equal(sealedState.chunk_rows, 0);
    await assertReadsBack(store, file, 'big', Buffer.concat(parts));

    // Small appends after the seal: the scheduled compaction merges only those.
    parts.push(...(await appendMany(store, 'big', 300, () => 1 + randomInt(20))));
    await tick();
    let whole = Buffer.concat(parts);
    assert.deepEqual(chunkRows(file, 'big'), [
      { start: 0, size: sealedEnd },
      { start: sealedEnd, size: whole.length - sealedEnd },
    ]);
    await assertReadsBack(store, file, 'big', whole);

    // Direct compactions, with and without new rows, keep the bytes identical.
    store.compact('big');
    await assertReadsBack(store, file, 'big', whole);
    parts.push(...(await appendMany(store, 'big', 10, () => 1 + randomInt(20))));
    store.compact('big');
    whole = Buffer.concat(parts);
    assert.deepEqual(chunkRows(file, 'big'), [
      { start: 0, size: sealedEnd },
      { start: sealedEnd, size: whole.length - sealedEnd },
    ]);
    assert.equal(docRow(file, 'big').sealed_end, sealedEnd);
    await assertReadsBack(store, file, 'big', whole);

    // And the data survives a reopen.
    await store.close();
    store = new SqliteStore(file);
    await assertReadsBack(store, file, 'big', whole);
  });
});
