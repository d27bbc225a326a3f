// What a load test is asked to do, its defaults (those of the reference tester,
// docs/loadtest.md#options), and the `lanboard loadtest` flags that set them.
import { parseFlags, UsageError } from '../config/flags';

export interface LoadTestOptions {
  /** ws:// or wss:// URL of the Zwibbler socket, e.g. ws://127.0.0.1:3000/socket. */
  url: string;
  /** Several hubs' sockets (a benchmark of hubs sharing Redis): clients take them in turn. */
  urls?: string[];
  /** Document every simulated client joins (sent in a V2 INIT: at most 255 bytes). */
  docId: string;
  teachers: number;
  students: number;
  /** Mean ms between one teacher's changes; the spread is normal with σ = delay/2. */
  delayMs: number;
  /** Bytes per change: the 4-byte timestamp, then letters. */
  length: number;
  /** Stop after this many seconds; undefined runs until the signal aborts. */
  durationS?: number;
  /** Each client connects after a uniform random wait in [0, rampUpMs). */
  rampUpMs: number;
  /** Reconnect after a disconnect or a failed dial (after reconnectDelayMs). */
  reconnect: boolean;
  reconnectDelayMs: number;
  /** On stop, how long in-flight changes and lagging readers get to settle. */
  drainMs: number;
  /** How often onTick (and the live line) reports. */
  tickMs: number;
  /**
   * 'start' keeps statistics from the first connection, as the reference does;
   * 'all-connected' starts them afresh once every client is connected, so a
   * benchmark measures the steady state without the ramp-up.
   */
  statsFrom: 'start' | 'all-connected';
  /** Uniform [0, 1) source for ramp-up and change intervals. */
  random: () => number;
  /** Unix ms for timestamps; tests freeze it to get known screen-to-screen times. */
  clock: () => number;
  /**
   * The numbers of this run's first student and first teacher, when it is one
   * worker's share of a larger run (students 1…S, then teachers S+1…).
   */
  numbering?: { firstStudent: number; firstTeacher: number };
  /** Worker processes the clients are spread over (docs/loadtest.md#worker-processes); 1: this one. */
  workers: number;
}

export const DEFAULT_DELAY_MS = 1000;
export const DEFAULT_LENGTH = 10;
/** The largest --length accepted: a change is one message, far below MaxMessageBytes. */
export const MAX_LENGTH = 1024 * 1024;

/** More processes than this only compete with each other and the server for the cores. */
export const MAX_WORKERS = 64;

export const DEFAULTS = {
  delayMs: DEFAULT_DELAY_MS,
  length: DEFAULT_LENGTH,
  rampUpMs: 3000,
  reconnect: true,
  reconnectDelayMs: 1000,
  drainMs: 5000,
  tickMs: 1000,
  statsFrom: 'start',
  workers: 1,
} as const;

/** The reference's rules: 0 or less means 10 bytes, 1–7 are raised to 8. */
export function changeLength(requested: number): number {
  if (requested <= 0) return DEFAULT_LENGTH;
  return Math.max(8, requested);
}

export type LoadTestInput = Pick<LoadTestOptions, 'url' | 'docId' | 'teachers' | 'students'> &
  Partial<LoadTestOptions>;

/** Fills defaults and checks what a library caller gave; throws RangeError on nonsense. */
export function completeOptions(input: LoadTestInput): LoadTestOptions {
  const o: LoadTestOptions = {
    ...DEFAULTS,
    random: Math.random,
    clock: Date.now,
    ...input,
  };
  o.delayMs = o.delayMs > 0 ? o.delayMs : DEFAULT_DELAY_MS;
  o.length = changeLength(o.length);
  if (!Number.isInteger(o.teachers) || o.teachers < 0) throw new RangeError('teachers must be ≥ 0');
  if (!Number.isInteger(o.students) || o.students < 0) throw new RangeError('students must be ≥ 0');
  if (o.teachers + o.students === 0) throw new RangeError('teachers + students must be > 0');
  if (Buffer.byteLength(o.docId) > 255) throw new RangeError('docId is at most 255 bytes');
  if (o.length > MAX_LENGTH) throw new RangeError(`length is at most ${MAX_LENGTH}`);
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new RangeError('workers must be ≥ 1');
  return o;
}

export interface LoadTestCommand {
  options: LoadTestInput;
  json: boolean;
  verbose: boolean;
}

function integerFlag(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    const bound = min > -Infinity ? ` ≥ ${min}` : '';
    throw new UsageError(`--${name} must be an integer${bound}, got "${raw}"`);
  }
  return Number(raw);
}

/**
 * `lanboard loadtest --test <ws-url> --docid <id> --teachers <n> --students <n>
 * [--delay <ms>] [--length <bytes>] [--duration <s>] [--json] [--verbose]`.
 */
export function loadtestArgs(args: string[]): LoadTestCommand {
  const v = parseFlags(args, {
    test: { type: 'string' },
    docid: { type: 'string' },
    teachers: { type: 'string' },
    students: { type: 'string' },
    delay: { type: 'string' },
    length: { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    workers: { type: 'string' },
  }).values;
  if (v.test === undefined) throw new UsageError('loadtest needs --test <ws-url>');
  let url: URL;
  try {
    url = new URL(v.test);
  } catch {
    throw new UsageError(`--test must be a ws:// or wss:// URL, got "${v.test}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`--test must be a ws:// or wss:// URL, got "${v.test}"`);
  }
  if (v.docid === undefined) throw new UsageError('loadtest needs --docid <id>');
  if (Buffer.byteLength(v.docid) > 255) {
    throw new UsageError('--docid is at most 255 bytes (it is sent in a V2 INIT)');
  }
  const teachers = integerFlag('teachers', v.teachers, 0) ?? 0;
  const students = integerFlag('students', v.students, 0) ?? 0;
  if (teachers + students === 0) {
    throw new UsageError('loadtest needs at least one client: give --teachers and/or --students');
  }
  const options: LoadTestInput = { url: v.test, docId: v.docid, teachers, students };
  const delay = integerFlag('delay', v.delay, 0);
  if (delay !== undefined) options.delayMs = delay;
  const length = integerFlag('length', v.length, -Infinity);
  if (length !== undefined) {
    if (length > MAX_LENGTH) throw new UsageError(`--length is at most ${MAX_LENGTH} bytes`);
    options.length = length;
  }
  if (v.duration !== undefined) {
    const s = Number(v.duration);
    if (v.duration.trim() === '' || !Number.isFinite(s) || s <= 0) {
      throw new UsageError(`--duration must be a number of seconds > 0, got "${v.duration}"`);
    }
    options.durationS = s;
  }
  const workers = integerFlag('workers', v.workers, 1);
  if (workers !== undefined) {
    if (workers > MAX_WORKERS) throw new UsageError(`--workers is at most ${MAX_WORKERS}`);
    options.workers = workers;
  }
  return { options, json: v.json ?? false, verbose: v.verbose ?? false };
}
