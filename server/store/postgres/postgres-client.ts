// Opens the pool of connections a hub keeps to PostgreSQL (Database=postgresql),
// from zwibbler.conf's DbServer (`host:port`, 5432 when left out, or the folder
// of a local server's socket), DbUser, DbPassword and DbName, and brings the
// schema up to date. The hub loads `pg` only here, with a dynamic import
// (docs/architecture.md#startup-loads-what-is-used).
import type { PoolConfig } from 'pg';
import { ConfigError } from '../../config/load';
import type { HubConfig } from '../../config/schema';
import type { Logger } from '../../log/logger';
import { PostgresDb } from './postgres-connection';
import { migratePostgres } from './postgres-migrations';

/** PostgreSQL's port when DbServer names none. */
const DEFAULT_PORT = 5432;
/** Connections per hub unless DbPoolSize says: one statement or transaction each at a time. */
const POOL_SIZE = 10;
/** Unless DbQueryTimeoutSeconds says: a hung server is a loud fault, not a silent wait. */
const QUERY_TIMEOUT_MS = 15_000;
/** bigint's type ID: lengths, times and counts, all below 2^53, read as numbers. */
const INT8_OID = 20;

type Endpoint = Pick<PoolConfig, 'host' | 'port'>;

/** `host`, `host:port`, `[v6]:port`, or a socket folder (an absolute path). */
export function parsePostgresServer(value: string): Endpoint {
  const v = value.trim();
  if (v.startsWith('/')) return { host: v, port: DEFAULT_PORT };
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(v);
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(
      `DbServer="${value}" is not valid for Database=postgresql: expected host:port, or the folder of the server's socket`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The pool options a hub's config gives. */
export function postgresOptions(
  config: Pick<
    HubConfig,
    | 'DbServer'
    | 'DbUser'
    | 'DbPassword'
    | 'DbName'
    | 'DbSslMode'
    | 'DbPoolSize'
    | 'DbQueryTimeoutSeconds'
  >,
): PoolConfig {
  return {
    ...parsePostgresServer(config.DbServer),
    user: config.DbUser || undefined,
    password: config.DbPassword || undefined,
    database: config.DbName,
    ssl: tlsOptions(config.DbSslMode),
    max: config.DbPoolSize,
    query_timeout: config.DbQueryTimeoutSeconds * 1000,
  };
}

/** libpq's sslmode as node-postgres' `ssl`: Node's own CAs, and NODE_EXTRA_CA_CERTS. */
function tlsOptions(mode: HubConfig['DbSslMode']): PoolConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/**
 * Loads `pg`, opens a pool with `options` and migrates the schema. `log`
 * hears of connections that fail while idle (the pool drops them; the next
 * query opens a new one).
 */
export async function connectPostgres(options: PoolConfig, log?: Logger): Promise<PostgresDb> {
  const { default: pg } = await import('pg');
  const { max = POOL_SIZE, ...rest } = options;
  const connection = {
    application_name: 'lanboard',
    connectionTimeoutMillis: 5000,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    ...rest,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as never,
    },
  };
  const pool = new pg.Pool({ max, ...connection });
  pool.on('error', (err) =>
    log?.warn({ err: err.message }, 'an idle PostgreSQL connection failed; it is replaced'),
  );
  const db = new PostgresDb(
    pool,
    (name) => new pg.Client({ ...connection, application_name: name }),
  );
  try {
    await migratePostgres(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The hub's pool, or a ConfigError naming the server when it cannot be reached or used. */
export async function openPostgres(config: HubConfig, log?: Logger): Promise<PostgresDb> {
  const options = postgresOptions(config);
  try {
    return await connectPostgres(options, log);
  } catch (err) {
    throw new ConfigError(
      `Database=postgresql: cannot use database "${config.DbName}" at DbServer="${config.DbServer}" as user "${config.DbUser}": ${(err as Error).message}`,
    );
  }
}
