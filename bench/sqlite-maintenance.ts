// `npm run bench:sqlite [-- <MiB,MiB,…>]`: what the hub's SQLite upkeep costs on databases of
// growing size: the integrity check at start (PRAGMA quick_check(1)), the full
// integrity_check it stands in for, and a backup (VACUUM INTO). The files are
// written with the hub's own schema (documents as chunk rows, Yjs rooms as
// update rows) in a temporary folder, and deleted after.
// Results: docs/benchmarks.md#sqlite-integrity-check-and-backups.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkIntegrity } from '../server/store/sqlite-integrity';
import { writeBackup } from '../server/store/sqlite-backups';
import { openDatabase } from '../server/store/sqlite-migrations';

const MiB = 1024 ** 2;
const sizes = (process.argv[2] ?? '64,256,1024').split(',').map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-bench-sqlite-'));

/** Grows the file to about `mib` MiB: half Zwibbler chunks, half Yjs updates, in rows of 0.2 to 4 KiB. */
function fill(file: string, mib: number): void {
  const db = openDatabase(file);
  const doc = db.prepare(
    'INSERT INTO documents (id, length, chunk_rows, created_at, last_access) VALUES (?, 0, 0, 0, 0)',
  );
  const chunk = db.prepare('INSERT INTO document_chunks (doc_id, start, data) VALUES (?, ?, ?)');
  const room = db.prepare(
    'INSERT INTO yjs_rooms (name, updates, bytes, created_at, last_access) VALUES (?, 0, 0, 0, 0)',
  );
  const update = db.prepare('INSERT INTO yjs_updates (room, seq, data) VALUES (?, ?, ?)');
  let written = 0;
  let n = 0;
  while (written < mib * MiB) {
    db.transaction(() => {
      const id = `doc-${n}`;
      doc.run(id);
      room.run(id);
      for (let i = 0; i < 200; i++) {
        const bytes = 200 + ((i * 397) % 3900);
        chunk.run(id, i * 4096, Buffer.alloc(bytes, i));
        update.run(id, i, Buffer.alloc(bytes, i + 1));
        written += 2 * bytes;
      }
    })();
    n++;
  }
  db.close();
}

async function timed(what: () => unknown): Promise<number> {
  const started = performance.now();
  await what();
  return performance.now() - started;
}

const rows: string[] = [];
try {
  for (const mib of sizes) {
    const file = path.join(dir, `${mib}.db`);
    fill(file, mib);
    const size = fs.statSync(file).size / MiB;
    // Twice: the first run may read from disk, the second finds more in the page cache.
    const quick = [
      await timed(() => checkIntegrity(file)),
      await timed(() => checkIntegrity(file)),
    ];
    const full = await timed(() => {
      const db = openDatabase(file);
      db.pragma('integrity_check(1)');
      db.close();
    });
    const backup = path.join(dir, `${mib}-backup.db`);
    const copy = await timed(() => writeBackup(file, backup));
    rows.push(
      `| ${size.toFixed(0)} MiB | ${quick.map((t) => t.toFixed(0)).join(' / ')} ms | ${full.toFixed(0)} ms | ${copy.toFixed(0)} ms |`,
    );
    console.log(rows.at(-1));
    fs.rmSync(file);
    fs.rmSync(backup);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(
  '\n| database | quick_check(1) at start, first / second run | integrity_check(1) | backup (VACUUM INTO) |',
);
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(row);
