// How y-leveldb (y-websocket's `YPERSISTENCE`) names what it stores, read
// back from the raw LevelDB keys (docs/protocols/yjs.md#moving-from-y-websocket).
//
// A key is a run of parts, each a tag byte and the part:
// - tag 0, a string: its UTF-8 length as a lib0 variable-length integer, then the bytes;
// - tag 1, a number: 4 bytes, unsigned, most significant first (so keys sort by it).
// The keys y-leveldb writes:
// - ["v1", doc, "update", clock]: one Yjs update (v1 encoding); clocks count up from 0.
// - ["v1", doc, "meta", name]: a value an application set with setMeta (y-websocket sets none).
// - ["v1_sv", doc]: the document's clock and state vector; one per document, which is
//   how y-leveldb lists its documents.

export type LevelKey =
  | { kind: 'update'; doc: string; clock: number }
  | { kind: 'meta'; doc: string; name: string }
  | { kind: 'state-vector'; doc: string }
  | { kind: 'unknown' };

const STRING = 0;
const NUMBER = 1;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The parts of a key, or undefined when it is not in y-leveldb's encoding. */
function parts(key: Uint8Array): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let pos = 0;
  while (pos < key.length) {
    const tag = key[pos++];
    if (tag === NUMBER) {
      if (pos + 4 > key.length) return undefined;
      out.push(
        ((key[pos]! << 24) | (key[pos + 1]! << 16) | (key[pos + 2]! << 8) | key[pos + 3]!) >>> 0,
      );
      pos += 4;
    } else if (tag === STRING) {
      let length = 0;
      let shift = 0;
      for (;;) {
        if (pos >= key.length || shift > 28) return undefined;
        const b = key[pos++]!;
        length += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (b < 0x80) break;
      }
      if (pos + length > key.length) return undefined;
      try {
        out.push(utf8.decode(key.subarray(pos, pos + length)));
      } catch {
        return undefined;
      }
      pos += length;
    } else return undefined;
  }
  return out;
}

export function parseLevelKey(key: Uint8Array): LevelKey {
  const p = parts(key);
  if (p?.length === 4 && p[0] === 'v1' && typeof p[1] === 'string') {
    if (p[2] === 'update' && typeof p[3] === 'number') {
      return { kind: 'update', doc: p[1], clock: p[3] };
    }
    if (p[2] === 'meta' && typeof p[3] === 'string') return { kind: 'meta', doc: p[1], name: p[3] };
  }
  if (p?.length === 2 && p[0] === 'v1_sv' && typeof p[1] === 'string') {
    return { kind: 'state-vector', doc: p[1] };
  }
  return { kind: 'unknown' };
}
