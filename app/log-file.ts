// A log file that rotates by size: lanboard.log, then lanboard.1.log, … up to
// `keep` old files, so that a hub left running for a term cannot fill the
// teacher's disk. Writes are synchronous: a line written just before a crash
// (the crash record itself) is on disk when the next line runs.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

export interface RotationLimits {
  /** The size past which the file is rotated before the next write. */
  maxBytes: number;
  /** How many rotated files are kept besides the current one. */
  keep: number;
}

export const LOG_LIMITS: RotationLimits = { maxBytes: 5 * 1024 * 1024, keep: 3 };

/** `lanboard.log` → `lanboard.2.log`. */
export function rotatedName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${n}${ext}`;
}

export class RotatingFile extends Writable {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    private readonly limits: RotationLimits = LOG_LIMITS,
  ) {
    super({ decodeStrings: false });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (err?: Error) => void) {
    try {
      this.writeNow(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** The same, for a caller that must know the line is written before it goes on. */
  writeNow(chunk: string | Buffer): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size > 0 && this.size + bytes.length > this.limits.maxBytes) this.rotate();
    fs.writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  override _final(done: (err?: Error) => void): void {
    fs.close(this.fd, (err) => done(err ?? undefined));
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    fs.rmSync(rotatedName(this.file, this.limits.keep), { force: true });
    for (let n = this.limits.keep - 1; n >= 1; n--) {
      const from = rotatedName(this.file, n);
      if (fs.existsSync(from)) fs.renameSync(from, rotatedName(this.file, n + 1));
    }
    if (this.limits.keep > 0) fs.renameSync(this.file, rotatedName(this.file, 1));
    else fs.rmSync(this.file, { force: true });
    this.fd = fs.openSync(this.file, 'a');
    this.size = 0;
  }
}
