// Chooses the backend from config (DESIGN.md rule 3).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import { MemoryStore } from './memory-store';
import { SqliteStore } from './sqlite-store';
import type { DocumentStore } from './types';

export function openStore(config: HubConfig, now: () => number = Date.now): DocumentStore {
  if (config.Database === 'memory') return new MemoryStore({ now });
  return openSqliteFile(config, (file, synchronous) => new SqliteStore(file, { synchronous, now }));
}

/**
 * Opens a store on the hub's SQLite file (DbFile), creating its folder; any
 * failure becomes one ConfigError line naming the file.
 */
export function openSqliteFile<T>(
  config: HubConfig,
  open: (file: string, synchronous: HubConfig['DbSynchronous']) => T,
): T {
  try {
    fs.mkdirSync(path.dirname(config.DbFile), { recursive: true });
    return open(config.DbFile, config.DbSynchronous);
  } catch (err) {
    throw new ConfigError(
      `DbFile="${config.DbFile}" cannot be opened as a SQLite database: ${(err as Error).message}`,
    );
  }
}
