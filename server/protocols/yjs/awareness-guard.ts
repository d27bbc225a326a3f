// Awareness in a room with roles: a client may speak only for its own Yjs
// client IDs, and the name on its cursor is the one the hub knows it by, so a
// student cannot show up as the teacher or as a classmate.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export type AwarenessVerdict = { ok: true; update: Uint8Array } | { ok: false; reason: string };

/**
 * Checks an awareness update (y-protocols encoding: count, then client ID,
 * clock and JSON state per entry) and rewrites `user.name` in each state.
 */
export function vetAwareness(
  update: Uint8Array,
  owner: (clientId: number) => string | undefined,
  memberId: string,
  name: string,
): AwarenessVerdict {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const count = decoding.readVarUint(decoder);
  encoding.writeVarUint(encoder, count);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    const bound = owner(clientId);
    if (bound !== undefined && bound !== memberId) {
      return { ok: false, reason: 'this presence claims to be someone else' };
    }
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, withName(state, name));
  }
  return { ok: true, update: encoding.toUint8Array(encoder) };
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
