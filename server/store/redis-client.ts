// Opens a connection to the Redis server (or Redis Cluster) that several hubs
// share; `DbUser`/`DbPassword` authenticate (Redis 6 ACLs or `requirepass`).
// A command waits in ioredis' offline queue while the connection is down, but
// not for long: after MAX_RETRIES_PER_REQUEST failed reconnections in a row it
// fails (and leaves the queue), so a write during an outage is refused loudly
// (a storage fault, as a full disk is) instead of piling up unanswered. A
// server that hangs (stopped, swapping) is a lost connection after
// SOCKET_TIMEOUT_MS without a byte while commands wait. A command that was
// already sent when the connection went is kept by ioredis to send again,
// beyond the reach of those limits: COMMAND_TIMEOUT_MS fails it. (It may still
// run once Redis is back: a refused write may yet be stored, never the other
// way round.) The subscriber keeps waiting: it holds no writes, and ioredis
// subscribes again once it is back.
// The hub loads ioredis only with Database=redis.
import type * as IoRedis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { HubConfig } from '../config/schema';
import { parseRedisServers } from './redis-connection';
import type { RedisClient } from './redis-connection';

/** The longest wait between reconnection attempts: hubs keep trying for as long as it takes. */
const RETRY_DELAY_MAX_MS = 2000;
/**
 * Failed reconnections after which the commands waiting fail: about a second
 * of a refused connection (100 + 200 + 300 + 400 ms between attempts).
 */
const MAX_RETRIES_PER_REQUEST = 3;
/** Silence while commands wait, after which the connection counts as lost. */
const SOCKET_TIMEOUT_MS = 3000;
/** The longest any command waits for its answer, wherever it waits. */
const COMMAND_TIMEOUT_MS = 10_000;

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
    // Keep reconnecting for as long as it takes: hubs outlive Redis restarts.
    retryStrategy: (times) => Math.min(100 * times, RETRY_DELAY_MAX_MS),
    ...(role === 'subscribe'
      ? { maxRetriesPerRequest: null }
      : {
          maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
          socketTimeout: SOCKET_TIMEOUT_MS,
          commandTimeout: COMMAND_TIMEOUT_MS,
        }),
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
