// Resolves the document-ID field of a Zwibbler INIT (§10.1): a stored token
// first, then the plain document ID with read and write access. JWT mode and
// the stricter token rules come with the management API.
import { FULL_ACCESS, parsePermissions } from '../hub/permissions';
import type { Permissions } from '../hub/permissions';
import type { DocumentStore } from '../store/types';

export interface Identity {
  documentId: string;
  userId: string;
  permissions: Permissions;
  /** How the client proved it: for logs and the dashboard. */
  via: 'token' | 'document-id';
}

export type IdentityResult =
  { ok: true; identity: Identity } | { ok: false; errorCode: number; text: string };

export type IdentityResolver = (field: string) => Promise<IdentityResult>;

export function openModeResolver(store: DocumentStore): IdentityResolver {
  return async (field) => {
    const token = await store.getToken(field, Date.now());
    if (token) {
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
