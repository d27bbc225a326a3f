// `npm run bench [-- --quick] [--only <text>] [--out <file.json>]`: runs every
// scenario against its servers (Zwibbler: the baseline and Lanboard, memory and
// SQLite; Yjs: @y/websocket-server, Lanboard and Hocuspocus), each server and
// each load generator its own process, and prints one Markdown table with the
// ratio of each row to its scenario's reference server (the baseline, or
// @y/websocket-server for Yjs). No assertions: it exits 0 whenever it ran.
// Results belong in docs/benchmarks.md. BENCH_YJS_COMPARE=<file.mjs>[,…] adds
// Yjs rows: this tree compiled and each other compiled hub (bench/servers.ts).
import { markdownTable } from './markdown';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { boardRenderReport } from './board-render';
import { editGuardReport } from './edit-guard';
import { importCostsReport } from './import-costs';
import { measure } from './measure';
import type { Measurement } from './measure';
import { cleanup, loadNote, machine } from './processes';
import { FULL, QUICK } from './scenarios';
import { buildServer } from '../scripts/build-server';
import { referenceFor, rowsFor, unavailable } from './servers';
import { startupReport } from './startup';
import { firstUpdateReport } from './yjs-first-update';
import { joinsReport } from './zwibbler-joins';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
});

const scenarios = values.quick ? QUICK : FULL;
const wanted = (text: string) => !values.only || values.only.some((o) => text.includes(o));

/** A saturated generator: its numbers are a floor for the server, not the server's limit. */
const saturated = (m: Measurement) =>
  m.summary.generator.cpuPercent >= 90 || m.summary.generator.eventLoopDelayMs.p99 >= 50;

const fmt = (v: number | null, digits = 0) =>
  v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const kb = (b: number) => (b / 1024).toFixed(1);
/** Ratios of latencies use a 1 ms floor: the timestamps have 1 ms resolution. */
const ratio = (a: number | null, b: number | null, floor = 0) =>
  a === null || b === null || Math.max(b, floor) === 0
    ? '—'
    : `${(Math.max(a, floor) / Math.max(b, floor)).toFixed(2)}×`;

/** Zwibbler: gaps + clients behind + unconfirmed changes; Yjs: entries missing at some client. */
const lost = (m: Measurement) => {
  const { errors, changes } = m.summary;
  return m.scenario.kind === 'yjs-fan-out'
    ? changes.unconfirmed
    : errors.gaps + errors.behind + changes.unconfirmed;
};

function vsBaseline(m: Measurement, base: Measurement | undefined): string {
  if (!base) return '—';
  if (m === base) return 'baseline';
  if (m.scenario.kind === 'idle')
    return `RSS/conn ${ratio(m.bytesPerConnection, base.bytesPerConnection)}`;
  return `p99 ${ratio(m.p99, base.p99, 1)}, CPU/msg ${ratio(m.cpuUsPerMsg, base.cpuUsPerMsg)}`;
}

