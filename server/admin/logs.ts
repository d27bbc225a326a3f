// GET <admin>/api/logs?level=&q=&limit=: recent lines from the ring buffer,
// parsed, filtered by least level and a case-insensitive search, newest last.
import type { LogEntry } from './api-types';

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const LEVEL_NUMBERS = new Map(Object.entries(LEVEL_NAMES).map(([n, name]) => [name, Number(n)]));

export const MAX_LOG_LIMIT = 1000;

/** A pino JSON line as the dashboard shows it; undefined for a line that is not JSON. */
export function parseLogLine(line: string): LogEntry | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { time, level, msg, pid: _pid, hostname: _host, name: _name, ...fields } = parsed;
  const n = typeof level === 'number' ? level : 30;
  return {
    time: typeof time === 'number' ? time : 0,
    level: n,
    levelName: LEVEL_NAMES[n] ?? String(n),
    msg: typeof msg === 'string' ? msg : '',
    fields,
  };
}

export interface LogQuery {
  /** Least level: a name (`warn`) or pino number; every level when absent. */
  level?: string | null;
  q?: string | null;
  limit?: string | null;
}

export class LogQueryError extends Error {}

export function filterLogs(lines: readonly string[], query: LogQuery): LogEntry[] {
  const min = query.level ? levelNumber(query.level) : 0;
  const limit = query.limit ? Number(query.limit) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) {
    throw new LogQueryError(`limit must be an integer from 1 to ${MAX_LOG_LIMIT}`);
  }
  const needle = query.q?.toLowerCase() ?? '';
  const out: LogEntry[] = [];
  // Newest first until the limit, then back to oldest first.
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    const line = lines[i]!;
    if (needle && !line.toLowerCase().includes(needle)) continue;
    const entry = parseLogLine(line);
    if (entry && entry.level >= min) out.push(entry);
  }
  return out.reverse();
}

function levelNumber(level: string): number {
  const n = LEVEL_NUMBERS.get(level.toLowerCase()) ?? Number(level);
  if (!Number.isFinite(n)) {
    throw new LogQueryError(`level must be one of ${[...LEVEL_NUMBERS.keys()].join(', ')}`);
  }
  return n;
}
