// One measurement: a fresh server process, one load-generator process running
// a scenario against it, and what /proc says about the server meanwhile.
//
// - Server CPU per delivered message uses the steady window: from the first
//   tick at which every client has joined to the last tick before the stop.
//   The server's CPU is read from /proc at each tick the generator prints.
// - Peak RSS is sampled every 100 ms; memory per connection is the peak less
//   the server's RSS before any client connected, over the clients connected.
import os from 'node:os';
import type { LoadTestInput } from '../server/loadtest/options';
import type { Snapshot, Summary } from '../server/loadtest/report';
import { cpuSeconds, rssBytes, rssPeak, start, waitForLine, writeSyscalls } from './processes';
import type { Scenario } from './scenarios';
import { endpointUrls, startServer, stopServer } from './servers';
import type { ServerName } from './servers';
import type { YjsLoadInput } from './yjs-clients';

export interface Measurement {
  scenario: Scenario;
  server: ServerName;
  /** The row's name: the server's, or which compiled hub it ran (BENCH_YJS_COMPARE). */
  label: string;
  connections: number;
  /** Live appends (Yjs: entries) delivered per second in the steady window. */
  deliveredPerS: number;
  /** Server CPU µs per delivered append or Yjs entry in the steady window (not for idle). */
  cpuUsPerMsg: number | null;
  /** The server's write system calls per delivered append or Yjs entry, same window. */
  writesPerMsg: number | null;
  p50: number | null;
  p99: number | null;
  /** Server CPU seconds while the generator ran (ramp-up and drain included). */
  serverCpuS: number;
  /** Length of the steady window. */
  windowS: number;
  peakRssBytes: number;
  idleRssBytes: number;
  /** (peak RSS − RSS before any client) / connections. */
  bytesPerConnection: number;
  summary: Summary;
  /** The machine's 1-minute load average when the row ended: other work skews it. */
  loadAverage: number;
  /** Every client had joined by some tick (false: the ramp never completed). */
  steady: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load generator for a scenario: the Zwibbler load tester, or real Yjs providers. */
function generatorArgs(scenario: Scenario, urls: string[], server: ServerName): string[] {
  const url = urls[0]!;
  const { teachers, students, delayMs, durationS, rampUpMs } = scenario;
  if (scenario.kind === 'yjs-fan-out') {
    const input: YjsLoadInput = {
      kind: server.startsWith('hocuspocus') ? 'hocuspocus' : 'y-websocket',
      url,
      room: 'bench',
      writers: teachers,
      watchers: students,
      delayMs,
      durationS,
      rampUpMs,
    };
    return ['--import', 'tsx', 'bench/yjs-generator.ts', JSON.stringify(input)];
  }
  const input: LoadTestInput = {
    url,
    urls,
    docId: 'bench',
    teachers,
    students,
    delayMs,
    durationS,
    rampUpMs,
    workers: scenario.workers ?? 1,
  };
  return ['--import', 'tsx', 'bench/generator.ts', JSON.stringify(input)];
}

export async function measure(
  scenario: Scenario,
  serverName: ServerName,
  row: { cli?: string; label?: string } = {},
): Promise<Measurement> {
  const server = await startServer(serverName, row.cli);
  // Asked again at each sample: PostgreSQL starts a backend per new connection.
  const pid = () => server.pids();
  try {
    await sleep(1000); // let start-up work and its garbage settle
    const idleRssBytes = rssBytes(pid());
    const peak = rssPeak(pid);
    const cpuAtStart = cpuSeconds(pid());
    const generator = start(
      generatorArgs(scenario, endpointUrls(server, scenario.kind), serverName),
    );
    const ticks: { tick: Snapshot; cpuS: number; writes: number }[] = [];
    generator.onLine((line) => {
      if (!line.startsWith('{"tick"')) return;
      let cpuS: number;
      let writes: number;
      try {
        cpuS = cpuSeconds(pid());
        writes = writeSyscalls(pid());
      } catch {
        return; // the server is gone: the summary will show it
      }
      ticks.push({ tick: (JSON.parse(line) as { tick: Snapshot }).tick, cpuS, writes });
    });
    const summaryLine = waitForLine(
      generator,
      'summary',
      (line) =>
        line.startsWith('{"summary"')
          ? (JSON.parse(line) as { summary: Summary }).summary
          : undefined,
      (scenario.durationS + 60) * 1000,
    );
    const summary = await summaryLine.catch(async (err: Error) => {
      await generator.stop(1000);
      throw err;
    });
    await generator.exited;
    const serverCpuS = cpuSeconds(pid()) - cpuAtStart;
    const peakRssBytes = peak.stop();

    const target = scenario.teachers + scenario.students;
    const inRun = ticks.filter((t) => t.tick.elapsedS <= scenario.durationS + 0.5);
    const first = inRun.findIndex((t) => t.tick.connections.joined === target);
    const steady = first >= 0;
    // The window needs two ticks; without them, the whole run is the window.
    const from = inRun[steady && first < inRun.length - 1 ? first : 0];
    const to = inRun.at(-1);
    let deliveredPerS = 0;
    let cpuUsPerMsg: number | null = null;
    let writesPerMsg: number | null = null;
    let windowS = 0;
    if (from && to && to !== from) {
      windowS = to.tick.elapsedS - from.tick.elapsedS;
      const delivered = to.tick.delivered.appends - from.tick.delivered.appends;
      deliveredPerS = delivered / windowS;
      if (scenario.kind !== 'idle' && delivered > 0) {
        cpuUsPerMsg = ((to.cpuS - from.cpuS) * 1e6) / delivered;
        writesPerMsg = (to.writes - from.writes) / delivered;
      }
    }
    const connections = summary.connections.peak;
    return {
      scenario,
      server: serverName,
      label: row.label ?? serverName,
      connections,
      deliveredPerS,
      cpuUsPerMsg,
      writesPerMsg,
      p50: summary.screenToScreenMs?.p50 ?? null,
      p99: summary.screenToScreenMs?.p99 ?? null,
      serverCpuS,
      windowS,
      peakRssBytes,
      idleRssBytes,
      bytesPerConnection: connections > 0 ? (peakRssBytes - idleRssBytes) / connections : 0,
      summary,
      steady,
      loadAverage: os.loadavg()[0]!,
    };
  } finally {
    await stopServer(server);
  }
}
