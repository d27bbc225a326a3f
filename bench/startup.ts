// How long a server takes from its process starting to listening, and the
// memory it holds idle: the stock y-websocket server (plain JavaScript, the
// reference), Lanboard compiled ahead of time (lib/lanboard.mjs, what the npm
// package and `npm run serve` run) and Lanboard's sources through tsx (a
// checkout's `npx lanboard`), on SQLite. Each is started fresh several times;
// the table has the median. Rounds go through every row in turn, so that a
// machine getting busier part-way slows every row alike. No assertions.
// `npm run bench -- --only startup`; BENCH_STARTUP_COMPARE=<file.mjs> adds a
// row for another compiled hub (one built from main, say) inside lib/.
import { performance } from 'node:perf_hooks';
import { buildServer } from '../scripts/build-server';
import { markdownTable } from './markdown';
import { cpuSeconds, loadNote, rssBytes } from './processes';
import { COMPILED_CLI, startServer, stopServer } from './servers';
import type { ServerName } from './servers';

const ROWS: { label: string; name: ServerName; cli?: string }[] = [
  { label: 'y-websocket-server', name: 'y-websocket-server' },
  { label: 'Lanboard, compiled', name: 'lanboard-sqlite', cli: COMPILED_CLI },
  { label: 'Lanboard, sources through tsx', name: 'lanboard-sqlite' },
];
const IDLE_MS = 2000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function startupReport({ quick = false } = {}): Promise<string> {
  await buildServer();
  const runs = quick ? 1 : 5;
  const compare = process.env.BENCH_STARTUP_COMPARE;
  const all = compare
    ? [
        ...ROWS,
        {
          label: `Lanboard, compiled (${compare})`,
          name: 'lanboard-sqlite' as const,
          cli: compare,
        },
      ]
    : ROWS;
  const times: number[][] = all.map(() => []);
  const cpu: number[][] = all.map(() => []);
  const memory: number[][] = all.map(() => []);
  for (let i = 0; i < runs; i++) {
    // Each round starts at another row, so no row always follows the same one.
    for (let k = 0; k < all.length; k++) {
      const r = (i + k) % all.length;
      const row = all[r]!;
      const started = performance.now();
      const server = await startServer(row.name, row.cli);
      times[r]!.push(performance.now() - started);
      // CPU time is what other processes on a busy machine inflate least.
      cpu[r]!.push(cpuSeconds(server.children.map((c) => c.pid)) * 1000);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      memory[r]!.push(rssBytes(server.children.map((c) => c.pid)));
      await stopServer(server);
    }
  }
  const rows: string[][] = [];
  let reference: { ms: number; cpuMs: number; rss: number } | undefined;
  const vs = (value: number, ref: number) =>
    value === ref ? 'reference' : `${(value / ref).toFixed(2)}×`;
  for (const [r, row] of all.entries()) {
    const ms = median(times[r]!);
    const cpuMs = median(cpu[r]!);
    const rss = median(memory[r]!);
    reference ??= { ms, cpuMs, rss };
    rows.push([
      row.label,
      ms.toFixed(0),
      cpuMs.toFixed(0),
      (rss / 2 ** 20).toFixed(0),
      vs(ms, reference.ms),
      vs(cpuMs, reference.cpuMs),
      vs(rss, reference.rss),
    ]);
  }
  return [
    `### Start-up and idle memory (median of ${runs})`,
    '',
    markdownTable(
      [
        'Server',
        'Start to listening (ms)',
        'CPU to listening (ms)',
        `RSS idle ${IDLE_MS / 1000} s later (MiB)`,
        'Time',
        'CPU',
        'RSS',
      ],
      rows,
    ),
    '',
    loadNote(),
  ].join('\n');
}
