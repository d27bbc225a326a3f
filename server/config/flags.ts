// The `lanboard serve` flags, mapped onto config keys.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigSources } from './load';
import { defaultDataDir } from './paths';
import { envName } from './schema';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DATABASE_WORDS = new Set(['sqlite', 'memory', 'redis', 'postgresql', 'mariadb', 'mysql']);

export function serveSources(args: string[], env: NodeJS.ProcessEnv): ConfigSources {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        'no-mdns': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const flags: NonNullable<ConfigSources['flags']> = {};
  if (v.host !== undefined) flags.ServerBindAddress = { raw: v.host, flag: '--host' };
  if (v.port !== undefined) flags.ServerPort = { raw: v.port, flag: '--port' };
  if (v['data-dir'] !== undefined) flags.DataDir = { raw: v['data-dir'], flag: '--data-dir' };
  if (v['log-level'] !== undefined) flags.LogLevel = { raw: v['log-level'], flag: '--log-level' };
  if (v['no-mdns']) flags.Mdns = { raw: '0', flag: '--no-mdns' };
  if (v.db !== undefined) {
    if (DATABASE_WORDS.has(v.db.toLowerCase())) flags.Database = { raw: v.db, flag: '--db' };
    else {
      flags.Database = { raw: 'sqlite', flag: '--db' };
      flags.DbFile = { raw: path.resolve(v.db), flag: '--db' };
    }
  }
  const dataDir = v['data-dir'] ?? env[envName('DataDir')] ?? defaultDataDir();
  return v.config !== undefined
    ? { file: v.config, env, flags }
    : { optionalFile: path.join(dataDir, 'lanboard.conf'), env, flags };
}

export interface ImportArgs {
  /** The zwibbler.db to read. */
  source: string;
  verbose: boolean;
  /** The same sources `lanboard serve` would use with these flags. */
  sources: ConfigSources;
}

/** `lanboard import <zwibbler.db> [--config] [--db] [--data-dir] [--verbose]`. */
export function importArgs(args: string[], env: NodeJS.ProcessEnv): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        db: { type: 'string' },
        'data-dir': { type: 'string' },
        verbose: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values: v } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'import needs the zwibbler.db file to read'
        : `import takes one file, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const serveArgs: string[] = [];
  if (v.config !== undefined) serveArgs.push('--config', v.config);
  if (v.db !== undefined) serveArgs.push('--db', v.db);
  if (v['data-dir'] !== undefined) serveArgs.push('--data-dir', v['data-dir']);
  return {
    source: path.resolve(positionals[0]!),
    verbose: v.verbose ?? false,
    sources: serveSources(serveArgs, env),
  };
}
