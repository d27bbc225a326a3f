// Streaming statistics for screen-to-screen samples. Samples are whole
// milliseconds (the wire timestamp has 1 ms resolution:
// docs/loadtest.md#screen-to-screen-time), so a histogram with one bucket per
// millisecond gives exact percentiles in bounded memory: 65,536 buckets of 4
// bytes (256 KiB) whatever the run's length. Slower samples share one overflow
// bucket; their true maximum and sum are still kept.

const BUCKETS = 65_536;

export interface LatencyStats {
  samples: number;
  /** Arithmetic mean, rounded to 0.1 ms. */
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** A histogram as plain data (its non-zero buckets), to cross from a worker process. */
export interface HistogramState {
  /** [value in ms, count] for every bucket with samples. */
  buckets: [number, number][];
  overflow: number;
  n: number;
  sum: number;
  lo: number | null;
  hi: number | null;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private overflow = 0;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** Records one sample in ms; negative values (a clock stepped back) count as 0. */
  record(ms: number): void {
    const v = ms > 0 ? Math.floor(ms) : 0;
    if (v < BUCKETS) this.counts[v]!++;
    else this.overflow++;
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  get count(): number {
    return this.n;
  }

  /** Its samples as plain data. */
  state(): HistogramState {
    const buckets: [number, number][] = [];
    if (this.n > 0) {
      for (let v = this.lo; v < BUCKETS && v <= this.hi; v++) {
        if (this.counts[v]! > 0) buckets.push([v, this.counts[v]!]);
      }
    }
    const seen = this.n > 0;
    return {
      buckets,
      overflow: this.overflow,
      n: this.n,
      sum: this.sum,
      lo: seen ? this.lo : null,
      hi: seen ? this.hi : null,
    };
  }

  /**
   * Adds another histogram's samples, bucket by bucket: percentiles of the
   * merged histogram are those of all the samples together (averaging each
   * part's percentiles would not be).
   */
  add(other: HistogramState): void {
    for (const [v, count] of other.buckets) this.counts[v]! += count;
    this.overflow += other.overflow;
    this.n += other.n;
    this.sum += other.sum;
    if (other.lo !== null && other.lo < this.lo) this.lo = other.lo;
    if (other.hi !== null && other.hi > this.hi) this.hi = other.hi;
  }

  reset(): void {
    this.counts.fill(0);
    this.overflow = 0;
    this.n = 0;
    this.sum = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  /**
   * The nearest-rank percentile: the smallest recorded value v such that at
   * least p% of the samples are ≤ v. Values in the overflow bucket report the
   * maximum. Undefined without samples.
   */
  percentile(p: number): number | undefined {
    if (this.n === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let v = this.lo; v < BUCKETS && v <= this.hi; v++) {
      seen += this.counts[v]!;
      if (seen >= rank) return v;
    }
    return this.hi;
  }

  stats(): LatencyStats | null {
    if (this.n === 0) return null;
    return {
      samples: this.n,
      avg: Math.round((this.sum / this.n) * 10) / 10,
      min: this.lo,
      max: this.hi,
      p50: this.percentile(50)!,
      p95: this.percentile(95)!,
      p99: this.percentile(99)!,
    };
  }
}

/** Counts per second between two readings of a growing counter. */
export class RateMeter {
  private lastCount = 0;
  private lastAt: number;

  constructor(now: number) {
    this.lastAt = now;
  }

  /** The rate since the previous call (or since construction), per second. */
  rate(count: number, now: number): number {
    const seconds = (now - this.lastAt) / 1000;
    const perSecond = seconds > 0 ? (count - this.lastCount) / seconds : 0;
    this.lastCount = count;
    this.lastAt = now;
    return Math.max(0, Math.round(perSecond));
  }

  /** Restarts from `count` at `now`, for a counter that was reset. */
  restart(count: number, now: number): void {
    this.lastCount = count;
    this.lastAt = now;
  }
}
