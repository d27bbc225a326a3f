// What every `lanboard import` shares: the target `serve` would use, and the
// summary line's counts.
import { ConfigError, loadConfig } from '../config/load';
import type { HubConfig } from '../config/schema';

/** The settings `serve` would use with these sources; refuses a target lost at exit, or not SQLite. */
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
  // The importers write through a SQLite store; a shared database would get
  // nothing (the rows would go to DbFile unseen), so say so instead.
  if (config.Database !== 'sqlite') {
    throw new ConfigError(
      `lanboard import fills a SQLite file, not Database=${config.Database} yet: give --db <sqlite-file>`,
    );
  }
  return config;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
