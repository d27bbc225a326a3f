// Parsers for config values. Each throws a ValueError that says what is allowed;
// the loader adds the key, the value and where it came from.
import net from 'node:net';

export class ValueError extends Error {
  constructor(readonly allowed: string) {
    super(allowed);
    this.name = 'ValueError';
  }
}

export type Parser<T> = (raw: string) => T;

export const text: Parser<string> = (raw) => raw;

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address, or a host name that is not a mistyped IPv4 address (`999.1.1.1`). */
export const bindAddress: Parser<string> = (raw) => {
  const value = raw.trim();
  if (net.isIP(value) !== 0) return value;
  if (HOST_NAME.test(value) && !/^[\d.]+$/.test(value)) return value;
  throw new ValueError(
    'an IP address of this computer (0.0.0.0: every interface; 127.0.0.1: this computer only) or a host name',
  );
};

export function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ValueError(`an integer from ${min} to ${max}`);
    }
    return n;
  };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A byte count: `1048576`, `512KiB`, `16MiB`, `1G` (binary units). */
export function byteSize(min: number, max: number): Parser<number> {
  const allowed = `a size from ${formatBytes(min)} to ${formatBytes(max)}, such as 16MiB`;
  return (raw) => {
    const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
    const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined) throw new ValueError(allowed);
    const n = Number(m[1]) * unit;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new ValueError(allowed);
    return n;
  };
}

export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return `${n} bytes`;
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

export const boolean: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ValueError('1/0, true/false, on/off or yes/no');
};

export function oneOf<const T extends string>(
  values: readonly T[],
  /** Other spellings of the same values, and which each means. */
  spellings: Readonly<Record<string, T>> = {},
  /** Values a user may expect that are refused with "not supported yet". */
  notYet: readonly string[] = [],
): Parser<T> {
  return (raw) => {
    const v = raw.trim().toLowerCase();
    if ((values as readonly string[]).includes(v)) return v as T;
    if (Object.hasOwn(spellings, v)) return spellings[v]!;
    const others = Object.entries(spellings).map(([s, means]) => `${s} for ${means}`);
    const list = values.join(', ') + (others.length > 0 ? `; also ${others.join(', ')}` : '');
    if (notYet.includes(v)) throw new ValueError(`one of ${list} (${v} is not supported yet)`);
    throw new ValueError(`one of ${list}`);
  };
}

/** Seconds, or `never` (0 also means never, as in zwibbler.conf). */
export const expiration: Parser<number | 'never'> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'never' || v === '' || v === '0') return 'never';
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new ValueError('a number of seconds, or never');
};

/** An absolute URL path such as /socket. */
export const mountPath: Parser<string> = (raw) => {
  const v = raw.trim();
  if (!/^\/[\w\-./~]*$/.test(v) || v.includes('//')) {
    throw new ValueError('a path that starts with /, such as /socket');
  }
  return v;
};

/** An http(s) URL, or empty for none. */
export const optionalUrl: Parser<string> = (raw) => {
  const v = raw.trim();
  if (v === '') return '';
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // fall through
  }
  throw new ValueError('an http:// or https:// URL, or empty');
};

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A JSON array of RTCIceServer objects, as browsers take them. */
export const iceServers: Parser<IceServer[]> = (raw) => {
  const allowed = 'a JSON array of ICE servers, such as [{"urls":"stun:10.0.0.1:3478"}], or []';
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValueError(allowed);
  }
  const isUrl = (u: unknown) => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u);
  const valid =
    Array.isArray(value) &&
    value.every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        (isUrl((s as IceServer).urls) ||
          (Array.isArray((s as IceServer).urls) &&
            ((s as IceServer).urls as unknown[]).length > 0 &&
            ((s as IceServer).urls as unknown[]).every(isUrl))) &&
        ['username', 'credential'].every(
          (k) =>
            (s as Record<string, unknown>)[k] === undefined ||
            typeof (s as Record<string, unknown>)[k] === 'string',
        ),
    );
  if (!valid) throw new ValueError(allowed);
  return value as IceServer[];
};

/** The shared types a Yjs change callback can read, by y-websocket-server's names. */
export const CALLBACK_TYPES = ['Array', 'Map', 'Text', 'XmlFragment', 'XmlElement'] as const;
export type CallbackType = (typeof CALLBACK_TYPES)[number];

/** A JSON object of shared type names and their types, as y-websocket-server's CALLBACK_OBJECTS. */
export const callbackObjects: Parser<Record<string, CallbackType>> = (raw) => {
  const allowed = `a JSON object such as {"board":"Map"}; each type one of ${CALLBACK_TYPES.join(', ')}`;
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValueError(allowed);
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((t) => (CALLBACK_TYPES as readonly unknown[]).includes(t));
  if (!valid) throw new ValueError(allowed);
  return value as Record<string, CallbackType>;
};
