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
