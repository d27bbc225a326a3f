// The integrity check at start (docs/operating.md#a-damaged-database).
// `PRAGMA quick_check(1)` reads every page of the file once and stops at the
// first problem: its cost grows with the file and nothing else (about a second
// per GiB here: docs/benchmarks.md#sqlite-integrity-check-and-backups), so it
// runs on a worker thread (sqlite-off-thread.ts) and the hub may serve before
// it ends. The full integrity_check also matches every index against its
// table, which costs several times more and finds damage that quick_check
// would only miss inside an index's entries.
//
// A file found damaged while the hub already serves it takes no more writes:
// every connection the hub's stores hold on it turns `query_only`, so a write
// fails loudly (as on a read-only file) instead of being acknowledged into
// pages that may not hold it.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { runOffThread } from './sqlite-off-thread';

/** SQLite's own words for a file whose pages are not what they should be. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** True for an error SQLite raises when it reads a damaged page or a file that is no database. */
export function isDamage(err: unknown): boolean {
  return DAMAGE_CODES.test((err as { code?: unknown }).code?.toString() ?? '');
}

/**
 * Checks the SQLite file, if there is one, off the main thread: the first
 * problem found, as one line, or undefined when the file is sound, empty or
 * not there yet. An error that says nothing of the file's pages (a folder it
 * cannot open, say) is left for opening the store to report.
 */
export async function checkIntegrity(file: string): Promise<string | undefined> {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  try {
    const rows = await runOffThread<{ quick_check: string }>(file, 'PRAGMA quick_check(1)');
    const first = rows[0]?.quick_check ?? 'ok';
    return first === 'ok' ? undefined : oneLine(first);
  } catch (err) {
    if (isDamage(err)) return oneLine((err as Error).message);
    return undefined;
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The stores' open connections, by file: what refuseWrites turns read-only. */
const connections = new Map<string, Set<Database.Database>>();

/** Records a store's connection to its file (openDatabase calls it). */
export function trackConnection(db: Database.Database): void {
  // Closed ones go here, so hubs opened and closed one after another leave nothing behind.
  for (const [file, set] of connections) {
    for (const open of set) if (!open.open) set.delete(open);
    if (set.size === 0) connections.delete(file);
  }
  const file = path.resolve(db.name);
  let set = connections.get(file);
  if (!set) connections.set(file, (set = new Set()));
  set.add(db);
}

/** Every open connection to `file` refuses writes from now on (SQLITE_READONLY); how many. */
export function refuseWrites(file: string): number {
  let count = 0;
  for (const db of connections.get(path.resolve(file)) ?? []) {
    if (!db.open) continue;
    db.pragma('query_only = ON');
    count++;
  }
  return count;
}
