// A real pino logger (createLogger, so with the hub's redaction) whose output a
// test can read back, raw or as parsed lines.
import { Writable } from 'node:stream';
import { createLogger } from '../log/logger';
import type { Logger, LogLevel, LogRing } from '../log/logger';

/** One log line as pino wrote it, parsed. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

export interface CapturedLog {
  logger: Logger;
  /**
   * The complete lines written so far, parsed once each: a later call returns
   * the same objects (in a new array) followed by any newer lines.
   */
  lines(): LogLine[];
  /** Everything written so far, exactly as written. */
  text(): string;
}

/** `ring`: also feed a hub's ring buffer, as the hub's own logger does. */
export function captureLog(level: LogLevel = 'debug', ring?: LogRing): CapturedLog {
  const parsed: LogLine[] = [];
  let written = '';
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      const s = chunk.toString();
      written += s;
      // A chunk may end in the middle of a line: keep that piece for the next.
      partial += s;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line !== '') parsed.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  return {
    logger: createLogger({ level, destination, ring }),
    lines: () => [...parsed],
    text: () => written,
  };
}
