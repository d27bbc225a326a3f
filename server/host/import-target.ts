// What every `lanboard import` shares: the target `serve` would use (its
// SQLite file, or its PostgreSQL or MariaDB database), and the summary line's counts.
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import type { HubConfig } from '../config/schema';
import { openMariaDb } from '../store/mariadb/client';
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
  // The importers write through a SQLite, PostgreSQL or MariaDB store; Redis
  // would get nothing (the rows would go to DbFile unseen), so say so.
  if (config.Database === 'redis') {
    throw new ConfigError(
      `lanboard import fills a SQLite file or a PostgreSQL or MariaDB database, not Database=${config.Database} yet: give --db <sqlite-file>`,
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

/** The servers an import opens a pool to, by the name the summary line gives them. */
const SERVERS = {
  postgresql: { name: 'PostgreSQL', open: openPostgres },
  mariadb: { name: 'MariaDB', open: openMariaDb },
} as const;

/**
 * Opens the store an import writes into, as `serve` would: in the SQLite file
 * (locked per write, so a hub may be running on it), or in PostgreSQL or
 * MariaDB, whose pool is opened and the schema migrated here (hubs may be
 * running on it too; the import takes no hub lock).
 */
export async function openImportTarget<S extends { close(): Promise<void> }>(
  config: HubConfig,
  open: (config: HubConfig, now: () => number, shared?: SharedDatabase) => S,
): Promise<ImportTarget<S>> {
  if (config.Database !== 'postgresql' && config.Database !== 'mariadb') {
    const store = open(config, Date.now);
    return { store, where: path.resolve(config.DbFile), close: () => store.close() };
  }
  const server = SERVERS[config.Database];
  const db = await server.open(config);
  const store = open(config, Date.now, db);
  return {
    store,
    where: `${server.name} database "${config.DbName}" at ${config.DbServer}`,
    async close() {
      await store.close();
      await db.close();
    },
  };
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
