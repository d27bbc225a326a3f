// The TXT record of `_lanboard._tcp` (RFC 6763 §6): txtvers first, the hub's
// id, version and TLS, then each protocol's mount path under its own key. The
// whole record stays under 200 bytes, the size RFC 6763 §6.2 recommends; the
// protocols that do not fit are left out (clients get them from /api/join).
// Never put secrets or room names here: the record goes to the whole link.
import { PROTOCOL_NAMES } from './endpoints';
import type { ProtocolEndpoint, ProtocolName } from './endpoints';

export const TXT_VERSION = '1';
/** The record must stay below this many bytes. */
export const TXT_LIMIT_BYTES = 200;

export interface TxtInput {
  id: string;
  version: string;
  tls: boolean;
  protocols: readonly ProtocolEndpoint[];
}

export interface BuiltTxt {
  txt: Record<string, string>;
  /** Protocols that did not fit. */
  omitted: ProtocolName[];
}

/** Bytes on the wire: each `key=value` string plus its length byte. */
export function txtBytes(txt: Record<string, string>): number {
  let n = 0;
  for (const [key, value] of Object.entries(txt)) n += 1 + Buffer.byteLength(`${key}=${value}`);
  return n;
}

export function buildTxt(input: TxtInput): BuiltTxt {
  const txt: Record<string, string> = {
    txtvers: TXT_VERSION,
    id: input.id,
    version: input.version,
    tls: input.tls ? '1' : '0',
  };
  let size = txtBytes(txt);
  const omitted: ProtocolName[] = [];
  for (const p of input.protocols) {
    const bytes = txtBytes({ [p.name]: p.path });
    if (size + bytes < TXT_LIMIT_BYTES) {
      txt[p.name] = p.path;
      size += bytes;
    } else omitted.push(p.name);
  }
  return { txt, omitted };
}

export interface HubTxt {
  id: string | undefined;
  version: string | undefined;
  tls: boolean;
  /** Protocol name -> mount path, for the protocols the record lists. */
  protocols: Partial<Record<ProtocolName, string>>;
}

/** Reads a record another hub published; keys are case-insensitive, unknown ones ignored. */
export function parseTxt(raw: Record<string, unknown> | undefined): HubTxt {
  const txt = new Map<string, string>();
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (typeof value === 'string') txt.set(key.toLowerCase(), value);
  }
  const protocols: HubTxt['protocols'] = {};
  for (const name of PROTOCOL_NAMES) {
    const path = txt.get(name);
    if (path?.startsWith('/')) protocols[name] = path;
  }
  return { id: txt.get('id'), version: txt.get('version'), tls: txt.get('tls') === '1', protocols };
}
