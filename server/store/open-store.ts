// Chooses where each kind of data lives, from `Database`
// (docs/architecture.md#storage-is-an-async-interface-chosen-from-config), in one switch: memory, the hub's SQLite file (each store on its own connection),
// or Redis shared with other hubs. Every kind has a Redis backend, so hubs that
// share Redis keep nothing in a SQLite file of their own.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/load';
import { PRIVATE_DIR_MODE } from '../config/private-files';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { ClassroomStore } from './class-store';
import { MemoryClassroomStore } from './memory-class-store';
import { MemoryStore } from './memory-store';
import { MemoryWorkspaceStore } from './memory-workspace-store';
import { MemoryYjsStore } from './memory-yjs-store';
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

interface Backends<T> {
  memory(options: StoreOptions): T;
  sqlite(file: string, options: SqliteStoreOptions): T;
  redis(redis: RedisClient, options: RedisStoreOptions): T;
}

const DOCUMENTS: Backends<DocumentStore> = {
  memory: (o) => new MemoryStore(o),
  sqlite: (file, o) => new SqliteStore(file, o),
  redis: (redis, o) => new RedisStore(redis, o),
};
const YJS: Backends<YjsStore> = {
  memory: (o) => new MemoryYjsStore(o),
  sqlite: (file, o) => new SqliteYjsStore(file, o),
  redis: (redis, o) => new RedisYjsStore(redis, o),
};
const WORKSPACES: Backends<WorkspaceStore> = {
  memory: (o) => new MemoryWorkspaceStore(o),
  sqlite: (file, o) => new SqliteWorkspaceStore(file, o),
  redis: (redis, o) => new RedisWorkspaceStore(redis, o),
};
const CLASSES: Backends<ClassroomStore> = {
  memory: (o) => new MemoryClassroomStore(o),
  sqlite: (file, o) => new SqliteClassroomStore(file, o),
  redis: (redis, o) => new RedisClassroomStore(redis, o),
};

/** Documents and the management API's tokens; `log` hears of failures in the background. */
export const openStore = (
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
  log?: Logger,
) => open(DOCUMENTS, config, now, redis, log);
export const openYjsStore = (
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
) => open(YJS, config, now, redis);
export const openWorkspaceStore = (
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
) => open(WORKSPACES, config, now, redis);
export const openClassroomStore = (
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
) => open(CLASSES, config, now, redis);

/** The one switch: `redis` is the hub's shared connection when Database=redis. */
function open<T>(
  backends: Backends<T>,
  config: HubConfig,
  now: () => number,
  redis: RedisClient | undefined,
  log?: Logger,
): T {
  if (config.Database === 'memory') return backends.memory({ now });
  if (config.Database === 'redis' && redis) {
    const expirationMs = config.Expiration === 'never' ? undefined : config.Expiration * 1000;
    return backends.redis(redis, { now, expirationMs });
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
