// Resolves the document-ID field of a Zwibbler INIT, in the reference's order: a
// stored token, then a JWT in JWT mode, then the plain document ID in open mode
// (docs/protocols/zwibbler.md#resolving-the-document-id-field). Fixed on purpose:
// an expired token is refused instead of silently becoming a writable document
// ID (docs/protocols/zwibbler.md#an-expired-token-is-refused). In JWT mode a
// plain ID is refused, as in the reference.
import { FULL_ACCESS, parsePermissions } from '../../hub/permissions';
import type { Permissions } from '../../hub/permissions';
import { ErrorCode } from './codec';
import type { DocumentStore } from '../../store/types';
import type { JwtVerifier } from '../../auth/jwt';

export interface Identity {
  documentId: string;
  userId: string;
  permissions: Permissions;
  /** How the client proved it: for logs and the dashboard. */
  via: 'token' | 'jwt' | 'document-id';
}

export type IdentityResult =
  { ok: true; identity: Identity } | { ok: false; errorCode: number; text: string };

export type IdentityResolver = (field: string) => Promise<IdentityResult>;

export interface ResolverOptions {
  store: DocumentStore;
  /** Set in JWT mode (JWTKey). */
  jwt?: JwtVerifier;
  now?: () => number;
}

export function identityResolver({
  store,
  jwt,
  now = Date.now,
}: ResolverOptions): IdentityResolver {
  return async (field) => {
    const token = await store.findToken(field);
    if (token) {
      if (token.expiresAt <= now()) {
        return { ok: false, errorCode: ErrorCode.AccessDenied, text: 'access denied' };
      }
      return {
        ok: true,
        identity: {
          documentId: token.documentId,
          userId: token.userId,
          permissions: parsePermissions(token.permissions),
          via: 'token',
        },
      };
    }
    if (jwt) {
      const result = await jwt.verify(field);
      if (!result.ok) {
        const errorCode =
          result.failure === 'denied' ? ErrorCode.AccessDenied : ErrorCode.Unspecified;
        return { ok: false, errorCode, text: result.text };
      }
      const { room, userId, permissions } = result.grant;
      return { ok: true, identity: { documentId: room, userId, permissions, via: 'jwt' } };
    }
    return {
      ok: true,
      identity: {
        documentId: field,
        userId: '',
        permissions: { ...FULL_ACCESS },
        via: 'document-id',
      },
    };
  };
}
