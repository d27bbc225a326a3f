// MaxFiles: every WebSocket is an open file, so a hub for a large school can run
// out of descriptors. Node cannot raise RLIMIT_NOFILE itself, so the hub reads
// the limits at start and, when MaxFiles is above the soft one, says how to
// raise them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Logger } from '../log/logger';

export interface OpenFileLimits {
  /** Infinity for "unlimited". */
  soft: number;
  hard: number;
}

function parseLimit(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  if (word === 'unlimited' || word === 'infinity') return Infinity;
  return /^\d+$/.test(word) ? Number(word) : undefined;
}

/** The "Max open files" line of Linux's /proc/self/limits. */
export function parseProcLimits(text: string): OpenFileLimits | undefined {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return undefined;
  const [soft, hard] = line
    .slice('Max open files'.length)
    .trim()
    .split(/\s+/)
    .map((w) => parseLimit(w));
  return soft !== undefined && hard !== undefined ? { soft, hard } : undefined;
}

/** The output of `ulimit -Sn; ulimit -Hn`: two lines, a number or "unlimited" each. */
export function parseUlimitOutput(text: string): OpenFileLimits | undefined {
  const [soft, hard] = text
    .trim()
    .split(/\s+/)
    .map((w) => parseLimit(w));
  return soft !== undefined && hard !== undefined ? { soft, hard } : undefined;
}

/** This process's open-file limits, or undefined where there are none (Windows) or they cannot be read. */
export function readOpenFileLimits(
  platform: NodeJS.Platform = process.platform,
): OpenFileLimits | undefined {
  if (platform === 'win32') return undefined;
  if (platform === 'linux') {
    try {
      return parseProcLimits(fs.readFileSync('/proc/self/limits', 'utf8'));
    } catch {
      // No /proc (a container without it): ask the shell, as elsewhere.
    }
  }
  // A child shell inherits this process's limits, so it reports ours.
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], {
    encoding: 'utf8',
    timeout: 5000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return r.status === 0 ? parseUlimitOutput(r.stdout) : undefined;
}

const show = (n: number) => (n === Infinity ? 'unlimited' : String(n));

/**
 * The warning to log, or undefined when MaxFiles is 0 or within the soft
 * limit. One line, naming both limits and how to raise them.
 */
export function openFileLimitWarning(maxFiles: number, limits: OpenFileLimits): string | undefined {
  if (maxFiles <= 0 || maxFiles <= limits.soft) return undefined;
  const how =
    maxFiles <= limits.hard
      ? `raise it with "ulimit -n ${maxFiles}" in the shell that starts the hub, or LimitNOFILE=${maxFiles} in its systemd unit`
      : `the hard limit is lower too, and only root can raise it: LimitNOFILE=${maxFiles} in the systemd unit, or a "nofile" line in /etc/security/limits.conf and then "ulimit -n ${maxFiles}"`;
  return (
    `MaxFiles=${maxFiles} is above this process's open-file limit ` +
    `(soft ${show(limits.soft)}, hard ${show(limits.hard)}); each connection uses one, ` +
    `and Node cannot raise the limit itself: ${how}`
  );
}

/** The start-up check: logs one warning when MaxFiles is above the soft limit. */
export function checkOpenFileLimit(
  maxFiles: number,
  log: Logger,
  read: () => OpenFileLimits | undefined = readOpenFileLimits,
): void {
  if (maxFiles <= 0) return;
  const limits = read();
  if (!limits) {
    log.debug({ maxFiles }, 'no open-file limit to check on this system');
    return;
  }
  const fields = { maxFiles, soft: show(limits.soft), hard: show(limits.hard) };
  const warning = openFileLimitWarning(maxFiles, limits);
  if (warning) log.warn(fields, warning);
  else log.debug(fields, 'open-file limit is at least MaxFiles');
}

/** Where no limit can be read (Windows has none of this kind): a hub for one school. */
const UNKNOWN_LIMIT_CONNECTIONS = 16_384;

/**
 * MaxConnections=0: the soft open-file limit less a tenth (at least 100) for
 * what is not a connection (the database, files served, logs, Redis, webhook
 * calls) and for the few connections refused with a reason
 * (docs/operating.md#limits-per-address).
 */
export function connectionBudget(
  maxConnections: number,
  limits: OpenFileLimits | undefined,
): number {
  if (maxConnections > 0) return maxConnections;
  if (!limits || limits.soft === Infinity) return UNKNOWN_LIMIT_CONNECTIONS;
  return Math.max(1, limits.soft - Math.max(100, Math.ceil(limits.soft / 10)));
}
