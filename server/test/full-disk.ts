// A really full database for write-fault tests: PRAGMA max_page_count on the
// hub's own connection to its SQLite file, so the next write that needs a new
// page fails with SQLITE_FULL ("database or disk is full"), as on a full
// disk. Tests run as root, so file modes cannot fake a fault; this can. A
// read-only one too: PRAGMA query_only, so that every write fails with
// SQLITE_READONLY ("attempt to write a readonly database") and reads work.
// Undone, the fault clears by itself (the stores' background probe), which
// watchFaults sees as the dashboard does.
import type Database from 'better-sqlite3';
import { adminEvents } from './admin-client';
import { SqliteClassroomStore } from '../store/sqlite-class-store';
import { SqliteStore } from '../store/sqlite-store';
import { SqliteWorkspaceStore } from '../store/sqlite-workspace-store';
import { SqliteYjsStore } from '../store/sqlite-yjs-store';

/** No page may be added to the file through this connection. */
export function fill(db: Database.Database): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
}

/** Room again: SQLite's own largest page count. */
export function empty(db: Database.Database): void {
  db.pragma('max_page_count = 1073741823');
}

/** Reads only, through this connection; `writable` undoes it. */
export function readOnly(db: Database.Database): void {
  db.pragma('query_only = 1');
}

export function writable(db: Database.Database): void {
  db.pragma('query_only = 0');
}

/**
 * The dashboard's view of the hub's write faults, from its event stream (what
 * its banner shows): `cleared` resolves once a fault was listed and then none.
 */
export function watchFaults(httpUrl: string, adminToken: string) {
  const events = adminEvents(httpUrl, adminToken);
  const lists = () =>
    events.received.filter((r) => r.type === 'storage-faults').map((r) => r.data as unknown[]);
  return {
    cleared: () =>
      events.until(
        () => {
          const all = lists();
          const failed = all.findIndex((l) => l.length > 0);
          return failed >= 0 && all.slice(failed + 1).some((l) => l.length === 0);
        },
        10_000,
        'the dashboard never heard the fault clear',
      ),
    close: () => events.close(),
  };
}

/** The hub's Yjs store, whose connection a test can fill up (HubOptions.yjsStore). */
export class FillableYjsStore extends SqliteYjsStore {
  fill = (): void => fill(this.db);
  empty = (): void => empty(this.db);
  readOnly = (): void => readOnly(this.db);
  writable = (): void => writable(this.db);
}

/** The hub's document store, whose connection a test can fill up (HubOptions.store). */
export class FillableDocumentStore extends SqliteStore {
  fill = (): void => fill(this.db);
  empty = (): void => empty(this.db);
  readOnly = (): void => readOnly(this.db);
  writable = (): void => writable(this.db);
}

/** The hub's class store, whose connection a test can fill up (HubOptions.classStore). */
export class FillableClassStore extends SqliteClassroomStore {
  fill = (): void => fill(this.db);
  empty = (): void => empty(this.db);
  readOnly = (): void => readOnly(this.db);
  writable = (): void => writable(this.db);
}

/** The hub's workspace store, whose connection a test can fill up (HubOptions.workspaceStore). */
export class FillableWorkspaceStore extends SqliteWorkspaceStore {
  fill = (): void => fill(this.db);
  empty = (): void => empty(this.db);
  readOnly = (): void => readOnly(this.db);
  writable = (): void => writable(this.db);
}
