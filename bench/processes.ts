// Child processes of the benchmark (servers and load generators), what /proc
// says about them, and cleanup: every child is killed when the bench ends,
// fails or is interrupted.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-bench-'));
  tempDirs.add(dir);
  return dir;
}

/** Kills every child still running and removes the temporary folders. */
export function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let interrupted = false;
export const wasInterrupted = () => interrupted;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping every process it started\n`);
    cleanup();
    process.exit(130);
  });
}
process.on('exit', cleanup);

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Every stdout line goes here (the child never blocks on a full pipe). */
  onLine(listener: (line: string) => void): void;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a child (Node by default) whose output the bench reads; it is killed at cleanup. */
export function start(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  command = process.execPath,
): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 100_000) err = err.slice(-50_000);
  });
  const listeners: ((line: string) => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    for (const f of listeners) f(l);
  });
  const exited = new Promise<number | null>((resolve) =>
    // 'close' comes after the last stdout line has been read.
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    process: child,
    pid: child.pid!,
    onLine: (f) => listeners.push(f),
    stderr: () => err,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first stdout line that `match` accepts (its return value). */
export function waitForLine<T>(
  child: Child,
  what: string,
  match: (line: string) => T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`no ${what} within ${timeoutMs} ms: ${child.stderr()}`));
    }, timeoutMs);
    child.onLine((line) => {
      if (done) return;
      const v = match(line);
      if (v === undefined) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    });
    void child.exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${what}: ${child.stderr()}`));
    });
  });
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) the processes have used, from /proc/<pid>/stat. */
export function cpuSeconds(pids: number | readonly number[]): number {
  let total = 0;
  for (const pid of [pids].flat()) {
    const rest = statFields(pid);
    // utime 14, stime 15, and cutime 16, cstime 17: children that ended
    // (a PostgreSQL backend whose connection closed) leave their time there.
    total +=
      (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) /
      ticksPerSecond();
  }
  return total;
}

/**
 * Write system calls (write, writev, …) the processes have made, from
 * /proc/<pid>/io's syscw: how many writes a delivery costs, whatever the load.
 */
export function writeSyscalls(pids: number | readonly number[]): number {
  let total = 0;
  for (const pid of [pids].flat()) {
    try {
      const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
      total += Number(/^syscw:\s+(\d+)/m.exec(io)?.[1] ?? 0);
    } catch {
      // gone meanwhile (a PostgreSQL backend whose connection closed)
    }
  }
  return total;
}

/** /proc/<pid>/stat's fields after "(comm)": the state is field 3, so rest[0]. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and every process below it now (PostgreSQL's backends are the postmaster's children). */
export function withDescendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parentOf.set(Number(entry), Number(statFields(Number(entry))[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    for (const [child, parent] of parentOf) if (parent === found[i]) found.push(child);
  }
  return found;
}

/** Resident memory of the processes together, in bytes, from /proc/<pid>/status. */
export function rssBytes(pids: number | readonly number[]): number {
  let total = 0;
  for (const pid of [pids].flat()) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** Samples the processes' RSS (summed) every `everyMs` and keeps the peak. */
export function rssPeak(
  pids: number | readonly number[] | (() => readonly number[]),
  everyMs = 100,
): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, rssBytes(typeof pids === 'function' ? pids() : pids));
    } catch {
      // the process is gone
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export function machine(): string[] {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return [
    `nproc ${os.availableParallelism()}, CPU ${cpu ?? os.cpus()[0]?.model ?? 'unknown'}`,
    `RAM ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`,
    loadNote(),
  ];
}

/** The 1-minute load average: other work on the machine skews every number here. */
export function loadNote(): string {
  const load = os.loadavg()[0]!;
  const busy = load > os.availableParallelism() / 2;
  return `load average ${load.toFixed(2)}${busy ? ' (other processes were busy: expect noise)' : ''}`;
}
