// What a hub keeps its state in and talks to other hubs through, chosen from
// `Database` (docs/architecture.md#storage-is-an-async-interface-chosen-from-config,
// docs/architecture.md#scale-out-uses-redis): one process (SQLite or memory, the
// in-process bus), Redis shared with other hubs (the Redis store and bus,
// and presence, so that what a dead hub left behind is cleaned up by the
// protocols' onDeadHub hooks), PostgreSQL shared with other hubs (its pool,
// opened and migrated here, which every store uses; the bus on LISTEN/NOTIFY;
// presence in a table), or MariaDB/MySQL (its pool, opened and migrated here).
import { HUB_GONE_TOPIC } from '../cluster/bus';
import type { Bus, HubGone } from '../cluster/bus';
import { HubPresence } from '../cluster/hub-presence';
import { LocalBus } from '../cluster/local-bus';
import { PostgresBus } from '../cluster/postgres-bus';
import { PostgresPresenceRecords } from '../cluster/postgres-presence';
import { RedisBus } from '../cluster/redis-bus';
import { RedisPresenceRecords } from '../cluster/redis-presence';
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { DeadHubCleanUp } from './protocol';
import { within } from './within';
import { openStore } from '../store/open-store';
import type { SharedDatabase } from '../store/open-store';
import { openMariaDb } from '../store/mariadb/client';
import { holdMariaDbHubLock } from '../store/mariadb/hub-lock';
import { openPostgres } from '../store/postgres/postgres-client';
import { BackupSchedule } from '../store/sqlite-backups';
import { loadRedisConnector } from '../store/redis-client';
import { redisReady } from '../store/redis-connection';
import type { RedisClient } from '../store/redis-connection';
import type { DocumentStore } from '../store/types';

export interface Backend {
  store: DocumentStore;
  bus: Bus;
  /** The shared Redis connection, when Database=redis. */
  redis?: RedisClient;
  /** What the stores open their data in: Redis's connection, or PostgreSQL's or MariaDB's pool. */
  database?: SharedDatabase;
  /** What ProtocolContext.onDeadHub registers with; absent with one hub. */
  onDeadHub?(cleanUp: DeadHubCleanUp): void;
  /** Starts background work (presence), once the hub is up. */
  start(): Promise<void>;
  /** Closes the bus, the store and every connection. */
  close(): Promise<void>;
}

export async function openBackend(
  config: HubConfig,
  now: () => number,
  log: Logger,
  /** In place of the one chosen from config (tests make one fail for real). */
  documentStore?: DocumentStore,
): Promise<Backend> {
  if (config.Database === 'postgresql') {
    // `pg` is loaded only here (docs/architecture.md#startup-loads-what-is-used).
    const postgres = await openPostgres(config, log.child({ component: 'store' }));
    let bus: PostgresBus;
    try {
      bus = await PostgresBus.open(postgres, log.child({ component: 'bus' }));
    } catch (err) {
      await postgres.close();
      throw err;
    }
    const store = documentStore ?? openStore(config, now, postgres);
    const presence = new HubPresence(
      new PostgresPresenceRecords(postgres),
      bus.hubId,
      log.child({ component: 'presence' }),
    );
    return {
      store,
      bus,
      database: postgres,
      ...sharedUpkeep(bus, presence),
      async close() {
        await within(presence.stop(), 2000);
        await bus.close();
        await store.close();
        await postgres.close();
      },
    };
  }
  if (config.Database === 'mariadb') {
    // `mysql2` is loaded only here. No fan-out across hubs: MariaDB has no
    // LISTEN/NOTIFY (docs/architecture.md#several-hubs-on-one-mariadb).
    const mariadb = await openMariaDb(config, log.child({ component: 'store' }));
    const releaseLock = await holdMariaDbHubLock(mariadb, log);
    const store = documentStore ?? openStore(config, now, mariadb);
    const bus = new LocalBus();
    return {
      store,
      bus,
      database: mariadb,
      start: async () => undefined,
      async close() {
        await bus.close();
        await store.close();
        releaseLock();
        await mariadb.close();
      },
    };
  }
  if (config.Database !== 'redis') {
    const store =
      documentStore ?? openStore(config, now, undefined, log.child({ component: 'store' }));
    const bus = new LocalBus();
    // docs/operating.md#backups: the hub's own file, on a schedule.
    const backups =
      config.Database === 'sqlite'
        ? new BackupSchedule({
            dbFile: config.DbFile,
            intervalMs: config.BackupIntervalSeconds * 1000,
            keep: config.BackupsKept,
            log: log.child({ component: 'backup' }),
          })
        : undefined;
    return {
      store,
      bus,
      start: async () => backups?.start(),
      async close() {
        backups?.stop();
        await bus.close();
        await store.close();
      },
    };
  }
  // ioredis is loaded only here, by the hubs that use it (docs/architecture.md#startup-loads-what-is-used).
  const connectRedis = await loadRedisConnector();
  const redis = connectRedis(config, 'store');
  redis.on('error', () => undefined); // reported by the bus's connections and health checks
  try {
    await redisReady(redis);
  } catch (err) {
    redis.disconnect();
    throw new ConfigError(
      `Database=redis: cannot reach Redis at DbServer="${config.DbServer}": ${(err as Error).message}`,
    );
  }
  const store = openStore(config, now, redis);
  const bus = new RedisBus(connectRedis(config, 'publish'), connectRedis(config, 'subscribe'), log);
  const presence = new HubPresence(
    new RedisPresenceRecords(redis),
    bus.hubId,
    log.child({ component: 'presence' }),
  );
  return {
    store,
    bus,
    redis,
    database: redis,
    ...sharedUpkeep(bus, presence),
    async close() {
      await within(presence.stop(), 2000);
      await bus.close();
      await store.close();
    },
  };
}

/**
 * With other hubs on the same database: the protocols' clean-ups for a hub
 * found dead, run by presence, after which every hub hears `cluster/hub-gone`.
 */
function sharedUpkeep(bus: Bus, presence: HubPresence): Pick<Backend, 'onDeadHub' | 'start'> {
  const cleanUps: DeadHubCleanUp[] = [];
  return {
    onDeadHub: (cleanUp) => cleanUps.push(cleanUp),
    start: () =>
      presence.start(async (hub) => {
        for (const cleanUp of cleanUps) await cleanUp(hub);
        bus.publish<HubGone>(HUB_GONE_TOPIC, { hub }); // every hub drops what it mirrored of it
      }),
  };
}
