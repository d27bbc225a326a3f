// Layers the config: defaults < file < LANBOARD_* environment < flags. Every bad
// value becomes one ConfigError line naming the key, the value, where it came
// from and what is allowed.
import fs from 'node:fs';
import path from 'node:path';
import { budgetProblem } from './budgets';
import { envName, SETTING_BY_KEY, SETTINGS } from './schema';
import type { ConfigKey, HubConfig, Setting } from './schema';
import { ValueError } from './values';

export type Origin = 'default' | 'file' | 'env' | 'flag';

export interface LoadedConfig {
  config: HubConfig;
  /** Where each key's value came from (the dashboard shows overrides). */
  origins: Record<ConfigKey, Origin>;
  /** The config file read, if any. */
  file: string | undefined;
  /** Lines that did not stop the hub, for the log. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface RawValue {
  raw: string;
  origin: Origin;
  /** For messages: "lanboard.conf line 3", "LANBOARD_SERVER_PORT", "--port". */
  where: string;
}

export interface ConfigSources {
  /** An explicit file: it must exist. */
  file?: string;
  /** Read if present: the default file location. */
  optionalFile?: string;
  /** The file's text, used instead of reading it (to check an edit before it is written). */
  fileText?: string;
  env?: NodeJS.ProcessEnv;
  /** Raw flag values by key, with the flag's name for messages. */
  flags?: Partial<Record<ConfigKey, { raw: string; flag: string }>>;
  /**
   * Raw values that stand in for the schema's defaults, below the file: the
   * desktop app's DataDir under userData, whatever its config file says or not.
   */
  defaults?: Partial<Record<ConfigKey, string>>;
}

/** zwibbler.conf keys of zwibbler-service's own features, and what stands in for them. */
const FOREIGN_KEYS: Record<string, string> = {
  SwarmURL:
    'SwarmURL ignored: zwibbler-service servers swarm, Lanboard hubs share a Redis server instead (Database=redis)',
};

export function parseConfigText(
  text: string,
  fileName: string,
): { values: Map<Setting, RawValue>; warnings: string[] } {
  const values = new Map<Setting, RawValue>();
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const eq = trimmed.indexOf('=');
    const where = `${fileName} line ${i + 1}`;
    if (eq < 0) {
      // "JWTKey secret" (a missing '=') must not print the secret.
      const first = /^[\w-]*/.exec(trimmed)![0];
      const shown = SETTING_BY_KEY.get(first)?.secret ? `${first} (value hidden)` : trimmed;
      warnings.push(`${where}: ignored "${shown}": expected Key=Value`);
      return;
    }
    const name = trimmed.slice(0, eq).trim();
    const setting = SETTING_BY_KEY.get(name);
    if (!setting) {
      warnings.push(`${where}: ${FOREIGN_KEYS[name] ?? `unknown key ${name} ignored`}`);
      return;
    }
    // Split at the first '=' only: base64 keys end in '='.
    values.set(setting, { raw: trimmed.slice(eq + 1).trim(), origin: 'file', where });
  });
  return { values, warnings };
}

