// Resolves the document-ID field of a Zwibbler INIT, in the reference's order: a
// stored token, then a JWT in JWT mode, then the plain document ID in open mode
// (docs/protocols/zwibbler.md#resolving-the-document-id-field). Fixed on purpose:
// an expired token is refused instead of silently becoming a writable document
// ID (docs/protocols/zwibbler.md#an-expired-token-is-refused). In JWT mode a
// plain ID is refused, as in the reference. A field refused as a credential
// (an expired token, a bad JWT) costs the client's address one of its failed
// credentials, and an address out of them is refused unchecked
// (docs/operating.md#guessing-tokens-and-codes).
import { isThrottled } from '../../auth/credential-throttle';
import type { CredentialThrottle } from '../../auth/credential-throttle';
import { CloseCode } from '../../transport/close-codes';
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
  | { ok: true; identity: Identity }
  /** `closeCode`: when it is not 4403 (access denied). */
  | { ok: false; errorCode: number; text: string; closeCode?: number };

/** `address`: the client's, whose failed credentials are counted. */
export type IdentityResolver = (field: string, address: string) => Promise<IdentityResult>;

export interface ResolverOptions {
  store: DocumentStore;
  /** Set in JWT mode (JWTKey). */
  jwt?: JwtVerifier;
  now?: () => number;
  credentials: CredentialThrottle;
}

export function identityResolver(o: ResolverOptions): IdentityResolver {
  const resolve = fieldResolver(o);
  return async (field, address) => {
    const result = await o.credentials.attempt(
      address,
      () => resolve(field),
      (r) => !r.ok,
    );
    if (!isThrottled(result)) return result;
    const text = result.reason;
    return {
      ok: false,
      errorCode: ErrorCode.Unspecified,
      text,
      closeCode: CloseCode.PolicyViolation,
    };
  };
}

function fieldResolver({ store, jwt, now = Date.now }: ResolverOptions) {
  return async (field: string): Promise<IdentityResult> => {
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
