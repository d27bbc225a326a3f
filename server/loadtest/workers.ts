// A load test spread over worker processes (`--workers N`), so that the clients
// are not limited by one process's event loop (docs/loadtest.md#worker-processes).
// The parent forks N workers, gives each its share of the students and teachers
// (numbered as one run would number them), and runs the clock: every tick each
// worker sends its counters and the latency samples it recorded since its last
// report, which the parent adds bucket by bucket to its own histogram, so the
// percentiles are those of all samples. On stop, each worker settles its own
// clients and sends its last numbers and its own load; a worker near a full
// core is reported as such.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { measureGeneratorLoad } from './generator-load';
import { Metrics } from './metrics';
import { completeOptions } from './options';
import type { LoadTestInput, LoadTestOptions } from './options';
import { summary } from './report';
import type { GeneratorLoad, Summary } from './report';
import type { RunHooks } from './runner';
import { runLoadTest } from './runner';
import { untilStopped } from './run-control';
import type { HistogramState } from './stats';
import { startTicker } from './ticker';

/** What the parent forks: a script that calls serveLoadWorker() when given `args`. */
export interface WorkerEntry {
  script: string;
  args: string[];
}

/** Metrics' plain counters, summed over the workers. */
const COUNTERS = [
  'open',
  'peakOpen',
  'joined',
  'connects',
  'disconnects',
  'failedDials',
  'sent',
  'acked',
  'conflicts',
  'resent',
  'unconfirmed',
  'delivered',
  'serverErrors',
  'unexpected',
  'gaps',
] as const;
type Counters = Record<(typeof COUNTERS)[number] | 'docLength', number>;

/** One worker's report: its counters now, and the latency samples since its last report. */
interface Report {
  counters: Counters;
  latency: HistogramState;
}
type FromWorker =
  | { ready: true }
  | { report: Report }
  | { final: Report & { behind: number; generator: GeneratorLoad } };
type ToWorker = { start: LoadTestInput } | { stop: true };

/** The fields of LoadTestOptions that cross to a worker (functions do not). */
function shareOf(o: LoadTestOptions, index: number): LoadTestInput {
  const part = (total: number) => {
    const from = Math.floor((total * index) / o.workers);
    return { from, count: Math.floor((total * (index + 1)) / o.workers) - from };
  };
  const students = part(o.students);
  const teachers = part(o.teachers);
  return {
    url: o.url,
    urls: o.urls,
    docId: o.docId,
    students: students.count,
    teachers: teachers.count,
    numbering: {
      firstStudent: students.from + 1,
      firstTeacher: o.students + teachers.from + 1,
    },
    delayMs: o.delayMs,
    length: o.length,
    rampUpMs: o.rampUpMs,
    reconnect: o.reconnect,
    reconnectDelayMs: o.reconnectDelayMs,
    drainMs: o.drainMs,
    tickMs: o.tickMs,
    // The parent decides when to stop and when the statistics start.
    statsFrom: 'start',
  };
}

