// Where classes persist, chosen from config as the Yjs rooms are (openYjsStore):
// a class's board is a Yjs room, so both live in the same backend.
import type { HubConfig } from '../config/schema';
import { openSqliteFile } from '../store/open-store';
import type { RedisClient } from '../store/redis-connection';
import { MemoryClassroomStore } from '../store/memory-class-store';
import { RedisClassroomStore } from '../store/redis-class-store';
import { SqliteClassroomStore } from '../store/sqlite-class-store';
import type { ClassroomStore } from '../store/class-store';

/**
 * Memory when Database=memory, Redis (the hub's shared connection) when
 * Database=redis, otherwise the hub's SQLite file (its own connection).
 */
export function openClassroomStore(
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
): ClassroomStore {
  if (config.Database === 'memory') return new MemoryClassroomStore({ now });
  if (config.Database === 'redis' && redis) return new RedisClassroomStore(redis, { now });
  return openSqliteFile(
    config,
    (file, synchronous) => new SqliteClassroomStore(file, { synchronous, now }),
  );
}
