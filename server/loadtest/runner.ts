// The load test as a library: start the simulated teachers and students, report
// every tick, and on --duration or the abort signal stop cleanly: no new
// changes, let in-flight ones and lagging readers settle (up to drainMs), take
// the summary, then close every socket.
import { measureGeneratorLoad } from './generator-load';
import { Metrics } from './metrics';
import { completeOptions } from './options';
import type { LoadTestInput } from './options';
import { summary } from './report';
import type { Snapshot, Summary } from './report';
import { settle, untilStopped } from './run-control';
import { Student } from './student';
import { Teacher } from './teacher';
import { startTicker } from './ticker';
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
  /** Where the clients count, when the caller reads it as it goes (a worker process does). */
  metrics?: Metrics;
}

export async function runLoadTest(input: LoadTestInput, hooks: RunHooks = {}): Promise<Summary> {
  const options = completeOptions(input);
  const metrics = hooks.metrics ?? new Metrics();
  const run: RunState = {
    options,
    metrics,
    stopping: false,
    stopWriting: false,
    log: hooks.log,
    onChange: hooks.onChange,
  };
  const target = options.teachers + options.students;
  const load = measureGeneratorLoad();
  const ticker = startTicker(metrics, target, options, hooks.onTick);

  // Students first, then teachers, as the reference numbers them (docs/loadtest.md#connecting).
  const users: SimUser[] = [];
  const teachers: Teacher[] = [];
  const { firstStudent, firstTeacher } = options.numbering ?? {
    firstStudent: 1,
    firstTeacher: options.students + 1,
  };
  for (let i = 0; i < options.students; i++) users.push(new Student(firstStudent + i, run));
  for (let i = 0; i < options.teachers; i++) {
    const t = new Teacher(firstTeacher + i, run);
    teachers.push(t);
    users.push(t);
  }
  for (const u of users) u.start(options.random() * options.rampUpMs);

  const stoppedBy = await untilStopped(options.durationS, hooks.signal);

  run.stopping = true;
  run.stopWriting = true;
  hooks.log?.(`stopping (${stoppedBy}): settling in-flight changes`);
  // Clients still waiting to connect never will.
  await Promise.all(users.filter((u) => !u.isOpen).map((u) => u.stop()));
  const settled = () =>
    teachers.every((t) => !t.busy || !t.isOpen) &&
    users.every((u) => !u.joined || u.end >= metrics.docLength);
  await settle(settled, options.drainMs);
  const final = ticker.stop();
  const behind = users.filter((u) => u.joined && u.end < metrics.docLength).length;
  const generator = load.stop(final.elapsedS);

  await Promise.all(users.map((u) => u.stop()));
  return summary(final, options, stoppedBy, behind, generator);
}
