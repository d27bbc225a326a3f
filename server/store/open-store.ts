// Chooses the backend from config (DESIGN.md rule 3).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import { MemoryStore } from './memory-store';
import { SqliteStore } from './sqlite-store';
import type { DocumentStore } from './types';

export function openStore(config: HubConfig, now: () => number = Date.now): DocumentStore {
  switch (config.Database) {
    case 'memory':
      return new MemoryStore({ now });
    case 'sqlite':
      try {
        fs.mkdirSync(path.dirname(config.DbFile), { recursive: true });
        return new SqliteStore(config.DbFile, { synchronous: config.DbSynchronous, now });
      } catch (err) {
        throw new ConfigError(
          `DbFile="${config.DbFile}" cannot be opened as a SQLite database: ${(err as Error).message}`,
        );
      }
  }
}
