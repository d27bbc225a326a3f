// Joins of a hot Zwibbler document: one client holds a document of DOC_BYTES
// open (it is live on the hub), then 2,000 more clients join it as fast as the
// hub lets them, at most IN_FLIGHT dialling or waiting for their initial
// APPEND at once, and stay. Reported: joins per second over the whole ramp,
// the server's CPU per join, and one join's time (dial to the initial APPEND
// reassembled), p50 and p99. The clients run in the bench's own process; its
// CPU share is in the table, so a saturated generator shows.
// `npm run bench -- --only joins`; BENCH_JOINS_COMPARE=<cli> (another
// checkout's bin/lanboard.js, say main's) adds its SQLite and memory rows,
// each run right after the same row of this checkout.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { encodeMessage, MessageType } from '../server/protocols/zwibbler/codec';
import { markdownTable } from './markdown';
import { cpuSeconds, loadNote } from './processes';
import { startServer, stopServer } from './servers';
import type { ServerName } from './servers';

const SERVERS: readonly ServerName[] = ['lanboard-sqlite', 'lanboard-memory', 'lanboard-redis'];
/** A classroom drawing of some minutes: what every newcomer loads. */
const DOC_BYTES = 256 * 1024;
const IN_FLIGHT = 64;

const init = (docId: string, initialData: Uint8Array) =>
  encodeMessage({
    type: 'init',
    version: 2,
    maxMessageSize: 0,
    creationMode: 0,
    generation: 0,
    offset: 0,
    docId: Buffer.from(docId),
    initialData,
  });

/** Opens a socket, sends INIT and resolves with it once the initial APPEND is whole. */
function join(url: string, message: Buffer): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let first: number | undefined;
    ws.on('open', () => ws.send(message));
    ws.on('message', (data: Buffer) => {
      first ??= data[0];
      // A continuation chunk has a non-zero second byte; the last one ends the message.
      if (data[1] !== 0) return;
      if (first === MessageType.AppendV2) resolve(ws);
      else reject(new Error(`first message of type 0x${first?.toString(16)}, not an APPEND`));
      ws.removeAllListeners('message');
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`closed ${code} before the initial APPEND`)));
  });
}

interface JoinRun {
  server: ServerName;
  joinsPerS: number;
  cpuMsPerJoin: number;
  p50: number;
  p99: number;
  generatorCpuPercent: number;
}

async function runJoins(name: ServerName, clients: number, cli?: string): Promise<JoinRun> {
  const server = await startServer(name, cli);
  const open: WebSocket[] = [];
  try {
    const url = `ws://127.0.0.1:${server.ports[0]}/socket`;
    const docId = 'joins';
    open.push(await join(url, init(docId, Buffer.alloc(DOC_BYTES, 'x'))));
    const pids = server.children.map((c) => c.pid);
    const cpuBefore = cpuSeconds(pids);
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    const times: number[] = [];
    const message = init(docId, new Uint8Array());
    let next = 0;
    const worker = async () => {
      while (next < clients) {
        next++;
        const t0 = performance.now();
        open.push(await join(url, message));
        times.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const elapsedMs = performance.now() - started;
    const own = process.cpuUsage(ownBefore);
    times.sort((a, b) => a - b);
    return {
      server: name,
      joinsPerS: (clients * 1000) / elapsedMs,
      cpuMsPerJoin: ((cpuSeconds(pids) - cpuBefore) * 1000) / clients,
      p50: times[Math.floor(times.length * 0.5)]!,
      p99: times[Math.floor(times.length * 0.99)]!,
      generatorCpuPercent: ((own.user + own.system) / 1000 / elapsedMs) * 100,
    };
  } finally {
    for (const ws of open) ws.terminate();
    await stopServer(server);
  }
}

export async function joinsReport({ quick = false } = {}): Promise<string> {
  const clients = quick ? 200 : 2000;
  const compare = process.env.BENCH_JOINS_COMPARE;
  const runs: { label: string; name: ServerName; cli?: string }[] = [];
  for (const name of quick ? SERVERS.slice(0, 1) : SERVERS) {
    runs.push({ label: name, name });
    if (compare && name !== 'lanboard-redis')
      runs.push({ label: `${name} (${compare})`, name, cli: compare });
  }
  const rows: string[][] = [];
  for (const run of runs) {
    const r = await runJoins(run.name, clients, run.cli);
    rows.push([
      run.label,
      r.joinsPerS.toFixed(0),
      r.cpuMsPerJoin.toFixed(2),
      r.p50.toFixed(1),
      r.p99.toFixed(1),
      r.generatorCpuPercent.toFixed(0),
    ]);
  }
  return [
    `### Joins of a hot Zwibbler document (${clients} clients, ${DOC_BYTES / 1024} KiB, ${IN_FLIGHT} in flight)`,
    '',
    markdownTable(
      ['Server', 'joins/s', 'server CPU ms/join', 'join p50 ms', 'join p99 ms', 'gen CPU %'],
      rows,
    ),
    '',
    loadNote(),
  ].join('\n');
}
