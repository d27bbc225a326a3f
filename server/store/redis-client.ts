// Opens a connection to the Redis server (or Redis Cluster) that several hubs
// share; `DbUser`/`DbPassword` authenticate (Redis 6 ACLs or `requirepass`).
// Commands wait in ioredis' offline queue while the connection is down and run
// once it is back, so a short outage delays work instead of failing it. The
// hub loads ioredis only with Database=redis.
import type * as IoRedis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { HubConfig } from '../config/schema';
import { parseRedisServers } from './redis-connection';
import type { RedisClient } from './redis-connection';

/** How long a hub keeps retrying before giving up on one command: ioredis' per-command limit. */
const RETRY_DELAY_MAX_MS = 2000;

/** Opens one connection; `role` names it in Redis' CLIENT LIST. */
export type RedisConnector = (config: HubConfig, role: string) => RedisClient;

/**
 * Loads ioredis (a dynamic import, which the compiled hub keeps one too) and
 * returns what opens connections with it.
 */
export async function loadRedisConnector(): Promise<RedisConnector> {
  const { Cluster, Redis } = await import('ioredis');
  return (config, role) => connect(Cluster, Redis, config, role);
}

function connect(
  Cluster: typeof IoRedis.Cluster,
  Redis: typeof IoRedis.Redis,
  config: HubConfig,
  role: string,
): RedisClient {
  const endpoints = parseRedisServers(config.DbServer);
  const options: RedisOptions = {
    username: config.DbUser || undefined,
    password: config.DbPassword || undefined,
    connectionName: `lanboard-${role}`,
    // Keep retrying for as long as it takes: hubs outlive Redis restarts.
    retryStrategy: (times) => Math.min(100 * times, RETRY_DELAY_MAX_MS),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
  };
  if (config.DbCluster) {
    return new Cluster(endpoints, {
      redisOptions: options,
      clusterRetryStrategy: options.retryStrategy,
    });
  }
  return new Redis({ ...options, ...endpoints[0]! });
}
