// Opens the pool of connections a hub keeps to MariaDB or MySQL
// (Database=mariadb, or zwibbler.conf's `mysql`), from DbServer (`host:port`
// as zwibserve's driver takes it, 3306 when left out, or the path of a local
// server's socket), DbUser, DbPassword and DbName, and brings the schema up to
// date. The hub loads `mysql2` only here, with a dynamic import
// (docs/architecture.md#startup-loads-what-is-used).
import type { PoolOptions, TypeCastField, TypeCastNext } from 'mysql2/promise';
import { ConfigError } from '../../config/load';
import { formatBytes } from '../../config/values';
import type { HubConfig } from '../../config/schema';
import type { Logger } from '../../log/logger';
import { MariaDb } from './connection';
import { migrateMariaDb } from './migrations';

/** MariaDB's and MySQL's port when DbServer names none. */
const DEFAULT_PORT = 3306;
/** Connections per hub unless DbPoolSize says: one statement or transaction each at a time. */
const POOL_SIZE = 10;
/** Unless DbQueryTimeoutSeconds says: a hung server is a loud fault, not a silent wait. */
const QUERY_TIMEOUT_MS = 15_000;

/** Where the server is, who the hub is there, and how much of it the hub may take. */
export type MariaDbOptions = Pick<
  PoolOptions,
  'host' | 'port' | 'socketPath' | 'user' | 'password' | 'database' | 'connectionLimit'
> & {
  /** A statement that takes longer fails. */
  queryTimeoutMs?: number;
};

/** `host`, `host:port`, `[v6]:port`, or the path of the server's socket. */
export function parseMariaDbServer(
  value: string,
): Pick<MariaDbOptions, 'host' | 'port' | 'socketPath'> {
  const v = value.trim();
  if (v.startsWith('/')) return { socketPath: v };
  const match = /^(\[[^\]]+\]|[^:[\]/]+)(?::(\d{1,5}))?$/.exec(v);
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(
      `DbServer="${value}" is not valid for Database=mariadb: expected host:port, or the path of the server's socket`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The pool options a hub's config gives. */
export function mariaDbOptions(
  config: Pick<
    HubConfig,
    'DbServer' | 'DbUser' | 'DbPassword' | 'DbName' | 'DbPoolSize' | 'DbQueryTimeoutSeconds'
  >,
): MariaDbOptions {
  return {
    ...parseMariaDbServer(config.DbServer),
    user: config.DbUser || undefined,
    password: config.DbPassword || undefined,
    database: config.DbName,
    // The hub lock holds one connection of the pool for as long as the hub
    // runs (hub-lock.ts): DbPoolSize are left for the stores.
    connectionLimit: config.DbPoolSize + 1,
    queryTimeoutMs: config.DbQueryTimeoutSeconds * 1000,
  };
}

/**
 * How columns come back: identifiers are kept in VARBINARY columns (exact
 * bytes, no collation folding "A" into "a" or ignoring trailing spaces) and
 * read as UTF-8 strings; booleans are TINYINT(1). Everything else is the
 * driver's: BLOBs as Buffers, TEXT as strings, BIGINT and sums as numbers
 * (lengths, times and counts, all below 2^53).
 */
export function readColumn(field: TypeCastField, next: TypeCastNext): unknown {
  if (field.type === 'VAR_STRING') return field.string('utf8');
  if (field.type === 'TINY' && field.length === 1) {
    const v = field.string();
    return v === null ? null : v === '1';
  }
  return next();
}

/**
 * Loads `mysql2`, opens a pool with `options` and migrates the schema. `log`
 * hears of connections that fail while idle (the pool drops them; the next
 * statement opens a new one).
 */
export async function connectMariaDb(options: MariaDbOptions, log?: Logger): Promise<MariaDb> {
  const { default: mysql } = await import('mysql2/promise');
  const { connectionLimit = POOL_SIZE, queryTimeoutMs = QUERY_TIMEOUT_MS, ...rest } = options;
  const pool = mysql.createPool({
    connectionLimit,
    maxIdle: connectionLimit,
    connectTimeout: 5000,
    enableKeepAlive: true,
    charset: 'utf8mb4_general_ci',
    decimalNumbers: true,
    typeCast: readColumn,
    // Never several statements in one string: parameters are all a client gives.
    multipleStatements: false,
    // Prepared statements (writes that carry bytes) kept per connection; the
    // server's max_prepared_stmt_count (16382 by default) is shared by all.
    maxPreparedStatements: 100,
    ...rest,
  });
  pool.on('connection', (connection) => {
    connection.on('error', (err) =>
      log?.warn({ err: err.message }, 'a MariaDB connection failed; it is replaced'),
    );
  });
  const db = new MariaDb(pool, queryTimeoutMs);
  try {
    await migrateMariaDb(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** Room for the statement around the largest value it carries. */
const STATEMENT_OVERHEAD = 1024 * 1024;

/**
 * The server's max_allowed_packet against the largest value the hub writes or
 * reads in one row: a message (an append, a Yjs update) or a compacted Yjs
 * room. A smaller limit fails those writes loudly, one by one; better said
 * once, at start, with what to set.
 */
export async function packetTooSmall(
  db: MariaDb,
  config: Pick<HubConfig, 'MaxMessageBytes' | 'YjsMaxUpdateBytes' | 'YjsMaxRoomBytes'>,
): Promise<string | undefined> {
  const row = await db.row<{ packet: number }>('SELECT @@max_allowed_packet AS packet');
  const largest = Math.max(
    config.MaxMessageBytes,
    config.YjsMaxUpdateBytes,
    config.YjsMaxRoomBytes,
  );
  const needed = largest + STATEMENT_OVERHEAD;
  if (row!.packet >= needed) return undefined;
  return `the MariaDB server's max_allowed_packet is ${formatBytes(row!.packet)}, below the largest row the hub may write (${formatBytes(largest)}, the largest of MaxMessageBytes, YjsMaxUpdateBytes and YjsMaxRoomBytes): such writes will fail; set max_allowed_packet=${Math.ceil(needed / 2 ** 20)}M on the server, or lower those settings`;
}

/** The hub's pool, or a ConfigError naming the server when it cannot be reached or used. */
export async function openMariaDb(config: HubConfig, log?: Logger): Promise<MariaDb> {
  const options = mariaDbOptions(config);
  let db: MariaDb | undefined;
  let warning: string | undefined;
  try {
    db = await connectMariaDb(options, log);
    warning = await packetTooSmall(db, config);
  } catch (err) {
    await db?.close();
    throw new ConfigError(
      `Database=mariadb: cannot use database "${config.DbName}" at DbServer="${config.DbServer}" as user "${config.DbUser}": ${(err as Error).message}`,
    );
  }
  if (warning) log?.warn(warning);
  return db;
}
