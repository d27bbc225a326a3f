// What an INIT asks for, checked before the document is opened
// (docs/protocols/zwibbler.md#init-processing): the protocol version and the
// chunk size it implies, the document-ID field as UTF-8, who the client is,
// and how the document may be opened with the client's permissions. Then what
// a refused open answers. Pure decisions: the session does the sending.
import type { Identity, IdentityResolver } from './identity';
import type { LoadResult, OpenMode } from '../../store/types';
import { CloseCode } from '../../transport/close-codes';
import { CreationMode, ErrorCode } from './codec';
import type { InitMessage } from './codec';

/**
 * What a client gets when its INIT says 0
 * (docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size).
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 102_400;
/**
 * The smallest chunk we send. The reference honours any value, so 1 made it
 * panic and 2 made it loop forever sending empty chunks
 * (docs/protocols/zwibbler.md#a-tiny-maxmessagesize-is-raised-to-64-bytes).
 */
export const MIN_CHUNK_SIZE = 64;

const MODE_OF: Record<number, OpenMode> = {
  [CreationMode.NeverCreate]: 'never-create',
  [CreationMode.AlwaysCreate]: 'always-create',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A refusal: the ERROR sent first (none for a protocol error), then the close. */
export interface Refusal {
  errorCode?: number;
  close: number;
  reason: string;
}

export type Admission =
  | { ok: false; refusal: Refusal }
  | {
      ok: true;
      identity: Identity;
      layout: 2 | 3;
      /** The largest message the client takes, in chunks. */
      maxChunk: number;
      mode: OpenMode;
      /** The ERROR a missing document gets: 4 for a reader whose create was refused. */
      missingCode: number;
    };

const refuse = (refusal: Refusal): Admission => ({ ok: false, refusal });

export async function admit(
  init: InitMessage,
  resolve: IdentityResolver,
  remoteAddress: string,
): Promise<Admission> {
  if (init.version !== 2 && init.version !== 3) {
    return refuse({
      close: CloseCode.ProtocolError,
      reason: `unsupported protocol version ${init.version}`,
    });
  }
  let field: string;
  try {
    field = utf8.decode(init.docId);
  } catch {
    const reason = 'document ID is not UTF-8';
    return refuse({ errorCode: ErrorCode.Unspecified, close: CloseCode.BadRequest, reason });
  }
  const resolved = await resolve(field, remoteAddress);
  if (!resolved.ok) {
    const { errorCode, text, closeCode = CloseCode.Forbidden } = resolved;
    return refuse({ errorCode, close: closeCode, reason: text });
  }
  const { identity } = resolved;
  const denied = (reason: string) =>
    refuse({ errorCode: ErrorCode.AccessDenied, close: CloseCode.Forbidden, reason });
  if (!identity.permissions.read) return denied('no read permission');
  // Other creation modes act as possibly-create; without `w` it becomes never-create.
  let mode: OpenMode = MODE_OF[init.creationMode] ?? 'possibly-create';
  let missingCode: number = ErrorCode.DoesNotExist;
  if (!identity.permissions.write) {
    if (mode === 'always-create') return denied('no write permission');
    if (mode === 'possibly-create') missingCode = ErrorCode.AccessDenied;
    mode = 'never-create';
  }
  return {
    ok: true,
    identity,
    layout: init.version === 2 ? 2 : 3,
    maxChunk:
      init.maxMessageSize === 0
        ? DEFAULT_MAX_MESSAGE_SIZE
        : Math.max(MIN_CHUNK_SIZE, init.maxMessageSize),
    mode,
    missingCode,
  };
}

/** What an open the store refused answers (docs/protocols/zwibbler.md#close-codes). */
export function openRefusal(
  loaded: Exclude<LoadResult, { status: 'ok' }>,
  missingCode: number,
): Required<Refusal> {
  switch (loaded.status) {
    case 'missing':
      return missingCode === ErrorCode.AccessDenied
        ? {
            errorCode: missingCode,
            close: CloseCode.Forbidden,
            reason: 'no write permission to create the document',
          }
        : { errorCode: missingCode, close: CloseCode.NotFound, reason: 'document does not exist' };
    case 'exists':
      return {
        errorCode: ErrorCode.AlreadyExists,
        close: CloseCode.AlreadyExists,
        reason: 'document already exists',
      };
    case 'invalid-offset':
      return {
        errorCode: ErrorCode.InvalidOffset,
        close: CloseCode.InvalidOffset,
        reason: 'offset beyond document end',
      };
  }
}
