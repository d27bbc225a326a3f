// Command-line flags, mapped onto config keys.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { ConfigSources } from './load';
import { defaultDataDir } from './paths';
import { DATABASE_SPELLINGS, DATABASES, envName } from './schema';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const DATABASE_WORDS = new Set([...DATABASES, ...Object.keys(DATABASE_SPELLINGS)]);

/** Where settings and the database come from: shared by every command that opens the store. */
const STORE_OPTIONS = {
  config: { type: 'string' },
  db: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

type Flags = NonNullable<ConfigSources['flags']>;

/**
 * Every command's flags, strictly: an unknown flag is a UsageError. A negative
 * number after a flag that takes a value (`--port -1`) is read as its value,
 * so that the value's own check answers rather than "ambiguous".
 */
export function parseFlags<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  positionals = false,
) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify .*$/s, ''));
  }
}

/** Adds --db and --data-dir to `flags`, and picks the config file as `serve` does. */
function storeSources(
  v: { config?: string; db?: string; 'data-dir'?: string },
  env: NodeJS.ProcessEnv,
  flags: Flags,
): ConfigSources {
  if (v['data-dir'] !== undefined) flags.DataDir = { raw: v['data-dir'], flag: '--data-dir' };
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

/** `lanboard serve [--config] [--host] [--port] [--db] [--data-dir] [--log-level] [--no-mdns] [--admin-token]`. */
export function serveSources(args: string[], env: NodeJS.ProcessEnv): ConfigSources {
  const { values: v } = parseFlags(
    args,
    {
      ...STORE_OPTIONS,
      host: { type: 'string' },
      port: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      'no-mdns': { type: 'boolean' },
      'admin-token': { type: 'string' },
      'start-damaged': { type: 'boolean' },
    },
    false,
  );
  const flags: Flags = {};
  if (v.host !== undefined) flags.ServerBindAddress = { raw: v.host, flag: '--host' };
  if (v.port !== undefined) flags.ServerPort = { raw: v.port, flag: '--port' };
  if (v['log-level'] !== undefined) flags.LogLevel = { raw: v['log-level'], flag: '--log-level' };
  if (v['log-format'] !== undefined) {
    flags.LogFormat = { raw: v['log-format'], flag: '--log-format' };
  }
  if (v['no-mdns']) flags.Mdns = { raw: '0', flag: '--no-mdns' };
  if (v['admin-token'] !== undefined) {
    flags.AdminToken = { raw: v['admin-token'], flag: '--admin-token' };
  }
  if (v['start-damaged']) flags.DbStartDamaged = { raw: '1', flag: '--start-damaged' };
  return storeSources(v, env, flags);
}

/** What `lanboard import` reads: a zwibserve SQLite file, or a y-leveldb folder. */
export const IMPORT_SOURCES = ['zwibserve', 'y-leveldb'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ImportArgs {
  /** What kind of source `source` is. */
  from: ImportSource;
  /** The zwibbler.db file, or the y-leveldb folder, to read. */
  source: string;
  verbose: boolean;
  /** The same sources `lanboard serve` would use with these flags. */
  sources: ConfigSources;
}

/** `lanboard import [--from zwibserve|y-leveldb] <source> [--config] [--db] [--data-dir] [--verbose]`. */
export function importArgs(args: string[], env: NodeJS.ProcessEnv): ImportArgs {
  const { positionals, values: v } = parseFlags(
    args,
    { ...STORE_OPTIONS, verbose: { type: 'boolean' }, from: { type: 'string' } },
    true,
  );
  const from = v.from ?? 'zwibserve';
  if (!(IMPORT_SOURCES as readonly string[]).includes(from)) {
    throw new UsageError(`--from must be ${IMPORT_SOURCES.join(' or ')}, not "${from}"`);
  }
  const what = from === 'y-leveldb' ? 'the y-leveldb folder' : 'the zwibbler.db file';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? `import needs ${what} to read`
        : `import takes one source, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  return {
    from: from as ImportSource,
    source: path.resolve(positionals[0]!),
    verbose: v.verbose ?? false,
    sources: storeSources(v, env, {}),
  };
}

export interface BackupArgs {
  /** Where to write the copy; undefined: into the backups folder, rotated. */
  to?: string;
  /** The same sources `lanboard serve` would use with these flags. */
  sources: ConfigSources;
}

/** `lanboard backup [--to <file>] [--config] [--db] [--data-dir]`. */
export function backupArgs(args: string[], env: NodeJS.ProcessEnv): BackupArgs {
  const { values: v } = parseFlags(args, { ...STORE_OPTIONS, to: { type: 'string' } });
  return {
    to: v.to === undefined ? undefined : path.resolve(v.to),
    sources: storeSources(v, env, {}),
  };
}
