// Token buckets: `TokenBucket` for one connection's messages or bytes (callers
// close a connection whose `take()` fails), and `AddressLimiter`, one bucket per key
// (an address), the per-address limiter every protocol shares
// (docs/operating.md#limits-per-address).

/** Tokens after refilling at `perSecond` since `last`, never above `burst` (a clock set back refills nothing). */
function refilled(tokens: number, last: number, now: number, perSecond: number, burst: number) {
  return Math.min(burst, tokens + (Math.max(0, now - last) / 1000) * perSecond);
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = ratePerSecond * 2,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Spends `cost` tokens (one message, or its bytes); false, spending nothing, when fewer are left. */
  take(cost = 1): boolean {
    const now = this.now();
    this.tokens = refilled(this.tokens, this.last, now, this.ratePerSecond, this.burst);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export interface AddressLimiterOptions {
  /** Tokens a key starts with, and the most it can save up: the burst. */
  burst: number;
  perSecond: number;
  now?: () => number;
  /** Keys remembered at most; the least recently used goes first (it starts full again). */
  maxKeys?: number;
}

const MAX_KEYS = 10_000;

/**
 * A token bucket per key. A spend may take a key below zero: an attempt is
 * let in while one token is left, and a failure that costs more is owed.
 */
export class AddressLimiter {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly now: () => number;

  constructor(private readonly o: AddressLimiterOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds until `key` holds `cost` tokens; 0 when it does now. */
  retryAfterMs(key: string, cost = 1): number {
    const tokens = this.level(key);
    if (tokens >= cost) return 0;
    return Math.ceil(((cost - tokens) / this.o.perSecond) * 1000);
  }

  spend(key: string, cost = 1): void {
    const tokens = this.level(key) - cost;
    this.buckets.delete(key); // re-inserted last: Map order is least recently used first
    this.buckets.set(key, { tokens, last: this.now() });
    if (this.buckets.size > (this.o.maxKeys ?? MAX_KEYS)) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
  }

  /** Spends `cost` when the key holds it and returns 0; otherwise spends nothing and returns the wait. */
  take(key: string, cost = 1): number {
    const wait = this.retryAfterMs(key, cost);
    if (wait === 0) this.spend(key, cost);
    return wait;
  }

  /** Keys not yet back to a full bucket (the rest are forgotten). */
  get tracked(): number {
    return this.buckets.size;
  }

  private level(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return this.o.burst;
    const tokens = refilled(b.tokens, b.last, this.now(), this.o.perSecond, this.o.burst);
    if (tokens >= this.o.burst) this.buckets.delete(key);
    return tokens;
  }
}
