// Deletes documents and tokens not accessed for `Expiration` seconds
// (docs/protocols/zwibbler.md#expiration), on a timer instead of inside requests
// as the reference does
// (docs/protocols/zwibbler.md#expiration-runs-on-a-timer-and-spares-live-documents).
// Documents with connected clients are kept however old their last access,
// and each sweep first counts them as accessed: with several hubs on one
// store, another hub's sweep sees them in use
// (docs/protocols/zwibbler.md#expiration).

/** The documents with clients on this hub. */
export interface LiveDocumentIds {
  has(documentId: string): boolean;
  ids(): Iterable<string>;
}
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { DocumentStore, PurgeResult } from './types';

export interface ExpirySweeperOptions {
  store: DocumentStore;
  expirationMs: number;
  intervalMs: number;
  live: LiveDocumentIds;
  log: Logger;
  now: () => number;
}

/** A quarter of the expiration, between 1 s and 1 h: purges land at most 25% late. */
export function defaultSweepSeconds(expirationSeconds: number): number {
  return Math.min(3600, Math.max(1, Math.floor(expirationSeconds / 4)));
}

export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ExpirySweeperOptions) {}

  /** Sweeps at once, then every interval. */
  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.o.intervalMs);
    this.timer.unref();
  }

  async sweep(): Promise<PurgeResult | undefined> {
    const { store, expirationMs, live, log, now } = this.o;
    const run = this.touchLive()
      .then(() => {
        const at = now();
        return store.purgeExpired(at - expirationMs, at, (id) => live.has(id));
      })
      .then(
        (result) => {
          const level = result.documents + result.tokens > 0 ? 'info' : 'debug';
          log[level]({ ...result, olderThanSeconds: expirationMs / 1000 }, 'expiration sweep');
          return result;
        },
        (err: Error) => {
          log.error({ err: err.message }, 'expiration sweep failed');
          return undefined;
        },
      );
    this.running = run;
    return run;
  }

  /** Records an access to each live document, so that no hub's sweep takes it. */
  private async touchLive(): Promise<void> {
    for (const id of this.o.live.ids()) await this.o.store.touchDocument(id);
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** Starts sweeping when Expiration is set; undefined when documents never expire. */
export function startExpirySweeper(
  config: HubConfig,
  store: DocumentStore,
  live: LiveDocumentIds,
  log: Logger,
  now: () => number,
): ExpirySweeper | undefined {
  if (config.Expiration === 'never') return undefined;
  const seconds = config.ExpirationSweepSeconds || defaultSweepSeconds(config.Expiration);
  const sweeper = new ExpirySweeper({
    store,
    expirationMs: config.Expiration * 1000,
    intervalMs: seconds * 1000,
    live,
    log: log.child({ component: 'expiration' }),
    now,
  });
  sweeper.start();
  return sweeper;
}
