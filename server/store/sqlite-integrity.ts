// The integrity check at start (docs/operating.md#a-damaged-database).
// `PRAGMA quick_check(1)` reads every page of the file once and stops at the
// first problem: its cost grows with the file and nothing else (about a second
// per GiB here: docs/benchmarks.md#sqlite-integrity-check-and-backups). The
// full integrity_check also matches every index against its table, which
// costs several times more and finds damage that quick_check would only miss
// inside an index's entries.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { SqliteDatabase } from './sqlite-driver';

/** SQLite's own words for a file whose pages are not what they should be. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** True for an error SQLite raises when it reads a damaged page or a file that is no database. */
export function isDamage(err: unknown): boolean {
  return DAMAGE_CODES.test((err as { code?: unknown }).code?.toString() ?? '');
}

/**
 * Checks the SQLite file, if there is one: the first problem found, as one
 * line, or undefined when the file is sound, empty or not there yet. An error
 * that says nothing of the file's pages (a folder it cannot open, say) is left
 * for opening the store to report.
 */
export function checkIntegrity(file: string): string | undefined {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new SqliteDatabase(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const rows = db.pragma('quick_check(1)', { simple: false }) as { quick_check: string }[];
    const first = rows[0]?.quick_check ?? 'ok';
    return first === 'ok' ? undefined : oneLine(first);
  } catch (err) {
    if (isDamage(err)) return oneLine((err as Error).message);
    return undefined;
  } finally {
    db?.close();
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
