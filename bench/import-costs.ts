// What each package the hub may load costs at start: the CPU time to import
// it (which other processes on a busy machine inflate far less than the wall
// time), the wall time, and the RSS it adds, each measured in a fresh Node
// process (so shared dependencies count for every package that pulls them
// in). Rounds go through every row in turn, so a machine that gets busier
// part-way slows every row alike; the table has the median, the spread, and
// each row's share of importing everything the hub loaded at start before
// packages were deferred.
// No assertions. `npm run bench -- --only "import costs"`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { markdownTable } from './markdown';
import { loadNote } from './processes';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What the compiled hub imported at start before prom-client, bonjour-service and qrcode were deferred. */
const AT_START_BEFORE = [
  'ws',
  'better-sqlite3',
  'pino',
  'jose',
  'yjs',
  'y-protocols/awareness',
  'lib0/decoding',
  'lib0/encoding',
  'prom-client',
  'bonjour-service',
  'qrcode',
];
const without = (...left: string[]) => AT_START_BEFORE.filter((s) => !left.includes(s));

/**
 * Each row: what one use of the hub loads, by its import specifiers. The
 * empty module is what any first import costs (the module loader itself);
 * the rows "without" are what deferring those packages saves at start.
 */
const ROWS: { label: string; specifiers: string[] }[] = [
  { label: 'an empty module (the loader alone)', specifiers: ['data:text/javascript,'] },
  { label: 'ws (every endpoint)', specifiers: ['ws'] },
  { label: 'better-sqlite3 (the SQLite store)', specifiers: ['better-sqlite3'] },
  { label: 'pino (logging)', specifiers: ['pino'] },
  { label: 'jose (JWTs)', specifiers: ['jose'] },
  {
    label: 'yjs, y-protocols, lib0 (Yjs rooms, class boards)',
    specifiers: ['yjs', 'y-protocols/awareness', 'lib0/decoding', 'lib0/encoding'],
  },
  { label: 'prom-client (metrics)', specifiers: ['prom-client'] },
  { label: 'bonjour-service (mDNS)', specifiers: ['bonjour-service'] },
  { label: 'qrcode (join QR codes)', specifiers: ['qrcode'] },
  { label: 'socket.io (workspaces; deferred before)', specifiers: ['socket.io'] },
  { label: 'ioredis (Database=redis; deferred before)', specifiers: ['ioredis'] },
  { label: 'classic-level (the y-leveldb import only)', specifiers: ['classic-level'] },
  { label: 'everything the hub loaded at start before', specifiers: AT_START_BEFORE },
  { label: '… without prom-client', specifiers: without('prom-client') },
  { label: '… without bonjour-service', specifiers: without('bonjour-service') },
  { label: '… without qrcode', specifiers: without('qrcode') },
  {
    label: '… without bonjour-service and qrcode',
    specifiers: without('bonjour-service', 'qrcode'),
  },
  {
    label: '… without all three',
    specifiers: without('prom-client', 'bonjour-service', 'qrcode'),
  },
];
const ALL = ROWS.findIndex((r) => r.specifiers === AT_START_BEFORE);

interface Cost {
  /** CPU time, user and system. */
  cpuMs: number;
  ms: number;
  rss: number;
}

/** Imports the specifiers in a fresh process and reports the time and the RSS they added. */
function costOf(specifiers: string[]): Promise<Cost> {
  const script = `
    const rss0 = process.memoryUsage.rss();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) await import(s);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(JSON.stringify({ cpuMs, ms, rss: process.memoryUsage.rss() - rss0 }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Cost) : reject(new Error(`exit ${code}`)),
    );
  });
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const MiB = 2 ** 20;

export async function importCostsReport({ quick = false } = {}): Promise<string> {
  const rounds = quick ? 3 : 9;
  const rows = ROWS;
  const costs: Cost[][] = rows.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, row] of rows.entries()) costs[i]!.push(await costOf(row.specifiers));
  }
  const all = costs[ALL]!;
  const spread = (v: number[], digits: number, scale = 1) =>
    `${(median(v) / scale).toFixed(digits)} (${(Math.min(...v) / scale).toFixed(digits)}–${(Math.max(...v) / scale).toFixed(digits)})`;
  const share = (v: number[], of: number[]) => `${((median(v) / median(of)) * 100).toFixed(0)}%`;
  const table = rows.map((row, i) => {
    const pick = (k: keyof Cost) => costs[i]!.map((c) => c[k]);
    return [
      row.label,
      spread(pick('cpuMs'), 0),
      spread(pick('ms'), 0),
      spread(pick('rss'), 1, MiB),
      share(
        pick('cpuMs'),
        all.map((c) => c.cpuMs),
      ),
      share(
        pick('rss'),
        all.map((c) => c.rss),
      ),
    ];
  });
  return [
    `### What each package costs to import (median of ${rounds} fresh processes, min–max)`,
    '',
    markdownTable(
      [
        'Imports',
        'CPU (ms)',
        'Wall (ms)',
        'RSS added (MiB)',
        'CPU, of everything at start',
        'RSS, of everything at start',
      ],
      table,
    ),
    '',
    loadNote(),
  ].join('\n');
}
