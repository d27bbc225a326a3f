// One SQLite statement on a worker thread, on a connection of its own, for the
// work that reads the whole file: the integrity check at start and a scheduled
// backup (seconds on a GiB file). better-sqlite3 is synchronous, so on the
// main thread either would stop the hub answering anyone meanwhile. In WAL
// mode the worker's read transaction never blocks the hub's writers.
//
// The worker's code is a string (`eval`) rather than a file of its own, so the
// compiled hub and the desktop app's bundle need no second entry point; it
// loads better-sqlite3 by the path this module resolves. It is unref'd: a hub
// that stops does not wait for it (a backup left half-written stays under its
// temporary name, which the next one removes).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const statement = db.prepare(workerData.sql);
  const rows = statement.reader ? statement.all(...workerData.params) : (statement.run(...workerData.params), []);
  parentPort.postMessage({ rows });
} catch (err) {
  parentPort.postMessage({ error: { message: String(err && err.message), code: err && err.code } });
} finally {
  if (db && db.open) db.close();
}
`;

let driver: string | undefined;

/** An error as SQLite raised it in the worker: its message and its code (SQLITE_CORRUPT…). */
export class OffThreadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'OffThreadError';
  }
}

/** Runs `sql` with `params` on `file` (which must exist) in a worker thread; the rows it read. */
export function runOffThread<Row = unknown>(
  file: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  // In the desktop app better-sqlite3 lies unpacked beside the asar archive,
  // and a worker thread is not promised Electron's reading of the archive.
  driver ??= createRequire(import.meta.url)
    .resolve('better-sqlite3')
    .replace(/\bapp\.asar(?=[\\/])/, 'app.asar.unpacked');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, sql, params },
    });
    worker.unref();
    let settled = false;
    worker.once('message', (m: { rows?: Row[]; error?: { message: string; code?: string } }) => {
      settled = true;
      if (m.error) reject(new OffThreadError(m.error.message, m.error.code));
      else resolve(m.rows ?? []);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the SQLite worker exited with code ${code}`));
    });
  });
}
