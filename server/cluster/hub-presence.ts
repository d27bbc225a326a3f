// Which hubs sharing Redis are alive. Each hub renews `lb:hub:<ID>` (a key
// with a short TTL) and lists itself in `lb:hubs`; each also looks for hubs
// whose key has expired, and the first to claim one (`lb:reap:<ID>`, SET NX)
// cleans up after it: what a hub killed without a goodbye left behind, such as
// its clients' keys.
import type { Logger } from '../log/logger';
import type { RedisClient } from '../store/redis-connection';

const HUBS = 'lb:hubs';
const aliveKey = (hub: string) => `lb:hub:${hub}`;
const reapKey = (hub: string) => `lb:reap:${hub}`;

export interface PresenceOptions {
  /** How often a hub renews its key and looks for dead hubs. */
  beatMs?: number;
  /** How long a hub's key lives without renewal: a hub silent this long is dead. */
  ttlMs?: number;
}

export class HubPresence {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private readonly beatMs: number;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisClient,
    readonly hubId: string,
    private readonly log: Logger,
    options: PresenceOptions = {},
  ) {
    this.beatMs = options.beatMs ?? 2000;
    this.ttlMs = options.ttlMs ?? 6000;
  }

  /** Announces this hub, then beats; `cleanUp` runs once for each hub found dead. */
  async start(cleanUp: (deadHub: string) => Promise<void>): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat(cleanUp));
    }, this.beatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await Promise.all([this.redis.del(aliveKey(this.hubId)), this.redis.srem(HUBS, this.hubId)]);
  }

  private async renew(): Promise<void> {
    // Separate commands: the two keys are on different slots in a cluster.
    await Promise.all([
      this.redis.set(aliveKey(this.hubId), String(Date.now()), 'PX', this.ttlMs),
      this.redis.sadd(HUBS, this.hubId),
    ]);
  }

  private async beat(cleanUp: (deadHub: string) => Promise<void>): Promise<void> {
    try {
      await this.renew();
      for (const hub of await this.redis.smembers(HUBS)) {
        if (hub === this.hubId || (await this.redis.exists(aliveKey(hub))) === 1) continue;
        if ((await this.redis.set(reapKey(hub), this.hubId, 'PX', 60_000, 'NX')) !== 'OK') continue;
        this.log.warn({ hub }, 'a hub stopped without saying goodbye: cleaning up after it');
        await cleanUp(hub);
        await this.redis.srem(HUBS, hub);
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'hub presence check failed');
    }
  }
}
