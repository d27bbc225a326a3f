// A real PostgreSQL server for tests: Debian's binaries, a fresh cluster in a
// temporary folder, listening on a free loopback port (its socket in that
// folder too), with a database and a user holding only what a hub needs
// (docs/operating.md#postgresql). initdb and postgres refuse to run as root,
// and CI runs as root: then both run as the `postgres` system user (else
// `nobody`), through setpriv, in a folder that user owns.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectPostgres } from '../store/postgres/postgres-client';
import type { PostgresDb } from '../store/postgres/postgres-connection';
import { freePort } from './free-port';

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** What a hub's config needs to reach the test server. */
export interface PostgresSettings {
  Database: 'postgresql';
  DbServer: string;
  DbUser: string;
  DbPassword: string;
  DbName: string;
}

export interface TestPostgres {
  port: number;
  /** The postmaster's process ID while it runs (its backends are its children). */
  pid(): number | undefined;
  settings: PostgresSettings;
  /** Connection options for the hub's user, for stores opened by hand. */
  connection: pg.PoolConfig;
  /** A new, empty database the same user may use, as a hub of its own would have. */
  newDatabase(): Promise<PostgresSettings>;
  /** Runs SQL as the cluster's superuser in the test database. */
  admin(sql: string): Promise<pg.QueryResult>;
  /** Empties every table of the hub's schema (the schema version stays). */
  reset(): Promise<void>;
  /** Stops the server at once (SIGKILL), its data kept for `up`. */
  down(): Promise<void>;
  /** Starts a server that is `down` again, on the same port and data. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest PostgreSQL under /usr/lib/postgresql that has both programs, or null. */
function binaries(): string | null {
  let versions: string[];
  try {
    versions = fs.readdirSync(DEBIAN_ROOT);
  } catch {
    return null;
  }
  const usable = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .map((v) => path.join(DEBIAN_ROOT, v, 'bin'))
    .filter((bin) => ['initdb', 'postgres'].every((p) => fs.existsSync(path.join(bin, p))))
    .sort(
      (a, b) =>
        parseFloat(path.basename(path.dirname(b))) - parseFloat(path.basename(path.dirname(a))),
    );
  return usable[0] ?? null;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!binaries()) {
    return `PostgreSQL is not installed (no ${DEBIAN_ROOT}/<version>/bin/initdb and postgres; apt-get install postgresql)`;
  }
  if (process.getuid?.() === 0 && !unprivilegedUser()) {
    return 'running as root with neither a postgres nor a nobody user to run PostgreSQL as';
  }
  return undefined;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Root runs the server as an unprivileged user; anyone else runs it as themselves. */
function unprivilegedUser(): RunAs | null {
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user
    }
  }
  return null;
}

