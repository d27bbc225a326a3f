// A Redis outage is a storage fault like a full disk
// (docs/operating.md#several-hubs-on-one-redis): while the hub's connection
// to Redis is down, its writes wait a little in ioredis' queue before they
// fail (store/redis-client.ts), and a hub nobody writes to would not say so
// at all. The outage is listed in StorageFaults (for /healthz, Zwibbler's
// ?ping and the dashboard's banner) from the moment the connection closes
// until it is ready again.
import type { RedisClient } from '../store/redis-connection';
import type { StorageFaults } from './storage-faults';

export const REDIS_OUTAGE = 'Redis';

/** Returns the unsubscribe, for when the hub stops (its own disconnect is no outage). */
export function reportRedisOutages(redis: RedisClient, faults: StorageFaults): () => void {
  let down = false;
  const report = (detail?: string) =>
    faults.report(REDIS_OUTAGE, `Redis is unreachable${detail ? `: ${detail}` : ''}`);
  // The close comes first; why the reconnects fail (ECONNREFUSED, say) comes after.
  const onError = (err: Error) => {
    if (down) report(err.message);
  };
  const onClose = () => {
    if (down) return;
    down = true;
    report();
  };
  const onReady = () => {
    down = false;
    faults.clear(REDIS_OUTAGE);
  };
  redis.on('error', onError);
  redis.on('close', onClose);
  redis.on('ready', onReady);
  return () => {
    redis.off('error', onError);
    redis.off('close', onClose);
    redis.off('ready', onReady);
  };
}
