// Chooses where each kind of data lives, from `Database`
// (docs/architecture.md#storage-is-an-async-interface-chosen-from-config), in one switch: memory, the hub's SQLite file (each store on its own connection),
// Redis shared with other hubs, or PostgreSQL or MariaDB/MySQL (every kind,
// through the hub's pool). Every kind has a Redis backend, so hubs that share Redis keep nothing
// in a SQLite file of their own.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/load';
import { PRIVATE_DIR_MODE } from '../config/private-files';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { ClassroomStore } from './class-store';
import { MariaDbClassroomStore } from './mariadb/class-store';
import { MariaDb } from './mariadb/connection';
import { MariaDbStore } from './mariadb/document-store';
import { MariaDbWorkspaceStore } from './mariadb/workspace-store';
import { MariaDbYjsStore } from './mariadb/yjs-store';
import { MemoryClassroomStore } from './memory-class-store';
import { MemoryStore } from './memory-store';
import { MemoryWorkspaceStore } from './memory-workspace-store';
import { MemoryYjsStore } from './memory-yjs-store';
import { PostgresClassroomStore } from './postgres/postgres-class-store';
import { PostgresDb } from './postgres/postgres-connection';
import { PostgresStore } from './postgres/postgres-store';
import { PostgresWorkspaceStore } from './postgres/postgres-workspace-store';
import { PostgresYjsStore } from './postgres/postgres-yjs-store';
import { RedisClassroomStore } from './redis-class-store';
import type { RedisClient } from './redis-connection';
import { RedisStore } from './redis-store';
import { RedisWorkspaceStore } from './redis-workspace-store';
import type { RedisStoreOptions } from './redis-store';
import { RedisYjsStore } from './redis-yjs-store';
import { SqliteClassroomStore } from './sqlite-class-store';
import { SqliteStore } from './sqlite-store';
import type { SqliteStoreOptions } from './sqlite-store';
import { SqliteWorkspaceStore } from './sqlite-workspace-store';
import { SqliteYjsStore } from './sqlite-yjs-store';
import type { DocumentStore, StoreOptions } from './types';
import type { WorkspaceStore } from './workspace-store';
import type { YjsStore } from './yjs-store';

/** The hub's connection to the database several hubs may share, which stores open their data in. */
export type SharedDatabase = RedisClient | PostgresDb | MariaDb;

interface Backends<T> {
  memory(options: StoreOptions): T;
  sqlite(file: string, options: SqliteStoreOptions): T;
  redis(redis: RedisClient, options: RedisStoreOptions): T;
  postgresql(db: PostgresDb, options: StoreOptions): T;
  mariadb(db: MariaDb, options: StoreOptions): T;
}

const DOCUMENTS: Backends<DocumentStore> = {
  memory: (o) => new MemoryStore(o),
  sqlite: (file, o) => new SqliteStore(file, o),
  redis: (redis, o) => new RedisStore(redis, o),
  postgresql: (db, o) => new PostgresStore(db, o),
  mariadb: (db, o) => new MariaDbStore(db, o),
};
const YJS: Backends<YjsStore> = {
  memory: (o) => new MemoryYjsStore(o),
  sqlite: (file, o) => new SqliteYjsStore(file, o),
  redis: (redis, o) => new RedisYjsStore(redis, o),
  postgresql: (db, o) => new PostgresYjsStore(db, o),
  mariadb: (db, o) => new MariaDbYjsStore(db, o),
};
const WORKSPACES: Backends<WorkspaceStore> = {
  memory: (o) => new MemoryWorkspaceStore(o),
  sqlite: (file, o) => new SqliteWorkspaceStore(file, o),
  redis: (redis, o) => new RedisWorkspaceStore(redis, o),
  postgresql: (db, o) => new PostgresWorkspaceStore(db, o),
  mariadb: (db, o) => new MariaDbWorkspaceStore(db, o),
};
const CLASSES: Backends<ClassroomStore> = {
  memory: (o) => new MemoryClassroomStore(o),
  sqlite: (file, o) => new SqliteClassroomStore(file, o),
  redis: (redis, o) => new RedisClassroomStore(redis, o),
  postgresql: (db, o) => new PostgresClassroomStore(db, o),
  mariadb: (db, o) => new MariaDbClassroomStore(db, o),
};

/** Documents and the management API's tokens; `log` hears of failures in the background. */
export const openStore = (
  config: HubConfig,
  now: () => number = Date.now,
  shared?: SharedDatabase,
  log?: Logger,
) => open(DOCUMENTS, config, now, shared, log);
export const openYjsStore = (
  config: HubConfig,
  now: () => number = Date.now,
  shared?: SharedDatabase,
) => open(YJS, config, now, shared);
export const openWorkspaceStore = (
  config: HubConfig,
  now: () => number = Date.now,
  shared?: SharedDatabase,
) => open(WORKSPACES, config, now, shared);
export const openClassroomStore = (
  config: HubConfig,
  now: () => number = Date.now,
  shared?: SharedDatabase,
) => open(CLASSES, config, now, shared);

/** The one switch: `shared` is the hub's connection when Database=redis, postgresql or mariadb. */
function open<T>(
  backends: Backends<T>,
  config: HubConfig,
  now: () => number,
  shared: SharedDatabase | undefined,
  log?: Logger,
): T {
  if (config.Database === 'memory') return backends.memory({ now });
  if (config.Database === 'postgresql') {
    // The backend opens the pool (and migrates) before any store.
    if (!(shared instanceof PostgresDb))
      throw new Error('Database=postgresql: no PostgreSQL pool is open');
    return backends.postgresql(shared, { now });
  }
  if (config.Database === 'mariadb') {
    // Likewise: the backend opens the pool (and migrates) first.
    if (!(shared instanceof MariaDb)) throw new Error('Database=mariadb: no MariaDB pool is open');
    return backends.mariadb(shared, { now });
  }
  if (
    config.Database === 'redis' &&
    shared &&
    !(shared instanceof PostgresDb || shared instanceof MariaDb)
  ) {
    const expirationMs = config.Expiration === 'never' ? undefined : config.Expiration * 1000;
    return backends.redis(shared, { now, expirationMs });
  }
  try {
    // Made 0700 when created here; an existing folder is the operator's choice.
    fs.mkdirSync(path.dirname(config.DbFile), { recursive: true, mode: PRIVATE_DIR_MODE });
    return backends.sqlite(config.DbFile, { synchronous: config.DbSynchronous, now, log });
  } catch (err) {
    // One line naming the file, whatever SQLite said.
    throw new ConfigError(
      `DbFile="${config.DbFile}" cannot be opened as a SQLite database: ${(err as Error).message}`,
    );
  }
}
