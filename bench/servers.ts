// The servers the benchmark compares, each started fresh as its own process on
// 127.0.0.1 (Lanboard with mDNS off). Zwibbler scenarios run on the baseline
// and Lanboard; Yjs scenarios on Lanboard, the stock y-websocket server and
// Hocuspocus 3.4 and 4.x (4 on Node 22 or later: see hocuspocusNode). Each kind of scenario has a reference server its rows are
// compared with. The cross-hub scenario runs one hub on SQLite (the reference),
// one hub on Redis, three hubs sharing one Redis, the same two on one
// PostgreSQL, and one hub on MariaDB (which has no fan-out across hubs), the
// clients spread over the hubs; its server CPU and memory are those of every
// hub and redis-server, or of the SQL server and its backends.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { SQL_SERVERS, sqlEnv } from '../server/test/sql-servers';
import { start, tempDir, waitForLine, withDescendants } from './processes';
import type { Child } from './processes';
import type { ScenarioKind } from './scenarios';

export type ServerName =
  | 'lanboard-memory'
  | 'lanboard-sqlite'
  | 'baseline'
  | 'y-websocket-server'
  | 'hocuspocus'
  | 'hocuspocus-4'
  | 'lanboard-redis'
  | 'lanboard-redis×3'
  | 'lanboard-postgres'
  | 'lanboard-postgres×3'
  | 'lanboard-mariadb';

const ZWIBBLER_SERVERS: readonly ServerName[] = ['baseline', 'lanboard-memory', 'lanboard-sqlite'];
const YJS_SERVERS: readonly ServerName[] = [
  'y-websocket-server',
  'lanboard-memory',
  'lanboard-sqlite',
  'hocuspocus',
  'hocuspocus-4',
];

const CROSS_HUB_SERVERS: readonly ServerName[] = [
  'lanboard-sqlite',
  'lanboard-redis',
  'lanboard-redis×3',
  'lanboard-postgres',
  'lanboard-postgres×3',
  'lanboard-mariadb',
];

/**
 * The rows on a SQL server: which, and how many hubs share it. MariaDB runs
 * one hub only: its hubs share what is stored but not live edits
 * (docs/architecture.md#several-hubs-on-one-mariadb), so clients spread over
 * several would not hear each other.
 */
const SQL_ROWS: Partial<Record<ServerName, { database: 'postgresql' | 'mariadb'; hubs: number }>> =
  {
    'lanboard-postgres': { database: 'postgresql', hubs: 1 },
    'lanboard-postgres×3': { database: 'postgresql', hubs: 3 },
    'lanboard-mariadb': { database: 'mariadb', hubs: 1 },
  };

const sqlServer = (name: ServerName) => {
  const row = SQL_ROWS[name];
  return row && { ...row, kind: SQL_SERVERS.find((k) => k.database === row.database)! };
};

/** The servers a kind of scenario runs on, its reference first. */
export const serversFor = (kind: ScenarioKind): readonly ServerName[] =>
  kind === 'yjs-fan-out'
    ? YJS_SERVERS
    : kind === 'cross-hub'
      ? CROSS_HUB_SERVERS
      : ZWIBBLER_SERVERS;

/** One row of a scenario: a server, and for Lanboard which CLI runs it. */
export interface ServerRow {
  name: ServerName;
  /** bin/lanboard.js (the sources through tsx) unless given. */
  cli?: string;
  label: string;
}

/**
 * The rows a kind of scenario runs. BENCH_YJS_COMPARE=<file.mjs>[,<file.mjs>…]
 * (compiled hubs inside lib/, built from other commits) adds to the Yjs rows
 * Lanboard on SQLite compiled from this tree and from each file, so that
 * versions are compared in one run, beside the same reference.
 */
export function rowsFor(kind: ScenarioKind): ServerRow[] {
  const rows: ServerRow[] = serversFor(kind).map((name) => ({ name, label: name }));
  const compare = process.env.BENCH_YJS_COMPARE;
  if (kind === 'yjs-fan-out' && compare) {
    rows.push({ name: 'lanboard-sqlite', cli: COMPILED_CLI, label: 'lanboard-sqlite, compiled' });
    for (const cli of compare.split(',')) {
      rows.push({ name: 'lanboard-sqlite', cli, label: `lanboard-sqlite, compiled (${cli})` });
    }
  }
  return rows;
}

