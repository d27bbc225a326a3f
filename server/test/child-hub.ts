// Runs the real CLI (`bin/lanboard.js serve`) as a child process, for tests that
// need to kill the hub, measure its memory or read its exit code.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/lanboard.js', import.meta.url));

export interface ChildHub {
  child: ChildProcess;
  port: number;
  httpUrl: string;
  wsUrl: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `lanboard serve` on 127.0.0.1, port 0, mDNS off, and waits for it to listen. */
export function spawnHub(args: string[] = [], env: Record<string, string> = {}): Promise<ChildHub> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--no-mdns', ...args],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"hub listening"')) continue;
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
        const port = (JSON.parse(line) as { port: number }).port;
        const httpUrl = `http://127.0.0.1:${port}`;
        resolve({
          child,
          port,
          httpUrl,
          wsUrl: `ws://127.0.0.1:${port}`,
          stderr: () => err,
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
    void exited.then(({ code, signal }) =>
      reject(new Error(`hub exited (${code ?? signal}) before listening: ${err}`)),
    );
  });
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
