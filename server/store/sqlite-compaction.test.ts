// The document store merges a document's small chunk rows in the background
// (after the append that reaches the threshold). When another connection holds
// the file's write lock past the busy timeout (an operator's sqlite3, say), or
// the disk is full, that merge fails: it must not become an uncaught error that
// ends the hub. Nothing is lost (the rows stay as they are), and the next
// append merges them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { captureLog } from '../test/captured-log';
import { tempDir } from '../test/hub-fixture';
import { SqliteStore } from './sqlite-store';

const dir = tempDir('lanboard-compaction-');
after(() => dir.remove());

test('a chunk merge that cannot take the write lock is logged, not thrown, and the next append merges', async () => {
  const file = path.join(dir.dir, 'hub.db');
  const log = captureLog('warn');
  const store = new SqliteStore(file, { log: log.logger });
  const other = new Database(file); // a second connection to the file, as another process has
  const rows = () =>
    (
      other.prepare("SELECT count(*) AS n FROM document_chunks WHERE doc_id = 'd'").get() as {
        n: number;
      }
    ).n;
  try {
    let contents = Buffer.from('0');
    assert.equal(await store.createDocument('d', contents), true);
    const append = (byte: number) => {
      const data = Buffer.of(byte);
      const done = store.appendIfLength('d', contents.length, data);
      contents = Buffer.concat([contents, data]);
      return done;
    };
    // Up to the append that makes the merge due: 256 rows.
    while (rows() < 255) await append(rows() % 256);
    const due = append(1); // committed already: better-sqlite3 is synchronous
    other.exec('BEGIN IMMEDIATE'); // the write lock, before the merge runs
    assert.equal((await due).status, 'ok');
    await new Promise((r) => setTimeout(r, 100)); // the merge waited out the busy timeout
    other.exec('COMMIT');
    assert.equal(rows(), 256, 'nothing merged, nothing lost');
    const failed = log.lines().find((l) => l.msg.startsWith('document compaction failed'));
    assert.ok(failed, 'the failure is logged');
    assert.match(String(failed.err), /locked|busy/i);

    await append(2);
    await new Promise((r) => setImmediate(r));
    assert.equal(rows(), 1, 'the next append merged them');
    const load = await store.loadDocument('d', 'never-create', new Uint8Array(), 0);
    assert.equal(load.status, 'ok');
    assert.deepEqual(Buffer.from((load as { tail: Uint8Array }).tail), contents);
  } finally {
    other.close();
    await store.close();
  }
});
