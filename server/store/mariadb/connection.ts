// What every MariaDB/MySQL store shares: the hub's pool of connections to the
// server, statements, transactions, and the health check. Opening the pool is
// in client.ts, the one module that loads `mysql2`, so that a hub without
// MariaDB never does. A statement outside a transaction commits on its own
// (autocommit), and a transaction commits before its Promise resolves; with
// InnoDB's default innodb_flush_log_at_trx_commit=1 the commit is on disk by
// then, so the stores tell clients nothing that is not stored.
import type {
  ExecuteValues,
  Pool,
  PoolConnection,
  QueryValues,
  ResultSetHeader,
  RowDataPacket,
} from 'mysql2/promise';
import { raceHealthCheck } from '../health-race';

/** Parameters, escaped by the driver: strings, numbers, booleans, Buffers, null, arrays for IN (?). */
export type Params = readonly unknown[];

/** Statements on the pool or, inside a transaction, on its one connection. */
export interface Statements {
  /** The rows a SELECT returns. */
  rows<R>(sql: string, params?: Params): Promise<R[]>;
  /** The first row, or null. */
  row<R>(sql: string, params?: Params): Promise<R | null>;
  /** How many rows an INSERT, UPDATE or DELETE matched. */
  run(sql: string, params?: Params): Promise<number>;
  /** Inserts, or answers false when a row with the same key exists (nothing is changed). */
  insertNew(sql: string, params?: Params): Promise<boolean>;
}

type Runner = Pick<Pool, 'query' | 'execute'> | Pick<PoolConnection, 'query' | 'execute'>;

/** MySQL's "Duplicate entry" error. */
const DUPLICATE_KEY = 1062;

/** `timeout`: milliseconds after which a statement fails, a loud fault rather than a silent wait on a hung server. */
function statementsOn(on: Runner, timeout: number): Statements {
  const rows = async <R>(sql: string, params: Params = []) =>
    (await on.query<RowDataPacket[]>({ sql, timeout }, params as QueryValues))[0] as R[];
  const run = async (sql: string, params: Params = []) => {
    const options = { sql, timeout };
    // Bytes go as a prepared statement's binary parameters: in a text query
    // they would be hex, twice their size against max_allowed_packet.
    const [header] = params.some((p) => Buffer.isBuffer(p))
      ? await on.execute<ResultSetHeader>(options, params as ExecuteValues)
      : await on.query<ResultSetHeader>(options, params as QueryValues);
    // The pool asks for found rows: an UPDATE that matched counts, changed or not.
    return header.affectedRows;
  };
  return {
    rows,
    row: async <R>(sql: string, params?: Params) => (await rows<R>(sql, params))[0] ?? null,
    run,
    async insertNew(sql, params) {
      try {
        await run(sql, params);
        return true;
      } catch (err) {
        // InnoDB undoes only the failed statement: a transaction goes on.
        if ((err as { errno?: number }).errno === DUPLICATE_KEY) return false;
        throw err;
      }
    },
  };
}

export class MariaDb implements Statements {
  /** One health query at a time: a monitor polling a hung server adds no more. */
  private health: Promise<unknown> | undefined;
  private readonly statements: Statements;
  private closed = false;

  constructor(
    readonly pool: Pool,
    /** Milliseconds after which a statement fails (DbQueryTimeoutSeconds). */
    private readonly queryTimeoutMs: number,
  ) {
    this.statements = statementsOn(pool, queryTimeoutMs);
  }

  rows<R>(sql: string, params?: Params): Promise<R[]> {
    return this.statements.rows<R>(sql, params);
  }
  row<R>(sql: string, params?: Params): Promise<R | null> {
    return this.statements.row<R>(sql, params);
  }
  run(sql: string, params?: Params): Promise<number> {
    return this.statements.run(sql, params);
  }
  insertNew(sql: string, params?: Params): Promise<boolean> {
    return this.statements.insertNew(sql, params);
  }

  /**
   * Runs `work` in one transaction on one connection, committed before the
   * Promise resolves; any error rolls it back. A connection whose rollback
   * failed is closed rather than returned to the pool.
   */
  async transaction<T>(work: (tx: Statements) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    let broken = false;
    try {
      await connection.beginTransaction();
      const result = await work(statementsOn(connection, this.queryTimeoutMs));
      await connection.commit();
      return result;
    } catch (err) {
      await connection.rollback().catch(() => (broken = true));
      throw err;
    } finally {
      if (broken) connection.destroy();
      else connection.release();
    }
  }

  /**
   * Throws, within about a second, when the server cannot serve the hub now:
   * refused, unreachable, or connected but not answering.
   */
  async checkHealth(): Promise<void> {
    this.health ??= this.rows('SELECT 1').finally(() => (this.health = undefined));
    await raceHealthCheck(this.health, 'MariaDB');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** A BLOB read back, as the plain Uint8Array the contracts compare. */
export const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/** Bytes for a BLOB parameter, without copying. */
export const blob = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.length);

/**
 * Expiration: deletes the rows of `table` (keyed by `key`) last used before
 * `cutoff` unless `keep(key)`, and returns the keys deleted. The rows are
 * locked as they are chosen, so a row another hub uses meanwhile either waits
 * for the delete or is used first and then no longer chosen.
 */
export async function deleteStale(
  db: MariaDb,
  table: string,
  key: string,
  cutoff: number,
  keep: (key: string) => boolean,
  /** What else goes with the deleted rows, in the same transaction. */
  alsoDelete?: (tx: Statements, gone: string[]) => Promise<unknown>,
): Promise<string[]> {
  const stale = await db.rows<{ key: string }>(
    `SELECT ${key} AS \`key\` FROM ${table} WHERE last_access < ?`,
    [cutoff],
  );
  const candidates = stale.map((r) => r.key).filter((k) => !keep(k));
  if (candidates.length === 0) return [];
  return db.transaction(async (tx) => {
    const still = await tx.rows<{ key: string }>(
      `SELECT ${key} AS \`key\` FROM ${table} WHERE ${key} IN (?) AND last_access < ? FOR UPDATE`,
      [candidates, cutoff],
    );
    const gone = still.map((r) => r.key);
    if (gone.length === 0) return gone;
    await tx.run(`DELETE FROM ${table} WHERE ${key} IN (?)`, [gone]);
    await alsoDelete?.(tx, gone);
    return gone;
  });
}