export async function runLoadTestInWorkers(
  input: LoadTestInput,
  entry: WorkerEntry,
  hooks: RunHooks = {},
): Promise<Summary> {
  const asked = completeOptions(input);
  // Never a worker without clients.
  const options = { ...asked, workers: Math.min(asked.workers, asked.teachers + asked.students) };
  const metrics = new Metrics();
  const counters: Counters[] = [];
  const finals: (Extract<FromWorker, { final: unknown }>['final'] | undefined)[] = [];
  const take = (i: number, r: Report) => {
    counters[i] = r.counters;
    metrics.latency.add(r.latency);
    for (const key of COUNTERS)
      metrics[key] = counters.reduce((sum, c) => sum + (c?.[key] ?? 0), 0);
    metrics.docLength = Math.max(...counters.map((c) => c?.docLength ?? 0));
  };

  const children: ChildProcess[] = [];
  const done: Promise<void>[] = [];
  // Every worker gets its share once all listen (a message sent before would be
  // lost), so that their ramps and the run's clock start together.
  let waiting = options.workers;
  let allReady!: () => void;
  const ready = new Promise<void>((resolve) => (allReady = resolve));
  const markReady = () => {
    if (--waiting === 0) allReady();
  };
  for (let i = 0; i < options.workers; i++) {
    const child = fork(entry.script, entry.args, {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    child.on('message', (m: FromWorker) => {
      if ('ready' in m) markReady();
      else if ('report' in m) take(i, m.report);
      else {
        take(i, m.final);
        finals[i] = m.final;
      }
    });
    done.push(
      new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => {
          if (finals[i]) resolve();
          else
            reject(new Error(`load worker ${i + 1} ended (${signal ?? code}) before its summary`));
        });
      }),
    );
  }

  const failed = Promise.all(done).then(() => 'duration' as const);
  try {
    // A worker that dies ends the run at once, with its error.
    await Promise.race([ready, failed]);
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    throw err;
  }
  children.forEach((child, i) => child.send({ start: shareOf(options, i) } satisfies ToWorker));
  const target = options.teachers + options.students;
  const ticker = startTicker(metrics, target, options, hooks.onTick);
  const load = measureGeneratorLoad();
  try {
    const stoppedBy = await Promise.race([untilStopped(options.durationS, hooks.signal), failed]);
    const stop: ToWorker = { stop: true };
    for (const child of children) if (child.connected) child.send(stop);
    await Promise.all(done);
    const final = ticker.stop();
    const workers = finals.map((f) => f!.generator);
    const behind = finals.reduce((sum, f) => sum + f!.behind, 0);
    return summary(
      final,
      options,
      stoppedBy,
      behind,
      mergedLoad(load.stop(final.elapsedS), workers),
    );
  } finally {
    ticker.stop();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/**
 * The generator's load when its clients run in workers: CPU seconds of all of
 * them and the parent; the busiest worker's CPU share and event-loop delay,
 * since one saturated worker limits its share of the clients; each worker's own.
 */
function mergedLoad(parent: GeneratorLoad, workers: GeneratorLoad[]): GeneratorLoad {
  const max = (f: (g: GeneratorLoad) => number) => Math.max(...workers.map(f));
  return {
    cpuS: Math.round((parent.cpuS + workers.reduce((s, w) => s + w.cpuS, 0)) * 100) / 100,
    cpuPercent: max((w) => w.cpuPercent),
    eventLoopDelayMs: {
      p50: max((w) => w.eventLoopDelayMs.p50),
      p99: max((w) => w.eventLoopDelayMs.p99),
      max: max((w) => w.eventLoopDelayMs.max),
    },
    workers,
  };
}

/**
 * The worker's side: waits for its share, runs it until the parent says stop
 * (or the parent goes), reporting every tick, then sends its last numbers.
 */
export async function serveLoadWorker(): Promise<void> {
  const send = (m: FromWorker) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const input = await new Promise<LoadTestInput>((resolve) => {
    process.once('message', (m: ToWorker) => {
      if ('start' in m) resolve(m.start);
    });
    void send({ ready: true });
  });
  const controller = new AbortController();
  process.on('message', (m: ToWorker) => {
    if ('stop' in m) controller.abort();
  });
  // Ctrl-C reaches the whole process group: the parent decides, so a worker only stops.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort());
  process.once('disconnect', () => process.exit(0));

  const metrics = new Metrics();
  const report = (): Report => {
    const counters = { docLength: metrics.docLength } as Counters;
    for (const key of COUNTERS) counters[key] = metrics[key];
    const latency = metrics.latency.state();
    metrics.latency.reset();
    return { counters, latency };
  };
  const options = completeOptions(input);
  const timer = setInterval(() => void send({ report: report() }), options.tickMs);
  try {
    const result = await runLoadTest(options, { signal: controller.signal, metrics });
    const last = report();
    // Open when the run ended, before its clients were closed.
    last.counters.open = result.connections.open;
    await send({ final: { ...last, behind: result.errors.behind, generator: result.generator } });
  } finally {
    clearInterval(timer);
  }
  process.disconnect();
}
