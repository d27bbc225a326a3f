// Who may open a named room, for protocols where the room comes from the URL
// and a token may come beside it (Yjs). The same machinery as Zwibbler's INIT:
// a stored token (management API `addToken`), then a JWT in JWT mode. Without
// a token the room is open in open mode and closed in JWT mode. Unlike a
// Zwibbler INIT, a token that resolves to nothing is refused rather than read
// as a room name: the room is already named by the path.
import { FULL_ACCESS, parsePermissions } from '../hub/permissions';
import type { Permissions } from '../hub/permissions';
import type { DocumentStore } from '../store/types';
import type { JwtVerifier } from './jwt';

export type RoomAccess =
  | { ok: true; userId: string; permissions: Permissions; via: 'token' | 'jwt' | 'open' }
  /** 401: no valid credentials. 403: valid, but not for this room or not readable. */
  | { ok: false; status: 401 | 403; reason: string };

export type RoomAccessCheck = (room: string, token: string | undefined) => Promise<RoomAccess>;

export function roomAccessCheck(options: {
  store: DocumentStore;
  jwt?: JwtVerifier;
  now?: () => number;
}): RoomAccessCheck {
  const { store, jwt, now = Date.now } = options;
  return async (room, token) => {
    if (token === undefined || token === '') {
      if (jwt) return { ok: false, status: 401, reason: 'a token is required' };
      return { ok: true, userId: '', permissions: { ...FULL_ACCESS }, via: 'open' };
    }
    const stored = await store.findToken(token);
    let granted: { room: string; userId: string; permissions: Permissions; via: 'token' | 'jwt' };
    if (stored) {
      if (stored.expiresAt <= now()) return { ok: false, status: 401, reason: 'token expired' };
      granted = {
        room: stored.documentId,
        userId: stored.userId,
        permissions: parsePermissions(stored.permissions),
        via: 'token',
      };
    } else if (jwt) {
      const result = await jwt.verify(token);
      if (!result.ok) return { ok: false, status: 401, reason: result.text };
      granted = { ...result.grant, via: 'jwt' };
    } else {
      return { ok: false, status: 401, reason: 'unknown token' };
    }
    if (granted.room !== room) {
      return { ok: false, status: 403, reason: 'the token is for another room' };
    }
    if (!granted.permissions.read) {
      return { ok: false, status: 403, reason: 'the token does not allow reading' };
    }
    return { ok: true, userId: granted.userId, permissions: granted.permissions, via: granted.via };
  };
}
