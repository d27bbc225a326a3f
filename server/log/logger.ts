// Structured logs (pino). Secrets are redacted by field name wherever they
// appear, and the last lines are kept in memory for the dashboard.
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type Pino from 'pino';
import type { Logger } from 'pino';
import { prettyStream } from './pretty';

// Required, not imported: Node 20 and 22 charge more memory for a CommonJS
// package imported into an ES module (as for ws, transport/ws.ts).
const pino = createRequire(import.meta.url)('pino') as typeof Pino;

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto`: readable lines on a terminal, JSON lines anywhere else (journald, files, pipes). */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Field names whose values never reach a log line. */
const SECRET_FIELDS = [
  'password',
  'secret',
  'token',
  'jwt',
  'authorization',
  'cookie',
  'JWTKey',
  'SecretPassword',
  'DbPassword',
  'AdminToken',
];

export const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Keeps the last `capacity` log lines, as the JSON pino wrote them. */
export class LogRing extends Writable {
  private readonly lines: string[] = [];
  private next = 0;
  private total = 0;
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(readonly capacity = 1000) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      this.lines[this.next] = line;
      this.next = (this.next + 1) % this.capacity;
      this.total++;
      for (const listener of this.lineListeners) listener(line);
    }
    done();
  }

  /** Calls `listener` with each new line (the dashboard's live tail); returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Oldest first. */
  recent(): string[] {
    if (this.total <= this.capacity) return this.lines.slice(0, this.total);
    return [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
  }
}

export interface LoggerOptions {
  level: LogLevel;
  /** How lines are written to the destination; the ring always keeps JSON. Default `json`. */
  format?: LogFormat;
  /** Where lines go besides the ring; defaults to stdout. */
  destination?: NodeJS.WritableStream;
  ring?: LogRing;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const terminal = (destination as { isTTY?: boolean }).isTTY === true;
  const format = options.format ?? 'json';
  const pretty = format === 'pretty' || (format === 'auto' && terminal);
  const streams: Pino.StreamEntry[] = [
    {
      stream: pretty ? prettyStream(destination, terminal) : destination,
      level: options.level as Pino.Level,
    },
  ];
  if (options.ring) streams.push({ stream: options.ring, level: options.level as Pino.Level });
  return pino(
    {
      level: options.level,
      base: { name: 'lanboard' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.level === 'silent' ? undefined : pino.multistream(streams),
  );
}