function table(results: Measurement[]): string {
  const head = [
    'scenario',
    'server',
    'conns',
    'delivered/s',
    'CPU µs/msg',
    'writes/msg',
    'p50 ms',
    'p99 ms',
    'server CPU s',
    'peak RSS MB',
    'KB/conn',
    'vs baseline',
    'lost',
    'disc.',
    'gen CPU %',
    'gen ELD p99 ms',
    'load',
  ];
  const rows = results.map((m) => {
    const reference = referenceFor(m.scenario.kind);
    const base = results.find((b) => b.scenario === m.scenario && b.label === reference);
    return [
      m.scenario.name + (m.steady ? '' : ' (ramp incomplete)'),
      m.label,
      String(m.connections),
      fmt(m.deliveredPerS),
      fmt(m.cpuUsPerMsg, 1),
      fmt(m.writesPerMsg, 2),
      fmt(m.p50),
      fmt(m.p99),
      fmt(m.serverCpuS, 2),
      mb(m.peakRssBytes),
      m.scenario.kind === 'idle' ? kb(m.bytesPerConnection) : '—',
      vsBaseline(m, base),
      String(lost(m)),
      String(m.summary.connections.disconnects),
      // With workers: each one's share of a core; saturation is the busiest one's.
      (m.summary.generator.workers?.map((w) => w.cpuPercent).join('/') ??
        String(m.summary.generator.cpuPercent)) + (saturated(m) ? ' (sat.)' : ''),
      fmt(m.summary.generator.eventLoopDelayMs.p99, 1),
      m.loadAverage.toFixed(1),
    ];
  });
  return markdownTable(head, rows);
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write(`bench: machine ${loadNote()}\n`);
  const results: Measurement[] = [];
  // The compared rows run this tree compiled: built once, first.
  if (process.env.BENCH_YJS_COMPARE) await buildServer();
  const skipped = new Set<string>();
  for (const scenario of scenarios) {
    for (const row of rowsFor(scenario.kind)) {
      if (!wanted(`${scenario.name} ${row.label}`)) continue;
      const why = unavailable(row.name);
      if (why) {
        process.stderr.write(`bench: ${scenario.name} on ${row.label} skipped: ${why}\n`);
        skipped.add(`${row.label}: ${why}`);
        continue;
      }
      process.stderr.write(`bench: ${scenario.name} on ${row.label} (${scenario.durationS} s)… `);
      const m = await measure(scenario, row.name, row);
      results.push(m);
      process.stderr.write(
        `${fmt(m.deliveredPerS)} delivered/s, p99 ${fmt(m.p99)} ms, ` +
          `${fmt(m.serverCpuS, 2)} s server CPU, peak RSS ${mb(m.peakRssBytes)} MB\n`,
      );
    }
  }
  const out = [
    `Lanboard benchmark (${values.quick ? 'quick' : 'full'}), ${new Date().toISOString()}`,
    ...machine(),
    '',
    table(results),
    '',
    'CPU µs/msg and delivered/s: steady window (all clients joined until the stop); p50/p99:',
    "screen-to-screen over the same window; writes/msg: the server's write system calls (/proc/<pid>/io",
    'syscw) per delivered message over the same window; server CPU s: the whole load run; KB/conn: (peak RSS -',
    'RSS before any client) / connections; lost: gaps + clients behind at the end + unconfirmed',
    'changes (Yjs: entries missing at some client after a 5 s drain); vs baseline: Zwibbler rows',
    'against bench/baseline-server.ts, Yjs rows (a msg is an entry delivered to another client)',
    'against @y/websocket-server, cross-hub rows (3 hubs sharing one Redis) against one hub on SQLite; disc.: connections dropped; gen: the load generator (one process); load: the',
    "machine's 1-minute load average at the end of the row (the bench's own processes make up to about 2-3).",
    '(sat.): the generator used ≥ 90% of a core or its event loop lagged ≥ 50 ms (p99), so it,',
    'not the server, limited that row: compare CPU per message there, not throughput or latency.',
    ...[...skipped].map((why) => `Skipped ${why}.`),
    `Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ].join('\n');
  process.stdout.write(`${out}\n`);
  if (values.out) fs.writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);

  // Start-up time and idle memory (bench/startup.ts).
  if (wanted('startup')) {
    process.stdout.write(`\n${await startupReport({ quick: values.quick })}\n`);
  }

  // What each package costs to import (bench/import-costs.ts).
  if (wanted('import costs')) {
    process.stdout.write(`\n${await importCostsReport({ quick: values.quick })}\n`);
  }

  // Joins of a hot Zwibbler document, 2,000 clients ramping (bench/zwibbler-joins.ts).
  if (wanted('zwibbler joins')) {
    process.stdout.write(`\n${await joinsReport({ quick: values.quick })}\n`);
  }

  // The first Yjs update after a quiet spell, writer to watcher (bench/yjs-first-update.ts).
  if (wanted('yjs first update')) {
    process.stdout.write(`\n${await firstUpdateReport({ quick: values.quick })}\n`);
  }

  // The classroom board's rendering (bench/board-render.ts): Chromium, 5,000 strokes.
  if (wanted('board render')) {
    process.stdout.write(`\n${await boardRenderReport({ quick: values.quick })}\n`);
  }

  // The class boards' edit guard (bench/edit-guard.ts): in-process, real Y.Docs (30 s; quick 5 s).
  if (wanted('edit guard')) {
    process.stdout.write(`\n${editGuardReport({ quick: values.quick })}\n`);
  }
}

try {
  await main();
} finally {
  cleanup();
}
