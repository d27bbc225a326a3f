// Refuses an address with 429 after repeated failed management logins. Bounded:
// at most MAX_TRACKED addresses are remembered, the stalest dropped first.

const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  /** When the current window of failures started, or the lockout ends. */
  since: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly byAddress = new Map<string, Failures>();

  constructor(
    private readonly limit: number,
    private readonly lockoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the address may try again, or 0. */
  retryAfterMs(address: string): number {
    const f = this.byAddress.get(address);
    return f ? Math.max(0, f.lockedUntil - this.now()) : 0;
  }

  failure(address: string): void {
    const now = this.now();
    let f = this.byAddress.get(address);
    if (!f || now - f.since > this.lockoutMs) f = { count: 0, since: now, lockedUntil: 0 };
    this.byAddress.delete(address); // re-insert: Map order is then least recently failed first
    f.count++;
    if (f.count >= this.limit) {
      f.lockedUntil = now + this.lockoutMs;
      f.since = now;
      f.count = 0;
    }
    this.byAddress.set(address, f);
    if (this.byAddress.size > MAX_TRACKED) {
      this.byAddress.delete(this.byAddress.keys().next().value!);
    }
  }

  success(address: string): void {
    this.byAddress.delete(address);
  }

  get tracked(): number {
    return this.byAddress.size;
  }
}