/** The compiled hub of this tree, relative to the checkout (bench/startup.ts builds it too). */
export const COMPILED_CLI = 'lib/lanboard.mjs';

/** The oldest Node line Hocuspocus 4 supports (its package's engines). */
const HOCUSPOCUS_4_NODE = 22;

/**
 * The Node binary Hocuspocus 4 runs on: this one when it is new enough, else
 * the one BENCH_NODE_22 names (a Node 22 or later), else a reason to skip it.
 */
export function hocuspocusNode(): { node: string } | { skip: string } {
  const major = (version: string) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (major(process.version) >= HOCUSPOCUS_4_NODE) return { node: process.execPath };
  const other = process.env.BENCH_NODE_22;
  if (!other) {
    return {
      skip: `Hocuspocus 4 needs Node ${HOCUSPOCUS_4_NODE} or later, this is ${process.version}; set BENCH_NODE_22 to such a node binary to run it`,
    };
  }
  let version: string;
  try {
    version = execFileSync(other, ['--version']).toString().trim();
  } catch (err) {
    return { skip: `BENCH_NODE_22=${other} does not run: ${(err as Error).message}` };
  }
  if (major(version) < HOCUSPOCUS_4_NODE) {
    return { skip: `BENCH_NODE_22=${other} is Node ${version}, not ${HOCUSPOCUS_4_NODE} or later` };
  }
  return { node: other };
}

/** Why a server cannot run on this machine, or undefined when it can. */
export function unavailable(name: ServerName): string | undefined {
  const sql = sqlServer(name);
  if (sql) return sql.kind.unavailable();
  if (name !== 'hocuspocus-4') return undefined;
  const node = hocuspocusNode();
  return 'skip' in node ? node.skip : undefined;
}

/** What every row of a kind of scenario is compared with. */
export const referenceFor = (kind: ScenarioKind): ServerName => serversFor(kind)[0]!;

export interface RunningServer {
  name: ServerName;
  /** The processes the bench started for the server (hubs, redis-server), stopped last to first. */
  children: Child[];
  /** Every process that makes up the server now: CPU and memory count them all. */
  pids(): number[];
  /** A database the bench started otherwise (PostgreSQL or MariaDB, through the tests' harness). */
  stopDatabase?(): Promise<void>;
  /** The ports clients dial, one per hub. */
  ports: number[];
}

/** The URLs a scenario's clients dial: the Zwibbler socket, or where Yjs room names go. */
export function endpointUrls(server: RunningServer, kind: ScenarioKind): string[] {
  return server.ports.map((port) => {
    const base = `ws://127.0.0.1:${port}`;
    if (server.name.startsWith('lanboard'))
      return kind === 'yjs-fan-out' ? `${base}/yjs` : `${base}/socket`;
    return server.name === 'baseline' ? `${base}/socket` : base;
  });
}

/** The environment without the developer's LANBOARD_* settings or Yjs persistence. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LANBOARD_') && k !== 'YPERSISTENCE') env[k] = v;
  }
  return env;
}

/**
 * Every simulated client comes from 127.0.0.1, which the per-address limits
 * would take for one flooding device (docs/operating.md#limits-per-address).
 */
const ONE_ADDRESS_FOR_ALL = {
  LANBOARD_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  LANBOARD_NEW_CONNECTIONS_PER_SECOND: '1000000',
};

function listeningPort(msg: string) {
  return (line: string): number | undefined => {
    if (!line.includes(msg)) return undefined;
    try {
      return (JSON.parse(line) as { port: number }).port;
    } catch {
      return undefined;
    }
  };
}

