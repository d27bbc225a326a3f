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
// subscribes again once it is back. A Redis Cluster has a queue of its own,
// for commands sent while it has no node to send them to (every node gone),
// which none of those limits reach: boundClusterQueue empties it once the
// cluster has been down for CLUSTER_QUEUE_WAIT_MS.
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

/** How long a Redis Cluster may be down before the commands in its own queue fail. */
const CLUSTER_QUEUE_WAIT_MS = 1000;
/** How often that is looked at: a command waits at most about this long once it is down for good. */
const CLUSTER_QUEUE_CHECK_MS = 250;

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
    const cluster = new Cluster(endpoints, {
      redisOptions: options,
      clusterRetryStrategy: options.retryStrategy,
    });
    if (role !== 'subscribe') boundClusterQueue(cluster);
    return cluster;
  }
  return new Redis({ ...options, ...endpoints[0]! });
}

/**
 * Fails the commands waiting in the cluster's own offline queue once it has
 * not been ready for CLUSTER_QUEUE_WAIT_MS, as a single server's connection
 * fails them after MAX_RETRIES_PER_REQUEST. ioredis has no option for it
 * (`enableOfflineQueue: false` would refuse even during a start or a failover
 * of a few milliseconds), so this calls its flushQueue, which its types keep
 * private; server/cluster/redis-cluster-outage.test.ts catches a change.
 */
function boundClusterQueue(cluster: IoRedis.Cluster): void {
  const queue = cluster as unknown as { flushQueue(err: Error): void };
  let downSince: number | undefined;
  const timer = setInterval(() => {
    if (cluster.status === 'ready') {
      downSince = undefined;
      return;
    }
    downSince ??= Date.now();
    if (Date.now() - downSince >= CLUSTER_QUEUE_WAIT_MS) {
      queue.flushQueue(new Error('the Redis Cluster is unreachable'));
    }
  }, CLUSTER_QUEUE_CHECK_MS);
  timer.unref();
  cluster.once('end', () => clearInterval(timer));
}
