// Awareness in a room with roles: a client speaks only for its own Yjs client
// IDs, and the name on its cursor is the one the hub knows it by, so a student
// cannot show up as the teacher or as a classmate.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * Rewrites an awareness update (y-protocols encoding: count, then client ID,
 * clock and JSON state per entry): entries for other people's client IDs are
 * left out, and `user.name` in each remaining state becomes `name`. Leaving
 * out is silent because the stock provider echoes every awareness change it
 * hears, other people's included (at the clock the hub already has).
 * Undefined when nothing is left.
 */
export function vetAwareness(
  update: Uint8Array,
  name: string,
  speaksForOther: (clientId: number) => boolean,
): Uint8Array | undefined {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const kept: { clientId: number; clock: number; state: string }[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    if (!speaksForOther(clientId)) kept.push({ clientId, clock, state: withName(state, name) });
  }
  if (kept.length === 0) return undefined;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kept.length);
  for (const entry of kept) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.state);
  }
  return encoding.toUint8Array(encoder);
}

function withName(json: string, name: string): string {
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    return json; // applyAwarenessUpdate rejects it, as for any room
  }
  if (!isObject(state) || !isObject(state.user)) return json;
  return JSON.stringify({ ...state, user: { ...state.user, name } });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
