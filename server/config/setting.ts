// One setting of the config schema: its key, parser, default and doc. Shared
// by the schema (schema.ts) and the protocols' settings (protocol-settings.ts).
import type { ConfigKey, HubConfig } from './schema';
import type { Parser } from './values';

export interface Setting<K extends ConfigKey = ConfigKey> {
  key: K;
  parse: Parser<HubConfig[K]>;
  /** A value, or one derived from the keys resolved before it. */
  default: HubConfig[K] | ((c: Partial<HubConfig>) => HubConfig[K]);
  /** Shown in docs/configuration.md instead of a computed default. */
  defaultText?: string;
  doc: string;
  /** Never printed or logged. */
  secret?: boolean;
  /** Older zwibbler.conf names for the same setting. */
  aliases?: string[];
}

export const MiB = 1024 ** 2;

/** Keeps each entry's key and value types tied together. */
export function setting<K extends ConfigKey>(s: Setting<K>): Setting<K> {
  return s;
}
