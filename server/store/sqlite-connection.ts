// What every store beside the document store shares when it keeps its data in
// the hub's SQLite file (workspaces, Yjs rooms, classes): a connection of its
// own, migrated, its prepared statements, the clock, and closing twice safely.
import type Database from 'better-sqlite3';
import { openDatabase } from './sqlite-migrations';
import { probeWrite } from './sqlite-probe';
import type { SqliteStoreOptions } from './sqlite-store';

export abstract class SqliteConnection<Statements> {
  readonly kind = 'sqlite';
  protected readonly db: Database.Database;
  protected readonly q: Statements;
  protected readonly now: () => number;

  constructor(
    readonly file: string,
    options: SqliteStoreOptions,
    prepare: (db: Database.Database) => Statements,
  ) {
    this.now = options.now ?? Date.now;
    this.db = openDatabase(file, options.synchronous);
    this.q = prepare(this.db);
  }

  /** Resolves once a write commits on this connection (the background probe while writes fail). */
  async probeWrite(): Promise<void> {
    probeWrite(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
