// A real SQLite database with documents in it, and damage to it: 8 KiB of
// bytes over two whole pages in the middle of the file, as a failing disk
// leaves them. For the tests of the check at start and of restoring a backup.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { scheduledBackupPath, writeBackup } from '../store/sqlite-backups';
import { SqliteStore } from '../store/sqlite-store';
import { prng } from './random';

/** What `doc-<i>` holds. */
export const documentContent = (i: number): Buffer => Buffer.alloc(100 + (i % 200), i % 256);

/** `count` small documents written and closed by the hub's own store (the WAL folded into the file). */
export async function databaseWithDocuments(file: string, count: number): Promise<void> {
  const store = new SqliteStore(file);
  for (let i = 0; i < count; i++) {
    assert.equal(await store.createDocument(`doc-${i}`, documentContent(i)), true);
  }
  await store.close();
}

/**
 * `mib` MiB of zero-filled blobs in a table of their own, which the hub never
 * reads: a large file for the check at start and for backups to read, built in
 * seconds (no journal, no flush: nothing here needs to survive a crash).
 */
export function addBallast(file: string, mib: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec('CREATE TABLE ballast (bytes BLOB)');
    db.prepare(
      'INSERT INTO ballast WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT zeroblob(1048576) FROM n',
    ).run(mib);
  } finally {
    db.close();
  }
}

/** A backup where the hub's schedule would put it: its path. */
export async function backUp(file: string): Promise<string> {
  const dest = scheduledBackupPath(file, Date.now());
  await writeBackup(file, dest);
  return dest;
}

/** Seeded random bytes over the two pages in the middle of the file. */
export function damageMiddle(file: string, seed = 22): void {
  const at = Math.floor(fs.statSync(file).size / 2 / 4096) * 4096;
  const random = prng(seed);
  const bytes = Buffer.alloc(8192);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.closeSync(fd);
}
