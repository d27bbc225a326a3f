// Backups of the hub's SQLite file (docs/operating.md#backups): a consistent
// copy by `VACUUM INTO` (one read transaction: in WAL mode it never blocks a
// writer, and a write meanwhile is simply not in the copy), written under a
// temporary name, flushed to disk and renamed, so a backup file is whole or
// absent. They go in `backups/` beside the database, 0600 in a 0700 folder
// (they hold what the database holds). Scheduled ones are rotated; the one
// taken before a schema migration is kept.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { createPrivateFile, makePrivateDir } from '../config/private-files';
import type { Logger } from '../log/logger';
import { SqliteDatabase } from './sqlite-driver';

/** Where the backups of `dbFile` live: `backups/` in its folder. */
export function backupFolder(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), 'backups');
}

const stem = (dbFile: string) => path.basename(dbFile).replace(/\.[^.]*$/, '');
/** `2026-12-07T06-55-01-123Z`: sorts by time, and is a file name on every OS. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');

/** A scheduled (or `lanboard backup`) backup's path: `backups/lanboard-<time>.db`. */
export function scheduledBackupPath(dbFile: string, ms: number): string {
  return path.join(backupFolder(dbFile), `${stem(dbFile)}-${stamp(ms)}.db`);
}

/** The backup taken before migrating `dbFile` to schema `version`: kept, never rotated. */
export function migrationBackupPath(dbFile: string, version: number, ms: number): string {
  return path.join(
    backupFolder(dbFile),
    `${stem(dbFile)}-${stamp(ms)}-before-schema-${version}.db`,
  );
}

/** The scheduled backups of `dbFile`, oldest first. */
export function listBackups(dbFile: string): string[] {
  const pattern = new RegExp(`^${escape(stem(dbFile))}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z\\.db$`);
  let names: string[];
  try {
    names = fs.readdirSync(backupFolder(dbFile));
  } catch {
    return [];
  }
  return names
    .filter((n) => pattern.test(n))
    .sort()
    .map((n) => path.join(backupFolder(dbFile), n));
}

/** Deletes the oldest scheduled backups past `keep`; returns those deleted. */
export function rotateBackups(dbFile: string, keep: number): string[] {
  const all = listBackups(dbFile);
  const gone = all.slice(0, Math.max(0, all.length - keep));
  for (const file of gone) fs.rmSync(file, { force: true });
  return gone;
}

/** Copies the database open on `db` to `dest` (which must not exist): whole, or not at all. */
export function backupInto(db: Database.Database, dest: string): number {
  makePrivateDir(path.dirname(dest));
  if (fs.existsSync(dest)) throw new Error(`${dest} exists already`);
  const partial = `${dest}.partial`;
  fs.rmSync(partial, { force: true });
  // VACUUM INTO writes into an empty file as it finds it: 0600 from the start.
  createPrivateFile(partial);
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    const fd = fs.openSync(partial, 'r+');
    try {
      fs.fsyncSync(fd); // VACUUM INTO does not flush its output
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, dest);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  syncFolder(path.dirname(dest));
  return fs.statSync(dest).size;
}

/** Copies the SQLite file `source` to `dest` on a connection of its own; a hub may be writing to it. */
export function writeBackup(source: string, dest: string): number {
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return backupInto(db, dest);
  } finally {
    db.close();
  }
}

/** The rename is durable once the folder's entry is on disk (POSIX; Windows cannot open a folder). */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const FIRST_BACKUP_AFTER_MS = 10 * 60_000;

export interface BackupScheduleOptions {
  dbFile: string;
  /** 0: no scheduled backups. */
  intervalMs: number;
  keep: number;
  log: Logger;
  now?: () => number;
}

/**
 * Backs the database up every `intervalMs`, counted from the newest backup
 * there is, so restarts neither skip one nor add one; keeps the newest `keep`.
 * A backup that fails is logged as an error and tried again at the next turn.
 */
export class BackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: BackupScheduleOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.o.intervalMs <= 0) return;
    const newest = listBackups(this.o.dbFile).at(-1);
    // None yet: not at once (a new hub's file is empty), but early enough for
    // a laptop that runs a lesson a day to make one.
    const due = newest
      ? fs.statSync(newest).mtimeMs + this.o.intervalMs - this.now()
      : Math.min(this.o.intervalMs, FIRST_BACKUP_AFTER_MS);
    this.schedule(Math.max(0, due));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One backup now, then the rotation: the file written. */
  backupNow(): string {
    const dest = scheduledBackupPath(this.o.dbFile, this.now());
    const started = performance.now();
    const bytes = writeBackup(this.o.dbFile, dest);
    const removed = rotateBackups(this.o.dbFile, this.o.keep);
    this.o.log.info(
      { file: dest, bytes, ms: Math.round(performance.now() - started), removed },
      'database backed up',
    );
    return dest;
  }

  private schedule(delayMs: number): void {
    // setTimeout takes at most 2^31-1 ms (24.8 days); a longer wait goes in steps.
    const step = Math.min(delayMs, 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      if (step < delayMs) return this.schedule(delayMs - step);
      try {
        this.backupNow();
      } catch (err) {
        this.o.log.error(
          { err: (err as Error).message, dir: backupFolder(this.o.dbFile) },
          'the database backup failed; trying again at the next interval',
        );
      }
      if (this.timer) this.schedule(this.o.intervalMs);
    }, step);
    this.timer.unref();
  }
}
