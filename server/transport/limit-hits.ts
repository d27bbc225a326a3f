// How often each limit was hit (docs/operating.md#budgets), for /metrics'
// `lanboard_limit_hits_total{limit}`. One per hub, bumped by the transport and
// the protocols; plain numbers, read only when scraped.
export class LimitHits {
  private readonly counts = new Map<string, number>();

  /** One hit of `limit`, named by its setting (for example `InboundBytesPerSecond`). */
  hit(limit: string): void {
    this.counts.set(limit, (this.counts.get(limit) ?? 0) + 1);
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}
