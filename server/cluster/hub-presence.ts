// Which hubs sharing a database are alive. Each hub marks itself alive with
// every beat, with a short time to live, and looks for hubs whose mark has
// lapsed; the first to claim one cleans up after it: what a hub killed
// without a goodbye left behind, such as its clients' keys. Where the marks
// live is the records' business: Redis keys (redis-presence.ts) or a table
// in PostgreSQL (postgres-presence.ts).
import type { Logger } from '../log/logger';

export interface PresenceRecords {
  /** Marks `hub` alive for another time to live. */
  renew(hub: string): Promise<void>;
  /** Hubs other than `self` whose mark lapsed, each claimed by one surviving hub only. */
  claimDead(self: string): Promise<string[]>;
  /** Forgets a hub: once cleaned up after, or at its own goodbye. */
  forget(hub: string): Promise<void>;
}

/**
 * beatMs: how often a hub renews its mark and looks for dead hubs; ttlMs: how
 * long a mark lives without renewal (a hub silent this long is dead).
 */
export const DEFAULT_PRESENCE = { beatMs: 2000, ttlMs: 6000 } as const;

export class HubPresence {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly records: PresenceRecords,
    readonly hubId: string,
    private readonly log: Logger,
    private readonly beatMs: number = DEFAULT_PRESENCE.beatMs,
  ) {}

  /** Announces this hub, then beats; `cleanUp` runs once for each hub found dead. */
  async start(cleanUp: (deadHub: string) => Promise<void>): Promise<void> {
    await this.records.renew(this.hubId);
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat(cleanUp));
    }, this.beatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.records.forget(this.hubId);
  }

  private async beat(cleanUp: (deadHub: string) => Promise<void>): Promise<void> {
    try {
      await this.records.renew(this.hubId);
      for (const hub of await this.records.claimDead(this.hubId)) {
        this.log.warn({ hub }, 'a hub stopped without saying goodbye: cleaning up after it');
        await cleanUp(hub);
        await this.records.forget(hub);
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'hub presence check failed');
    }
  }
}
