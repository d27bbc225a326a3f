// Running a system command (PowerShell, on Windows) from the main process,
// behind a type the tests replace with a fake that answers as Windows would.
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** The exit code; null when the command could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (
  file: string,
  args: readonly string[],
  options?: { timeoutMs?: number },
) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve) => {
    execFile(
      file,
      args,
      { windowsHide: true, timeout: options.timeoutMs ?? 20_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr: stderr || (err && code === null ? err.message : '') });
      },
    );
  });