/** A port free right now: the stock server cannot listen on port 0 and say which it got. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startChild(
  name: ServerName,
  /** `--db` and the environment that reach a shared database: Redis, PostgreSQL or MariaDB. */
  shared?: { db: string; env: NodeJS.ProcessEnv },
  /** Lanboard's CLI: the sources through tsx, or the compiled lib/lanboard.mjs. */
  cli = 'bin/lanboard.js',
): Promise<{ child: Child; port: number }> {
  if (name === 'baseline') {
    const child = start(['--import', 'tsx', 'bench/baseline-server.ts', '0'], cleanEnv());
    return {
      child,
      port: await waitForLine(child, 'baseline listening', listeningPort('baseline listening')),
    };
  }
  if (name === 'hocuspocus' || name === 'hocuspocus-4') {
    const v4 = name === 'hocuspocus-4' ? hocuspocusNode() : undefined;
    if (v4 && 'skip' in v4) throw new Error(v4.skip);
    const child = start(
      ['--import', 'tsx', 'bench/hocuspocus-server.ts', ...(v4 ? ['4'] : [])],
      cleanEnv(),
      v4?.node,
    );
    return {
      child,
      port: await waitForLine(child, 'hocuspocus listening', listeningPort('hocuspocus listening')),
    };
  }
  if (name === 'y-websocket-server') {
    const port = await freePort();
    const child = start(['node_modules/@y/websocket-server/src/server.js'], {
      ...cleanEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
    });
    await waitForLine(child, 'y-websocket-server running', (l) =>
      l.includes('running at') ? true : undefined,
    );
    return { child, port };
  }
  const dir = tempDir();
  const db = shared
    ? shared.db
    : name === 'lanboard-memory'
      ? 'memory'
      : path.join(dir, 'bench.db');
  const child = start(
    [
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      cli,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-mdns',
      '--db',
      db,
      '--data-dir',
      dir,
    ],
    {
      ...cleanEnv(),
      ...ONE_ADDRESS_FOR_ALL,
      ...shared?.env,
    },
  );
  return {
    child,
    port: await waitForLine(child, 'hub listening', listeningPort('"hub listening"')),
  };
}

/** A redis-server for the cross-hub rows, with the AOF an operator would run (fsync every second). */
async function startRedis(): Promise<{ child: Child; server: string }> {
  const port = await freePort();
  const child = start(
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      tempDir(),
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
    ],
    cleanEnv(),
    'redis-server',
  );
  await waitForLine(child, 'redis ready', (l) =>
    l.includes('Ready to accept connections') ? true : undefined,
  );
  return { child, server: `127.0.0.1:${port}` };
}

export async function startServer(name: ServerName, cli?: string): Promise<RunningServer> {
  if (name.startsWith('lanboard-redis')) {
    const redis = await startRedis();
    const shared = { db: 'redis', env: { LANBOARD_DB_SERVER: redis.server } };
    const hubs = await startHubs(name === 'lanboard-redis×3' ? 3 : 1, name, shared);
    const children = [redis.child, ...hubs.map((h) => h.child)];
    return { name, children, pids: () => children.map((c) => c.pid), ports: ports(hubs) };
  }
  const sql = sqlServer(name);
  if (sql) {
    // Every commit flushed, as a real server runs (the test harness does not, for speed).
    const server = await sql.kind.start({ durable: true });
    const shared = { db: sql.database, env: sqlEnv(sql.kind, server) };
    const hubs = await startHubs(sql.hubs, name, shared);
    const children = hubs.map((h) => h.child);
    return {
      name,
      children,
      pids: () => [...children.map((c) => c.pid), ...withDescendants(server.pid()!)],
      ports: ports(hubs),
      stopDatabase: () => server.stop(),
    };
  }
  const { child, port } = await startChild(name, undefined, cli);
  return { name, children: [child], pids: () => [child.pid], ports: [port] };
}

async function startHubs(
  count: number,
  name: ServerName,
  shared: { db: string; env: NodeJS.ProcessEnv },
): Promise<{ child: Child; port: number }[]> {
  const hubs = [];
  for (let i = 0; i < count; i++) hubs.push(await startChild(name, shared));
  return hubs;
}

const ports = (hubs: { port: number }[]) => hubs.map((h) => h.port);

/** Stops the hubs before the database, so that they leave cleanly. */
export async function stopServer(server: RunningServer): Promise<void> {
  for (const child of [...server.children].reverse()) await child.stop();
  await server.stopDatabase?.();
}
