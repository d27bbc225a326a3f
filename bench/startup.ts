// How long a server takes from its process starting to listening, and the
// memory it holds idle: the stock y-websocket server (plain JavaScript, the
// reference), Lanboard compiled ahead of time (lib/lanboard.mjs, what the npm
// package and `npm run serve` run) and Lanboard's sources through tsx (a
// checkout's `npx lanboard`), on SQLite. Each is started fresh several times;
// the table has the median. No assertions.
// `npm run bench -- --only startup`.
import { performance } from 'node:perf_hooks';
import { buildServer } from '../scripts/build-server';
import { markdownTable } from './markdown';
import { loadNote, rssBytes } from './processes';
import { startServer, stopServer } from './servers';
import type { ServerName } from './servers';

const ROWS: { label: string; name: ServerName; cli?: string }[] = [
  { label: 'y-websocket-server', name: 'y-websocket-server' },
  { label: 'Lanboard, compiled', name: 'lanboard-sqlite', cli: 'lib/lanboard.mjs' },
  { label: 'Lanboard, sources through tsx', name: 'lanboard-sqlite' },
];
const IDLE_MS = 2000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function startupReport({ quick = false } = {}): Promise<string> {
  await buildServer();
  const runs = quick ? 1 : 5;
  const rows: string[][] = [];
  let reference: { ms: number; rss: number } | undefined;
  for (const row of ROWS) {
    const times: number[] = [];
    const memory: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const server = await startServer(row.name, row.cli);
      times.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      memory.push(rssBytes(server.children.map((c) => c.pid)));
      await stopServer(server);
    }
    const ms = median(times);
    const rss = median(memory);
    reference ??= { ms, rss };
    rows.push([
      row.label,
      ms.toFixed(0),
      (rss / 2 ** 20).toFixed(0),
      reference.ms === ms ? 'reference' : `${(ms / reference.ms).toFixed(2)}×`,
      reference.rss === rss ? 'reference' : `${(rss / reference.rss).toFixed(2)}×`,
    ]);
  }
  return [
    `### Start-up and idle memory (median of ${runs})`,
    '',
    markdownTable(
      [
        'Server',
        'Start to listening (ms)',
        `RSS idle ${IDLE_MS / 1000} s later (MiB)`,
        'Time',
        'RSS',
      ],
      rows,
    ),
    '',
    loadNote(),
  ].join('\n');
}