function command(bin: string, program: string, args: string[], runAs: RunAs | null) {
  const file = path.join(bin, program);
  if (!runAs) return { file, args };
  return {
    file: 'setpriv',
    args: [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', file, ...args],
  };
}

const ADMIN = 'test_admin';
const HUB_USER = 'lanboard';
const DATABASE = 'lanboard_test';

export interface PostgresOptions {
  /** fsync on: what the crash test runs against (off by default, for speed). */
  durable?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const unavailable = postgresUnavailable();
  if (unavailable) throw new Error(unavailable);
  const bin = binaries()!;
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-postgres-'));
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  let child: ChildProcess | undefined;
  // A test process that ends without stop(), or a start that fails, leaves
  // no server and no folder behind.
  process.once('exit', () => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const data = path.join(dir, 'data');
  const password = `test-${Math.random().toString(36).slice(2)}`;
  const init = command(
    bin,
    'initdb',
    [
      '-D',
      data,
      '-U',
      ADMIN,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
    runAs,
  );
  execFileSync(init.file, init.args, { stdio: 'pipe' });

  const port = await freePort();
  const launch = async () => {
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `fsync=${options.durable ? 'on' : 'off'}`,
      '-c',
      `full_page_writes=${options.durable ? 'on' : 'off'}`,
      '-c',
      'max_connections=60',
    ];
    const run = command(bin, 'postgres', args, runAs);
    child = spawn(run.file, run.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    // Its last words, for the error when it does not start.
    child.stderr!.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
    // The server never keeps a test process alive: the exit handler below ends it.
    child.unref();
    (child.stderr as Socket).unref();
    await waitForServer(dir, port, child, () => said);
  };
  const admin = async (sql: string, database = DATABASE) => {
    const client = new pg.Client({ host: dir, port, user: ADMIN, database });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.ref(); // unref'd while it runs; waiting for its end must keep this process up
    c.kill('SIGKILL');
    await exited;
  };

  await launch();
  // The hub's user: no superuser, no CREATEDB, no CREATEROLE; it may connect
  // to its database, and owns one schema named after it (first on its
  // default search_path), where its migrations create the tables.
  await admin(`CREATE ROLE ${HUB_USER} LOGIN PASSWORD '${password}'`, 'postgres');
  const createDatabase = async (name: string) => {
    await admin(`CREATE DATABASE ${name}`, 'postgres');
    await admin(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`, 'postgres');
    await admin(`GRANT CONNECT ON DATABASE ${name} TO ${HUB_USER}`, 'postgres');
    await admin(`REVOKE ALL ON SCHEMA public FROM PUBLIC`, name);
    await admin(`CREATE SCHEMA ${HUB_USER} AUTHORIZATION ${HUB_USER}`, name);
  };
  await createDatabase(DATABASE);
  let databases = 0;

  const connection: pg.PoolConfig = {
    host: '127.0.0.1',
    port,
    user: HUB_USER,
    password,
    database: DATABASE,
  };
  const settings: PostgresSettings = {
    Database: 'postgresql',
    DbServer: `127.0.0.1:${port}`,
    DbUser: HUB_USER,
    DbPassword: password,
    DbName: DATABASE,
  };
  return {
    port,
    pid: () => child?.pid,
    connection,
    settings,
    admin: (sql) => admin(sql),
    async newDatabase() {
      const name = `${DATABASE}_${++databases}`;
      await createDatabase(name);
      return { ...settings, DbName: name };
    },
    async reset() {
      const client = new pg.Client(connection);
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(
          `SELECT quote_ident(tablename) AS name FROM pg_tables
           WHERE schemaname = $1 AND tablename <> 'lanboard_schema'`,
          [HUB_USER],
        );
        if (rows.length > 0) {
          await client.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY`);
        }
      } finally {
        await client.end();
      }
    },
    down: kill,
    up: launch,
    async stop() {
      child?.kill('SIGCONT');
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server accepts connections on its socket. */
async function waitForServer(
  dir: string,
  port: number,
  child: ChildProcess,
  said: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`postgres exited with ${child.exitCode}: ${said()}`);
    }
    const client = new pg.Client({ host: dir, port, user: ADMIN, database: 'postgres' });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * A server for one test file's contract suites: `start` in `before`, `fresh`
 * before each test (a pool on emptied tables), `peer` for a second hub's own
 * pool, `stop` in `after`. Does nothing where `skip` says why it cannot run.
 */
export function postgresForSuites() {
  const skip = postgresUnavailable();
  let server: TestPostgres | undefined;
  const pools: PostgresDb[] = [];
  const peer = async () => {
    const db = await connectPostgres(server!.connection);
    pools.push(db);
    return db;
  };
  return {
    skip,
    async start() {
      if (!skip) server = await startPostgres();
    },
    async fresh(): Promise<PostgresDb> {
      await server!.reset();
      return pools[0] ?? peer();
    },
    peer,
    async stop() {
      for (const db of pools.splice(0)) await db.close();
      await server?.stop();
    },
  };
}
