// What every `lanboard import` shares: the target `serve` would use (its
// SQLite file, or its PostgreSQL database), and the summary line's counts.
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { SharedDatabase } from '../store/open-store';
import { openPostgres } from '../store/postgres/postgres-client';

/** The settings `serve` would use with these sources; refuses a target lost at exit, or Redis. */
export function targetConfig(sources: Parameters<typeof loadConfig>[0]): HubConfig {
  const loaded = loadConfig(sources);
  for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
  const { config } = loaded;
  if (config.Database === 'memory') {
    const where = { flag: '--db', file: loaded.file, env: 'LANBOARD_DATABASE', default: 'default' };
    throw new ConfigError(
      `cannot import into Database=memory (from ${where[loaded.origins.Database]}): it is lost at exit; give --db <sqlite-file>`,
    );
  }
  // The importers write through a SQLite or PostgreSQL store; Redis and
  // MariaDB would get nothing (the rows would go to DbFile unseen), so say so.
  if (config.Database === 'redis' || config.Database === 'mariadb') {
    throw new ConfigError(
      `lanboard import fills a SQLite file or a PostgreSQL database, not Database=${config.Database} yet: give --db <sqlite-file>`,
    );
  }
  return config;
}

export interface ImportTarget<S> {
  store: S;
  /** For the summary line: the file, or the database and its server. */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens the store an import writes into, as `serve` would: in the SQLite file
 * (locked per write, so a hub may be running on it), or in PostgreSQL, whose
 * pool is opened and the schema migrated here (hubs may be running on it too).
 */
export async function openImportTarget<S extends { close(): Promise<void> }>(
  config: HubConfig,
  open: (config: HubConfig, now: () => number, shared?: SharedDatabase) => S,
): Promise<ImportTarget<S>> {
  if (config.Database !== 'postgresql') {
    const store = open(config, Date.now);
    return { store, where: path.resolve(config.DbFile), close: () => store.close() };
  }
  const db = await openPostgres(config);
  const store = open(config, Date.now, db);
  return {
    store,
    where: `PostgreSQL database "${config.DbName}" at ${config.DbServer}`,
    async close() {
      await store.close();
      await db.close();
    },
  };
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
