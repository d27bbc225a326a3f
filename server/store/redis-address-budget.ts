// A per-address budget that hubs on one Redis share (docs/protocols/workspaces.md#several-hubs):
// the token bucket of transport/rate-limit.ts, kept in Redis and spent in one
// Lua script, so an address that reaches several hubs has one budget, not one
// per hub. Each bucket is a hash `lb:budget:<name>:<address>` {tokens, last}
// that expires once it would be full again.
import { runScript } from './redis-connection';
import type { RedisClient } from './redis-connection';

// KEYS: the bucket. ARGV: now (ms), burst, per second, cost.
// Spends and returns 0, or returns the milliseconds until the cost is there.
const TAKE = `
local now, burst, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(stored[1]) or burst
local last = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) / 1000 * rate)
if tokens < cost then return math.ceil((cost - tokens) / rate * 1000) end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return 0`;

export interface RedisAddressBudgetOptions {
  /** Names the budget in its keys (say `workspaces`). */
  name: string;
  burst: number;
  perSecond: number;
  now?: () => number;
}

export class RedisAddressBudget {
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly o: RedisAddressBudgetOptions,
  ) {
    this.now = o.now ?? Date.now;
    redis.defineCommand('lbBudgetTake', { numberOfKeys: 1, lua: TAKE });
  }

  /** Spends `cost` when the address holds it and resolves to 0; otherwise to the wait in ms. */
  take(address: string, cost = 1): Promise<number> {
    return runScript<number>(this.redis, 'lbBudgetTake', [
      `lb:budget:${this.o.name}:${address}`,
      this.now(),
      this.o.burst,
      this.o.perSecond,
      cost,
    ]);
  }
}
