// What every refusal over a limit shares (docs/operating.md#limits-per-address):
// the Retry-After value, and the log line naming the address, written once per
// address and limit per window so that a flood cannot flood the log too.
import type { Logger } from '../log/logger';

/** Whole seconds, at least 1: the value of a Retry-After header. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

const WINDOW_MS = 10_000;
const MAX_KEYS = 10_000;

export class RefusalLog {
  /** Per address and message: when it was last logged, and refusals since. */
  private readonly seen = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `message` with the address, unless it was logged for it within the window. */
  note(remote: string, message: string, fields: Record<string, unknown> = {}): void {
    const key = `${remote} ${message}`;
    const now = this.now();
    const last = this.seen.get(key);
    if (last && now - last.at < WINDOW_MS) {
      last.since++;
      return;
    }
    this.seen.delete(key);
    this.seen.set(key, { at: now, since: 0 });
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
    const more = last?.since ? { refusedSinceLastLine: last.since } : {};
    this.log.warn({ remote, ...fields, ...more }, message);
  }
}
