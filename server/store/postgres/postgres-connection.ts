// What every PostgreSQL store shares: the hub's pool of connections to the
// server, one-statement queries, transactions, and the health check. Opening
// the pool is in postgres-client.ts, the one module that loads `pg`, so that a
// hub without PostgreSQL never does. A query resolves after PostgreSQL has
// committed it (synchronous_commit is the server's; its default waits for the
// WAL to be flushed), so the stores tell clients nothing that is not stored.
import type { Client, Pool, PoolClient, QueryResultRow } from 'pg';
import { raceHealthCheck } from '../health-race';

/** Runs one statement: a pool's or, inside a transaction, its connection's. */
export type Query = <R extends QueryResultRow = QueryResultRow>(
  sql: string,
  params?: readonly unknown[],
) => Promise<R[]>;

export class PostgresDb {
  /** One health query at a time: a monitor polling a hung server adds no more. */
  private health: Promise<unknown> | undefined;

  constructor(
    readonly pool: Pool,
    /** A connection of its own, outside the pool, with the pool's settings and this name. */
    private readonly newClient: (applicationName: string) => Client,
  ) {}

  /**
   * Opens a connection outside the pool, for a session that must last (the
   * bus's LISTEN, a lock): the caller ends it, and hears of its failure on
   * its 'error' event. `applicationName` is what pg_stat_activity shows.
   */
  async dedicated(applicationName: string): Promise<Client> {
    const client = this.newClient(applicationName);
    try {
      await client.connect();
      return client;
    } catch (err) {
      client.on('error', () => undefined); // already failed; nothing more to say
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  readonly query: Query = async <R extends QueryResultRow>(
    sql: string,
    params: readonly unknown[] = [],
  ) => (await this.pool.query<R>(sql, params as unknown[])).rows;

  /** The first row, or null: a lookup by key, or an UPDATE ... RETURNING. */
  async row<R extends QueryResultRow>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<R | null> {
    return (await this.query<R>(sql, params))[0] ?? null;
  }

  /**
   * Runs `work` in one transaction on one connection, committed before the
   * Promise resolves; any error rolls it back. A connection that failed is
   * dropped from the pool rather than reused.
   */
  async transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const query = onClient(client);
    let broken: Error | undefined;
    // pg-pool stops listening to a connection it lends: one the server ends
    // between two statements would be an uncaught 'error' and end the hub.
    const lost = (err: Error) => (broken = err);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const result = await work(query);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  /**
   * Throws, within about a second, when PostgreSQL cannot serve the hub now:
   * refused, unreachable, or connected but not answering.
   */
  async checkHealth(): Promise<void> {
    this.health ??= this.query('SELECT 1').finally(() => (this.health = undefined));
    await raceHealthCheck(this.health, 'PostgreSQL');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

function onClient(client: PoolClient): Query {
  return async <R extends QueryResultRow>(sql: string, params: readonly unknown[] = []) =>
    (await client.query<R>(sql, params as unknown[])).rows;
}

/** Bytes for a bytea parameter, without copying. */
export const bytea = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.length);

/** A bytea read back, as the plain Uint8Array the contracts compare. */
export const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/**
 * Expiration: deletes the rows of `table` (keyed by `key`) last used before
 * `cutoff` unless `keep(key)`, and returns the keys deleted. The age is checked
 * again as each row goes: another hub may have used it meanwhile.
 */
export async function deleteStale(
  db: PostgresDb,
  table: string,
  key: string,
  cutoff: number,
  keep: (key: string) => boolean,
): Promise<string[]> {
  const stale = await db.query<{ key: string }>(
    `SELECT ${key} AS key FROM ${table} WHERE last_access < $1`,
    [cutoff],
  );
  const gone = await db.query<{ key: string }>(
    `DELETE FROM ${table} WHERE ${key} = ANY($1) AND last_access < $2 RETURNING ${key} AS key`,
    [stale.map((r) => r.key).filter((k) => !keep(k)), cutoff],
  );
  return gone.map((r) => r.key);
}
