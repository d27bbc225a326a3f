// The servers the benchmark compares, each started fresh as its own process on
// 127.0.0.1 (Lanboard with mDNS off). Zwibbler scenarios run on the baseline
// and Lanboard; Yjs scenarios on Lanboard, the stock y-websocket server and
// Hocuspocus 3.4 and 4.x (4 on Node 22 or later: see hocuspocusNode). Each kind of scenario has a reference server its rows are
// compared with. The cross-hub scenario runs one hub on SQLite (the reference),
// one hub on Redis, and three hubs sharing one Redis, the clients spread over
// them; its server CPU and memory are those of every hub and redis-server.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { start, tempDir, waitForLine } from './processes';
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
  | 'lanboard-redis×3';

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
];

/** The servers a kind of scenario runs on, its reference first. */
export const serversFor = (kind: ScenarioKind): readonly ServerName[] =>
  kind === 'yjs-fan-out'
    ? YJS_SERVERS
    : kind === 'cross-hub'
      ? CROSS_HUB_SERVERS
      : ZWIBBLER_SERVERS;

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
  if (name !== 'hocuspocus-4') return undefined;
  const node = hocuspocusNode();
  return 'skip' in node ? node.skip : undefined;
}

/** What every row of a kind of scenario is compared with. */
export const referenceFor = (kind: ScenarioKind): ServerName => serversFor(kind)[0]!;

export interface RunningServer {
  name: ServerName;
  /** Every process that makes up the server (hubs, redis-server): CPU and memory count them all. */
  children: Child[];
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
  redisServer?: string,
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
  const db = redisServer
    ? 'redis'
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
      ...(redisServer ? { LANBOARD_DB_SERVER: redisServer } : {}),
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
  if (name !== 'lanboard-redis' && name !== 'lanboard-redis×3') {
    const { child, port } = await startChild(name, undefined, cli);
    return { name, children: [child], ports: [port] };
  }
  const redis = await startRedis();
  const hubs = [];
  for (let i = 0; i < (name === 'lanboard-redis' ? 1 : 3); i++) {
    hubs.push(await startChild(name, redis.server));
  }
  return {
    name,
    children: [redis.child, ...hubs.map((h) => h.child)],
    ports: hubs.map((h) => h.port),
  };
}

/** Stops the hubs before redis-server, so that they leave cleanly. */
export async function stopServer(server: RunningServer): Promise<void> {
  for (const child of [...server.children].reverse()) await child.stop();
}
