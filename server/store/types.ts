// The storage contract every backend implements. It is Promise-based because the
// networked backends (Redis) are asynchronous, even though SQLite answers at once.
// Expected outcomes (missing, conflict…) are results, not exceptions; a thrown
// error always means the backend itself failed.
import type { KeyBudget } from './key-budget';

/** How a client asks for a document to be opened (the INIT creation mode). */
export type OpenMode = 'possibly-create' | 'never-create' | 'always-create';

export type LoadResult =
  | {
      status: 'ok';
      created: boolean;
      /** Document length after opening. */
      length: number;
      /** Bytes from the requested offset to the end (empty when just created). */
      tail: Uint8Array;
    }
  | { status: 'missing' }
  | { status: 'exists' }
  | { status: 'invalid-offset'; length: number };

export type AppendResult =
  { status: 'ok'; length: number } | { status: 'conflict'; length: number } | { status: 'missing' };

/** A key stored with a document (lifetime ≠ 0). Names and values are raw bytes. */
export interface DocumentKey {
  name: Uint8Array;
  value: Uint8Array;
  version: number;
}

/** `full`: the key would break the document's KeyBudget; nothing was written. */
export type SetKeyResult = 'ok' | 'conflict' | 'missing' | 'full';

export interface Token {
  token: string;
  documentId: string;
  userId: string;
  permissions: string;
  /** Unix milliseconds after which the token no longer works. */
  expiresAt: number;
}

/** The token unless it has expired at `now` (Unix ms): getToken's rule, the same in every backend. */
export function unexpired(token: Token | null, now: number): Token | null {
  return token && token.expiresAt > now ? token : null;
}

export type AddTokenResult = 'ok' | 'token-exists' | 'document-exists';

/** What every backend's constructor may take. */
export interface StoreOptions {
  /** The clock for access times and token expiry (Unix ms); tests inject one. */
  now?: () => number;
}

export interface PurgeResult {
  documents: number;
  tokens: number;
}

export interface DocumentStore {
  /** Backend name for logs and stats: 'sqlite', 'memory', … */
  readonly kind: string;

  /**
   * Opens (and per `mode` creates) a document, and returns its bytes from
   * `offset`. When the call creates the document the tail is empty, since the
   * creator already has its own initial data. Counts as an access.
   */
  loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult>;

  /** Current length, or null if the document does not exist. Not an access. */
  documentLength(id: string): Promise<number | null>;

  /** Like documentLength, but counts as an access (management API checks). */
  touchDocument(id: string): Promise<number | null>;

  /**
   * Appends `data` only if the document is exactly `expectedLength` bytes long,
   * atomically. Resolves after the write has committed.
   */
  appendIfLength(id: string, expectedLength: number, data: Uint8Array): Promise<AppendResult>;

  /** Creates a document with the given contents; false if it already exists. */
  createDocument(id: string, contents: Uint8Array): Promise<boolean>;

  /** Deletes a document and its keys; false if there was none. */
  deleteDocument(id: string): Promise<boolean>;

  getDocumentKeys(id: string): Promise<DocumentKey[]>;

  /**
   * Compare-and-set: succeeds when the stored version equals `oldVersion`, or
   * the key is missing and `oldVersion` is 0. The document must exist. With a
   * budget, a key that would break it is refused (`full`), checked atomically
   * with the write.
   */
  setDocumentKey(
    id: string,
    oldVersion: number,
    key: DocumentKey,
    budget?: KeyBudget,
  ): Promise<SetKeyResult>;

  /** Adds a token; when `contents` is non-empty and the document is missing, creates it. */
  addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult>;

  /** The token if it exists and has not expired at `now` (Unix ms). An access. */
  getToken(token: string, now: number): Promise<Token | null>;

  /** The token whether or not it has expired, so that an expired one can be refused. An access. */
  findToken(token: string): Promise<Token | null>;

  /** Rewrites the permissions of every stored token of a user; returns how many. */
  updateUser(userId: string, permissions: string): Promise<number>;

  /**
   * Deletes documents (with their keys) last accessed before `cutoff` unless
   * `keep(id)`, and tokens last used before `cutoff` or expired by `now`.
   */
  purgeExpired(cutoff: number, now: number, keep: (id: string) => boolean): Promise<PurgeResult>;

  /** Throws if the backend cannot serve requests. */
  checkHealth(): Promise<void>;

  close(): Promise<void>;
}
