// A real MariaDB server for tests: Debian's mariadbd, a fresh data folder in a
// temporary folder made by mariadb-install-db, listening on a free loopback
// port (its socket in that folder too), with a database and a user holding
// only the rights a hub needs (docs/operating.md#mariadb-and-mysql). mariadbd
// refuses to run as root unless told whom to run as, and CI runs as root:
// then both programs get `--user=` the `mysql` system user (else `nobody`),
// in a folder that user owns. `--no-defaults` keeps the machine's own
// /etc/mysql settings out of it.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import type { MariaDbOptions } from '../store/mariadb/client';
import { connectMariaDb } from '../store/mariadb/client';
import type { MariaDb } from '../store/mariadb/connection';
import { freePort } from './free-port';

const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/** What a hub's config needs to reach the test server. */
export interface MariaDbSettings {
  Database: 'mariadb';
  DbServer: string;
  DbUser: string;
  DbPassword: string;
  DbName: string;
}

export interface TestMariaDb {
  port: number;
  /** The server's process while it runs. */
  pid(): number | undefined;
  settings: MariaDbSettings;
  /** Connection options for the hub's user, for stores opened by hand. */
  connection: MariaDbOptions;
  /** A new, empty database the same user may use, as a hub of its own would have. */
  newDatabase(): Promise<MariaDbSettings>;
  /** Runs SQL as the server's root user, in the test database, on one connection; the last result. */
  admin(...sql: string[]): Promise<unknown>;
  /** Empties every table of the test database (the schema version stays). */
  reset(): Promise<void>;
  /** Stops the server at once (SIGKILL), its data kept for `up`. */
  down(): Promise<void>;
  /** Starts a server that is `down` again, on the same port and data. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** The system user root runs the server as, or null when there is none. */
function serverUser(): string | null {
  for (const name of ['mysql', 'nobody']) {
    try {
      execFileSync('id', ['-u', name], { stdio: 'ignore' });
      return name;
    } catch {
      // no such user
    }
  }
  return null;
}

const asRoot = () => process.getuid?.() === 0;

/** Why MariaDB tests cannot run here, or undefined when they can. */
export function mariaDbUnavailable(): string | undefined {
  const missing = [SERVER, INSTALL_DB].filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    return `MariaDB is not installed (no ${missing.join(' or ')}; apt-get install mariadb-server)`;
  }
  if (asRoot() && !serverUser()) {
    return 'running as root with neither a mysql nor a nobody user to run MariaDB as';
  }
  return undefined;
}

const HUB_USER = 'lanboard';
const DATABASE = 'lanboard_test';
/** What the hub's user may do in its database, and no more (docs/operating.md#mariadb-and-mysql). */
export const HUB_GRANTS = 'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES';

export interface MariaDbServerOptions {
  /**
   * Every commit flushed to disk: what the crash test runs against. Off by
   * default, for speed: a commit is then written to the OS at once (survives
   * a SIGKILL of the server, as `down` needs) and flushed once a second.
   */
  durable?: boolean;
}

export async function startMariaDb(options: MariaDbServerOptions = {}): Promise<TestMariaDb> {
  const unavailable = mariaDbUnavailable();
  if (unavailable) throw new Error(unavailable);
  const user = asRoot() ? serverUser() : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-mariadb-'));
  if (user) {
    const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }));
    fs.chownSync(dir, id('-u'), id('-g'));
  }
  let child: ChildProcess | undefined;
  // A test process that ends without stop(), or a start that fails, leaves
  // no server and no folder behind.
  process.once('exit', () => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const data = path.join(dir, 'data');
  const socketPath = path.join(dir, 'mariadb.sock');
  const runAs = user ? [`--user=${user}`] : [];
  execFileSync(
    INSTALL_DB,
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...runAs,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { stdio: 'pipe' },
  );

  const port = await freePort();
  const launch = async () => {
    const args = [
      '--no-defaults',
      `--datadir=${data}`,
      ...runAs,
      '--bind-address=127.0.0.1',
      '--skip-networking=0',
      `--port=${port}`,
      `--socket=${socketPath}`,
      `--pid-file=${path.join(dir, 'mariadb.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      `--innodb-flush-log-at-trx-commit=${options.durable ? 1 : 2}`,
      `--innodb-doublewrite=${options.durable ? 1 : 0}`,
      '--max-connections=100',
    ];
    child = spawn(SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    // Its last words, for the error when it does not start.
    child.stderr!.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
    // The server never keeps a test process alive: the exit handler above ends it.
    child.unref();
    (child.stderr as Socket).unref();
    await waitForServer(socketPath, child, () => said);
  };
  const asAdmin = async <T>(use: (c: Connection) => Promise<T>): Promise<T> => {
    const c = await mysql.createConnection({ socketPath, user: 'root' });
    try {
      return await use(c);
    } finally {
      await c.end();
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
  const password = `test-${Math.random().toString(36).slice(2)}`;
  // The hub's user: from anywhere (the hub connects over TCP), with rights in
  // its own databases only; no FILE, PROCESS, SUPER or GRANT OPTION.
  await asAdmin((c) => c.query(`CREATE USER '${HUB_USER}'@'%' IDENTIFIED BY '${password}'`));
  const createDatabase = (name: string) =>
    asAdmin(async (c) => {
      await c.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
      await c.query(`GRANT ${HUB_GRANTS} ON ${name}.* TO '${HUB_USER}'@'%'`);
    });
  await createDatabase(DATABASE);
  let databases = 0;

  const connection: MariaDbOptions = {
    host: '127.0.0.1',
    port,
    user: HUB_USER,
    password,
    database: DATABASE,
  };
  const settings: MariaDbSettings = {
    Database: 'mariadb',
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
    admin: (...sql) =>
      asAdmin(async (c) => {
        await c.query(`USE ${DATABASE}`);
        let result: unknown;
        for (const s of sql) [result] = await c.query(s);
        return result;
      }),
    async newDatabase() {
      const name = `${DATABASE}_${++databases}`;
      await createDatabase(name);
      return { ...settings, DbName: name };
    },
    reset: () =>
      asAdmin(async (c) => {
        const [rows] = await c.query<mysql.RowDataPacket[]>(
          `SELECT table_name AS name FROM information_schema.tables
           WHERE table_schema = ? AND table_name <> 'lanboard_schema'`,
          [DATABASE],
        );
        // TRUNCATE refuses tables that foreign keys point at, unless told not to check.
        await c.query('SET foreign_key_checks = 0');
        for (const r of rows) await c.query(`TRUNCATE TABLE ${DATABASE}.${r.name as string}`);
      }),
    down: kill,
    up: launch,
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server accepts connections on its socket. */
async function waitForServer(
  socketPath: string,
  child: ChildProcess,
  said: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`mariadbd exited with ${child.exitCode}: ${said()}`);
    }
    try {
      const c = await mysql.createConnection({ socketPath, user: 'root' });
      await c.end();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`mariadbd on ${socketPath} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * A server for one test file's contract suites: `start` in `before`, `fresh`
 * before each test (a pool on emptied tables), `peer` for a second hub's own
 * pool, `stop` in `after`. Does nothing where `skip` says why it cannot run.
 */
export function mariaDbForSuites() {
  const skip = mariaDbUnavailable();
  let server: TestMariaDb | undefined;
  const pools: MariaDb[] = [];
  const peer = async () => {
    const db = await connectMariaDb(server!.connection);
    pools.push(db);
    return db;
  };
  return {
    skip,
    async start() {
      if (!skip) server = await startMariaDb();
    },
    async fresh(): Promise<MariaDb> {
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
