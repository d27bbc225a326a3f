// Runs the real CLI (`bin/lanboard.js`) as a child process, for tests that
// kill the hub, measure its memory or read its exit code and output.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './hub-fixture';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The CLI the tests run: `bin/lanboard.js` (the sources, through tsx), or the
 * file LANBOARD_TEST_CLI names, such as the compiled lib/lanboard.mjs (CI runs
 * the child-process tests on it once).
 */
export const BIN = process.env.LANBOARD_TEST_CLI
  ? path.resolve(ROOT, process.env.LANBOARD_TEST_CLI)
  : fileURLToPath(new URL('../../bin/lanboard.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHub {
  child: ChildProcess;
  port: number;
  httpUrl: string;
  wsUrl: string;
  stderr: () => string;
  /** Everything the hub wrote to stdout so far (its log lines). */
  stdout: () => string;
  exited: Promise<Exit>;
  /** Sends the signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const running = new Set<ChildProcess>();

/**
 * The environment a child hub gets: the developer's LANBOARD_* variables are
 * dropped so that they cannot change what a test sees.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LANBOARD_')) env[k] = v;
  return { ...env, ...extra };
}

export interface SpawnOptions {
  /** Runs the hub under this command, e.g. `ip netns exec <namespace>`. */
  prefix?: string[];
  /** Leaves mDNS on; env must then pin LANBOARD_MDNS_INTERFACE (loopback or a test namespace). */
  mdns?: boolean;
  /** Node's own options, before the CLI (`--import` a loader hook, say). */
  nodeArgs?: string[];
  /** Another CLI than BIN (a packaged copy), run from `cwd`. */
  bin?: string;
  cwd?: string;
}

/**
 * Starts `lanboard serve` on 127.0.0.1, port 0, mDNS off, with its own data
 * folder unless `--data-dir` is given, and waits until it listens. Later
 * `args` (`--host`, say) override these.
 */
export function spawnHub(
  args: string[] = [],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<ChildHub> {
  if (options.mdns && !env.LANBOARD_MDNS_INTERFACE) {
    throw new Error('a test hub with mDNS must pin LANBOARD_MDNS_INTERFACE');
  }
  const dataDir = args.includes('--data-dir') ? undefined : tempDir('lanboard-child-');
  const [command = process.execPath, ...prefixArgs] = options.prefix ?? [];
  const child = spawn(
    command,
    [
      ...prefixArgs,
      ...(options.prefix ? [process.execPath] : []),
      ...(options.nodeArgs ?? []),
      options.bin ?? BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...(options.mdns ? [] : ['--no-mdns']),
      ...(dataDir ? ['--data-dir', dataDir.dir] : []),
      ...args,
    ],
    { cwd: options.cwd ?? ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let err = '';
  let allOut = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (allOut += d.toString()));
  const exited = new Promise<Exit>((resolve) =>
    // 'close', not 'exit': the output pipes are drained by then, so stderr() and stdout() are whole.
    child.once('close', (code, signal) => {
      running.delete(child);
      dataDir?.remove();
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not listen within 30 s: ${err}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (!line.includes('"hub listening"')) continue;
        clearTimeout(timer);
        // The collector above keeps draining stdout, so the child never blocks on a full pipe.
        child.stdout!.off('data', onData);
        const port = (JSON.parse(line) as { port: number }).port;
        resolve({
          child,
          port,
          httpUrl: `http://127.0.0.1:${port}`,
          wsUrl: `ws://127.0.0.1:${port}`,
          stderr: () => err,
          stdout: () => allOut,
          exited,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
        return;
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code ?? signal}) before listening: ${err}`));
    });
  });
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

/**
 * Runs `lanboard <args>` to its end and collects its output. A child still
 * running after `timeoutMs` is SIGKILLed (its result then shows the signal);
 * killAllHubs() ends any still running when a test gives up on one.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** SIGKILLs every child (hub or runCli) still running: for after() hooks. */
export async function killAllHubs(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Resident memory of a process in bytes (Linux), or undefined elsewhere. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
