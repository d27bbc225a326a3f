// A random secret kept in a file under the data folder (mode 0600), created on
// first use, so that it survives restarts: the SSE signaling key, the admin token.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger';
import { makePrivateDir } from './private-files';

const MIN_SECRET_CHARS = 16;

/**
 * Reads the secret file, creating it (0600, random) when it is missing, empty
 * or too short. `what` names the secret in log lines; the value is never logged.
 */
export function loadOrCreateSecret(file: string, log: Logger, what: string): string {
  makePrivateDir(path.dirname(file));
  const fresh = randomBytes(32).toString('base64url');
  try {
    // `wx`: two hubs starting together cannot both write one.
    fs.writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    log.info({ file }, `generated ${what}`);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    log.warn({ file }, `${what} was readable by others; set its mode to 0600`);
  }
  const stored = fs.readFileSync(file, 'utf8').trim();
  if (stored.length >= MIN_SECRET_CHARS) return stored;
  fs.writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  log.warn({ file }, `${what} file was empty or too short; generated a new one`);
  return fresh;
}
