// Hub presence in Redis (hub-presence.ts): each hub renews `lb:hub:<ID>`, a
// key with a short TTL, and lists itself in `lb:hubs`; a hub whose key has
// expired is claimed with `lb:reap:<ID>` (SET NX), so one hub cleans up after it.
import type { RedisClient } from '../store/redis-connection';
import { DEFAULT_PRESENCE } from './hub-presence';
import type { PresenceRecords } from './hub-presence';

const HUBS = 'lb:hubs';
const aliveKey = (hub: string) => `lb:hub:${hub}`;
const reapKey = (hub: string) => `lb:reap:${hub}`;
/** How long a claim keeps other hubs off: a claimant that died leaves the work to another. */
const CLAIM_MS = 60_000;

export class RedisPresenceRecords implements PresenceRecords {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number = DEFAULT_PRESENCE.ttlMs,
  ) {}

  async renew(hub: string): Promise<void> {
    // Separate commands: the two keys are on different slots in a cluster.
    await Promise.all([
      this.redis.set(aliveKey(hub), String(Date.now()), 'PX', this.ttlMs),
      this.redis.sadd(HUBS, hub),
    ]);
  }

  async claimDead(self: string): Promise<string[]> {
    const claimed: string[] = [];
    for (const hub of await this.redis.smembers(HUBS)) {
      if (hub === self || (await this.redis.exists(aliveKey(hub))) === 1) continue;
      if ((await this.redis.set(reapKey(hub), self, 'PX', CLAIM_MS, 'NX')) === 'OK') {
        claimed.push(hub);
      }
    }
    return claimed;
  }

  async forget(hub: string): Promise<void> {
    await Promise.all([this.redis.del(aliveKey(hub)), this.redis.srem(HUBS, hub)]);
  }
}