export function loadConfig(sources: ConfigSources = {}): LoadedConfig {
  const layers = new Map<Setting, RawValue>();
  const warnings: string[] = [];
  for (const [key, raw] of Object.entries(sources.defaults ?? {})) {
    layers.set(SETTING_BY_KEY.get(key)!, { raw: raw!, origin: 'default', where: key });
  }
  const fileName =
    sources.file ??
    (sources.optionalFile && (sources.fileText !== undefined || fs.existsSync(sources.optionalFile))
      ? sources.optionalFile
      : undefined);
  if (fileName !== undefined) {
    let text: string;
    try {
      text = sources.fileText ?? fs.readFileSync(fileName, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${fileName}: ${(err as Error).message}`);
    }
    const parsed = parseConfigText(text, fileName);
    for (const [s, v] of parsed.values) layers.set(s, v);
    warnings.push(...parsed.warnings);
  }
  const env = sources.env ?? {};
  for (const s of SETTINGS) {
    const name = envName(s.key);
    const raw = env[name];
    if (raw !== undefined) layers.set(s, { raw, origin: 'env', where: name });
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    const s = SETTING_BY_KEY.get(key)!;
    layers.set(s, { raw: value!.raw, origin: 'flag', where: value!.flag });
  }

  const cluster = redisClusterSpelling(layers);
  if (cluster) warnings.push(cluster);

  const config: Partial<HubConfig> = {};
  const origins = {} as Record<ConfigKey, Origin>;
  for (const s of SETTINGS) {
    const given = layers.get(s);
    origins[s.key] = given?.origin ?? 'default';
    (config as Record<string, unknown>)[s.key] = given ? parseValue(s, given) : undefined;
  }
  const complete = completeConfig(config);
  const whereOf = (key: ConfigKey) => layers.get(SETTING_BY_KEY.get(key)!)?.where ?? key;
  checkDataPaths(complete, origins, whereOf);
  return { config: complete, origins, file: fileName, warnings };
}

/**
 * zwibbler-service's `Database=redis-cluster` is Lanboard's Database=redis with
 * DbCluster=1: sets DbCluster unless it was given, and says so.
 */
function redisClusterSpelling(layers: Map<Setting, RawValue>): string | undefined {
  const database = layers.get(SETTING_BY_KEY.get('Database')!);
  if (database?.raw.trim().toLowerCase() !== 'redis-cluster') return undefined;
  const clusterSetting = SETTING_BY_KEY.get('DbCluster')!;
  const given = layers.get(clusterSetting);
  if (given) {
    return `Database=redis-cluster (${database.where}) is read as Database=redis; DbCluster=${given.raw} (${given.where}) decides whether it is a Redis Cluster`;
  }
  layers.set(clusterSetting, { raw: '1', origin: database.origin, where: database.where });
  return `Database=redis-cluster (${database.where}) is read as Database=redis with DbCluster=1: DbServer lists the Redis Cluster's nodes`;
}

/**
 * A database path the user gave must be in a folder that exists: a typo would
 * otherwise start an empty hub in a new folder, as if the boards were gone.
 * The data folder may be new (the first start makes it), but not under a file.
 */
function checkDataPaths(
  config: HubConfig,
  origins: Record<ConfigKey, Origin>,
  whereOf: (key: ConfigKey) => string,
): void {
  if (config.Database === 'sqlite' && origins.DbFile !== 'default') {
    const folder = path.dirname(config.DbFile);
    if (!isFolder(folder)) {
      throw new ConfigError(
        `DbFile="${config.DbFile}" (${whereOf('DbFile')}): the folder ${folder} does not exist; create it first, or check the path`,
      );
    }
  }
  if (origins.DataDir !== 'default') {
    let existing = path.resolve(config.DataDir);
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
      existing = path.dirname(existing);
    }
    if (!isFolder(existing)) {
      throw new ConfigError(
        `DataDir="${config.DataDir}" (${whereOf('DataDir')}) cannot be a folder: ${existing} is a file`,
      );
    }
  }
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function parseValue(s: Setting, v: RawValue): unknown {
  // `Key=` means the default, as the sample zwibbler.conf's empty `RedisServer=` does.
  if (v.raw.trim() === '') return undefined;
  try {
    return s.parse(v.raw);
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    const shown = s.secret ? '(hidden)' : `"${v.raw}"`;
    throw new ConfigError(`${s.key}=${shown} (${v.where}) is not valid: expected ${err.allowed}`);
  }
}

/** Fills defaults in schema order (a derived default sees the keys before it) and checks the rules that span keys. */
export function completeConfig(partial: Partial<HubConfig>): HubConfig {
  const config: Partial<HubConfig> = {};
  const values = config as Record<string, unknown>;
  for (const s of SETTINGS) {
    const given = partial[s.key];
    // Empty means the default here too, for hosts that pass values straight in.
    values[s.key] =
      given !== undefined && given !== ''
        ? given
        : typeof s.default === 'function'
          ? s.default(config)
          : s.default;
  }
  const full = config as HubConfig;
  if (Boolean(full.CertFile) !== Boolean(full.KeyFile)) {
    const [set, unset] = full.CertFile ? ['CertFile', 'KeyFile'] : ['KeyFile', 'CertFile'];
    throw new ConfigError(`${set} is set but ${unset} is empty: set both for HTTPS, or neither`);
  }
  const budgets = budgetProblem(full);
  if (budgets) throw new ConfigError(budgets);
  return full;
}
