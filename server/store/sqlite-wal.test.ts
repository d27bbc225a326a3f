// The -wal file does not keep the size a long reader made it grow to
// (docs/operating.md#the-write-ahead-log): while a reader holds a snapshot
// (a backup, an operator's sqlite3), no checkpoint can empty the WAL, so it
// grows by every write; once the reader is gone, a checkpoint empties it, and
// the file is cut back to WAL_SIZE_LIMIT instead of staying that large.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../test/hub-fixture';
import { openDatabase, WAL_SIZE_LIMIT } from './sqlite-migrations';

const dir = tempDir('lanboard-wal-');
after(() => dir.remove());

test('after a long reader, the WAL is cut back to its limit', () => {
  const file = path.join(dir.dir, 'hub.db');
  const db = openDatabase(file);
  const reader = new Database(file);
  const walSize = () => fs.statSync(`${file}-wal`).size;
  try {
    const room = db.prepare(
      'INSERT INTO yjs_rooms (name, updates, bytes, created_at, last_access) VALUES (?, 0, 0, 0, 0)',
    );
    const update = db.prepare('INSERT INTO yjs_updates (room, seq, data) VALUES (?, ?, ?)');
    room.run('r');
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM yjs_updates').get(); // the snapshot is taken here
    let seq = 0;
    const write = (bytes: number) =>
      db.transaction(() => {
        for (let i = 0; i < bytes / 65536; i++) update.run('r', seq++, Buffer.alloc(65536, seq));
      })();
    for (let mib = 0; mib < WAL_SIZE_LIMIT / 2 ** 20 + 16; mib += 4) write(4 * 2 ** 20);
    assert.ok(walSize() > WAL_SIZE_LIMIT, `the WAL grew past the limit (${walSize()})`);

    reader.exec('COMMIT');
    // The next commit past the auto-checkpoint's 1000 pages checkpoints; the one after restarts the WAL.
    write(8 * 2 ** 20);
    write(65536);
    assert.ok(walSize() <= WAL_SIZE_LIMIT, `cut back to the limit (${walSize()})`);
  } finally {
    reader.close();
    db.close();
  }
});
