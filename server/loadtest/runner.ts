// The load test as a library: start the simulated teachers and students, report
// every tick, and on --duration or the abort signal stop cleanly: no new
// changes, let in-flight ones and lagging readers settle (up to drainMs), take
// the summary, then close every socket.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Metrics } from './metrics';
import { completeOptions } from './options';
import type { LoadTestInput } from './options';
import { round, snapshot, summary } from './report';
import type { GeneratorLoad, Snapshot, Summary } from './report';
import { RateMeter } from './stats';
import { Student } from './student';
import { Teacher } from './teacher';
import type { ChangeEvent, RunState, SimUser } from './user';

export interface RunHooks {
  /** Aborting stops the run (as Ctrl-C does); the summary says 'signal'. */
  signal?: AbortSignal;
  /** Called every tickMs with the live numbers. */
  onTick?: (s: Snapshot) => void;
  /** Every step of every teacher's changes: sent, acked, conflict, abandoned. */
  onChange?: (e: ChangeEvent) => void;
  /** Verbose log lines (connections, conflicts, errors). */
  log?: (line: string) => void;
}

const DRAIN_POLL_MS = 20;
/** The event-loop delay monitor's timer period; it is subtracted from what it reports. */
const LOOP_RESOLUTION_MS = 10;

export async function runLoadTest(input: LoadTestInput, hooks: RunHooks = {}): Promise<Summary> {
  const options = completeOptions(input);
  const metrics = new Metrics();
  const run: RunState = {
    options,
    metrics,
    stopping: false,
    stopWriting: false,
    log: hooks.log,
    onChange: hooks.onChange,
  };
  const target = options.teachers + options.students;
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  const cpuAtStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  // Students first, then teachers, as the reference numbers them (§14.2).
  const users: SimUser[] = [];
  const teachers: Teacher[] = [];
  for (let i = 1; i <= options.students; i++) users.push(new Student(i, run));
  for (let i = 1; i <= options.teachers; i++) {
    const t = new Teacher(options.students + i, run);
    teachers.push(t);
    users.push(t);
  }
  for (const u of users) u.start(options.random() * options.rampUpMs);

  let statsSinceS = 0;
  let statsReset = options.statsFrom === 'start';
  const now = () => performance.now();
  const changeRate = new RateMeter(now());
  const deliveryRate = new RateMeter(now());
  const tick = () => {
    if (!statsReset && metrics.joined === target) {
      statsReset = true;
      statsSinceS = elapsedS();
      metrics.latency.reset();
    }
    const t = now();
    hooks.onTick?.(
      snapshot(metrics, target, elapsedS(), statsSinceS, {
        changesPerSecond: changeRate.rate(metrics.acked, t),
        deliveredPerSecond: deliveryRate.rate(metrics.delivered, t),
      }),
    );
  };
  const ticker = setInterval(tick, options.tickMs);

  const stoppedBy = await new Promise<Summary['stoppedBy']>((resolve) => {
    const { signal } = hooks;
    if (signal?.aborted) return resolve('signal');
    const timer =
      options.durationS === undefined
        ? undefined
        : setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve('duration');
          }, options.durationS * 1000);
    const onAbort = () => {
      clearTimeout(timer);
      resolve('signal');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

  run.stopping = true;
  run.stopWriting = true;
  hooks.log?.(`stopping (${stoppedBy}): settling in-flight changes`);
  // Clients still waiting to connect never will.
  await Promise.all(users.filter((u) => !u.isOpen).map((u) => u.stop()));
  const settled = () =>
    teachers.every((t) => !t.busy || !t.isOpen) &&
    users.every((u) => !u.joined || u.end >= metrics.docLength);
  const drainUntil = performance.now() + options.drainMs;
  while (!settled() && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
  clearInterval(ticker);

  const elapsed = elapsedS();
  const behind = users.filter((u) => u.joined && u.end < metrics.docLength).length;
  const final = snapshot(metrics, target, elapsed, statsSinceS, {
    changesPerSecond: elapsed > 0 ? Math.round(metrics.acked / elapsed) : 0,
    deliveredPerSecond: elapsed > 0 ? Math.round(metrics.delivered / elapsed) : 0,
  });
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  // The monitor records whole timer periods; what matters is the lateness beyond one.
  const ms = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 1);
  const generator: GeneratorLoad = {
    cpuS: round(cpuS, 2),
    cpuPercent: elapsed > 0 ? Math.round((cpuS / elapsed) * 100) : 0,
    eventLoopDelayMs: {
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    },
  };

  await Promise.all(users.map((u) => u.stop()));
  return summary(final, options, stoppedBy, behind, generator);
}
