// GET and PUT <admin>/api/config. Reads and edits the hub's config file (the
// one loaded, or <DataDir>/lanboard.conf, created on the first save). Every
// value is checked by the one schema before anything is written; the file
// keeps its comments, order and unknown lines. Values from LANBOARD_* or flags
// still win over the file, and the answer says which.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfigText } from '../config/load';
import { DATABASES, envName, SETTING_BY_KEY, SETTINGS } from '../config/schema';
import type { HubConfig, Setting } from '../config/schema';
import { boolean, expiration, ValueError } from '../config/values';
import { LOG_LEVELS } from '../log/logger';
import type { HostControls } from './host-controls';
import type { ConfigUpdateReply, ConfigView, SettingView } from './api-types';
import { updateConfigText } from './config-file';
import { isFileOnly, SETTING_LAYOUT } from './settings-layout';

/** A running value as the file would write it. */
export function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** The settings whose parser takes one of a list. */
const CHOICES: Partial<Record<string, readonly string[]>> = {
  Database: DATABASES,
  DbSynchronous: ['normal', 'full'],
  LogLevel: LOG_LEVELS,
};

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function configView(config: HubConfig, host: HostControls): ConfigView {
  const text = readText(host.configFile);
  const inFile = text === undefined ? new Map() : parseConfigText(text, host.configFile).values;
  const settings = SETTINGS.map((s): SettingView => {
    const raw = inFile.get(s)?.raw as string | undefined;
    const value = formatValue(config[s.key]);
    const defaultValue = typeof s.default === 'function' ? undefined : formatValue(s.default);
    const place = SETTING_LAYOUT[s.key];
    return {
      key: s.key,
      ...(isFileOnly(place)
        ? { label: s.key, fileOnly: place.fileOnly }
        : { label: place.label, group: place.group, unit: place.unit }),
      allowsNever: s.parse === expiration || undefined,
      doc: s.doc,
      defaultText: s.defaultText ?? (defaultValue === '' ? '(empty)' : (defaultValue ?? '')),
      secret: Boolean(s.secret),
      fileValue: raw === undefined ? null : s.secret ? '' : raw,
      value: s.secret ? '' : value,
      isSet: value !== '',
      origin: host.origins[s.key],
      envName: envName(s.key),
      input: s.parse === boolean ? 'boolean' : CHOICES[s.key] ? 'choice' : 'text',
      choices: CHOICES[s.key] && [...CHOICES[s.key]!],
    };
  });
  return { file: host.configFile, fileExists: text !== undefined, settings };
}

export class ConfigUpdateError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(`${Object.keys(errors).length} setting(s) not valid; nothing was saved`);
  }
}

/** Checks each raw value against its setting: the per-key half of the validation. */
export function checkValues(values: unknown): Map<string, string> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigUpdateError({ values: 'expected an object of Key: "value" strings' });
  }
  const changes = new Map<string, string>();
  const errors: Record<string, string> = {};
  for (const [name, raw] of Object.entries(values)) {
    const setting = SETTING_BY_KEY.get(name);
    const problem = checkOne(setting, raw);
    if (problem) errors[name] = problem;
    else changes.set(setting!.key, (raw as string).trim());
  }
  if (Object.keys(errors).length > 0) throw new ConfigUpdateError(errors);
  return changes;
}

function checkOne(setting: Setting | undefined, raw: unknown): string | undefined {
  if (!setting) return 'unknown setting';
  if (typeof raw !== 'string') return 'expected a string';
  if (/[\r\n\0]/.test(raw)) return 'must be a single line';
  if (raw.trim() === '') return undefined; // removed: the default applies
  try {
    setting.parse(raw);
    return undefined;
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    const shown = setting.secret ? 'this value' : `"${raw.trim()}"`;
    return `${shown} is not valid: expected ${err.allowed}`;
  }
}

/**
 * Validates and saves. The rules that span keys (CertFile with KeyFile) are
 * checked by loading the edited text exactly as a restart would.
 */
export function saveConfig(host: HostControls, values: unknown): ConfigUpdateReply {
  const changes = checkValues(values);
  const before = readText(host.configFile) ?? '';
  const after = updateConfigText(before, changes);
  try {
    host.check(after);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const named = [...changes.keys()].filter((k) => new RegExp(`\\b${k}\\b`).test(err.message));
    const errors: Record<string, string> = {};
    for (const key of named.length > 0 ? named : ['config']) errors[key] = err.message;
    throw new ConfigUpdateError(errors);
  }
  if (after !== before) writeAtomically(host.configFile, after);
  const shadowed: ConfigUpdateReply['shadowed'] = {};
  for (const key of changes.keys()) {
    const origin = host.origins[key as keyof HubConfig];
    if (origin === 'env' || origin === 'flag') shadowed[key] = origin;
  }
  return { saved: true, file: host.configFile, shadowed };
}

/** A crash mid-write leaves the old file or the new one, never half of each. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let mode = 0o600; // it may hold secrets
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode });
  fs.renameSync(temp, file);
}
