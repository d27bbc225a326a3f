// In-memory backend for tests and throwaway hubs (`--db memory`). It follows the
// same rules as SQLite (the reference's memory backend has quirks we do not copy:
// docs/protocols/zwibbler.md#every-backend-follows-the-same-rules).
import { breaksKeyBudget, keyBytes } from './key-budget';
import type { KeyBudget } from './key-budget';
import type {
  AddTokenResult,
  AppendResult,
  DocumentKey,
  DocumentStore,
  LoadResult,
  OpenMode,
  PurgeResult,
  SetKeyResult,
  StoreOptions,
  Token,
} from './types';
import { unexpired } from './types';

/** A byte string that grows with amortised O(1) appends. */
class GrowableBytes {
  private buf: Buffer;
  length = 0;

  constructor(initial: Uint8Array) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initial.length));
    this.append(initial);
  }

  append(data: Uint8Array): void {
    if (this.length + data.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + data.length));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  slice(from: number): Uint8Array {
    return Buffer.from(this.buf.subarray(from, this.length));
  }
}

interface StoredDocument {
  bytes: GrowableBytes;
  keys: Map<string, DocumentKey>;
  lastAccess: number;
}

interface StoredToken extends Token {
  lastAccess: number;
}

const keyId = (name: Uint8Array): string => Buffer.from(name).toString('latin1');

export class MemoryStore implements DocumentStore {
  readonly kind = 'memory';
  private readonly docs = new Map<string, StoredDocument>();
  private readonly tokens = new Map<string, StoredToken>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  private newDocument(id: string, contents: Uint8Array): void {
    this.docs.set(id, {
      bytes: new GrowableBytes(contents),
      keys: new Map(),
      lastAccess: this.now(),
    });
  }

  /** The document, marked as accessed now. */
  private access(id: string): StoredDocument | undefined {
    const doc = this.docs.get(id);
    if (doc) doc.lastAccess = this.now();
    return doc;
  }

  async loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult> {
    const doc = this.access(id);
    if (!doc) {
      if (mode === 'never-create') return { status: 'missing' };
      this.newDocument(id, initialData);
      return { status: 'ok', created: true, length: initialData.length, tail: new Uint8Array() };
    }
    if (mode === 'always-create') return { status: 'exists' };
    if (offset > doc.bytes.length) return { status: 'invalid-offset', length: doc.bytes.length };
    return {
      status: 'ok',
      created: false,
      length: doc.bytes.length,
      tail: doc.bytes.slice(offset),
    };
  }

  async documentLength(id: string): Promise<number | null> {
    return this.docs.get(id)?.bytes.length ?? null;
  }

  async touchDocument(id: string): Promise<number | null> {
    return this.access(id)?.bytes.length ?? null;
  }

  async appendIfLength(id: string, expected: number, data: Uint8Array): Promise<AppendResult> {
    const doc = this.access(id);
    if (!doc) return { status: 'missing' };
    if (doc.bytes.length !== expected) return { status: 'conflict', length: doc.bytes.length };
    doc.bytes.append(data);
    return { status: 'ok', length: doc.bytes.length };
  }

  async createDocument(id: string, contents: Uint8Array): Promise<boolean> {
    if (this.docs.has(id)) return false;
    this.newDocument(id, contents);
    return true;
  }

  async deleteDocument(id: string): Promise<boolean> {
    return this.docs.delete(id);
  }

  async getDocumentKeys(id: string): Promise<DocumentKey[]> {
    // Copies, so a caller cannot change stored keys (the reference's slice leak,
    // docs/protocols/zwibbler.md#every-backend-follows-the-same-rules).
    return [...(this.docs.get(id)?.keys.values() ?? [])].map((k) => ({
      name: Buffer.from(k.name),
      value: Buffer.from(k.value),
      version: k.version,
    }));
  }

  async setDocumentKey(
    id: string,
    oldVersion: number,
    key: DocumentKey,
    budget?: KeyBudget,
  ): Promise<SetKeyResult> {
    const doc = this.docs.get(id);
    if (!doc) return 'missing';
    const current = doc.keys.get(keyId(key.name));
    if ((current?.version ?? 0) !== oldVersion) return 'conflict';
    if (budget) {
      let bytes = 0;
      for (const k of doc.keys.values()) bytes += keyBytes(k);
      const totals = { count: doc.keys.size, bytes };
      const oldBytes = current && keyBytes(current);
      if (breaksKeyBudget(totals, oldBytes, keyBytes(key), budget)) return 'full';
    }
    doc.keys.set(keyId(key.name), {
      name: Buffer.from(key.name),
      value: Buffer.from(key.value),
      version: key.version,
    });
    return 'ok';
  }

  async addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult> {
    if (this.tokens.has(token.token)) return 'token-exists';
    if (contents.length > 0 && !(await this.createDocument(token.documentId, contents))) {
      return 'document-exists';
    }
    this.tokens.set(token.token, { ...token, lastAccess: this.now() });
    return 'ok';
  }

  async getToken(token: string, now: number): Promise<Token | null> {
    return unexpired(await this.findToken(token), now);
  }

  async findToken(token: string): Promise<Token | null> {
    const found = this.tokens.get(token);
    if (!found) return null;
    found.lastAccess = this.now();
    const { lastAccess, ...copy } = found;
    return copy;
  }

  async purgeExpired(
    cutoff: number,
    now: number,
    keep: (id: string) => boolean,
  ): Promise<PurgeResult> {
    let documents = 0;
    for (const [id, doc] of this.docs) {
      if (doc.lastAccess < cutoff && !keep(id)) {
        this.docs.delete(id);
        documents++;
      }
    }
    let tokens = 0;
    for (const [name, t] of this.tokens) {
      if (t.lastAccess < cutoff || t.expiresAt <= now) {
        this.tokens.delete(name);
        tokens++;
      }
    }
    return { documents, tokens };
  }

  async updateUser(userId: string, permissions: string): Promise<number> {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.userId === userId) {
        t.permissions = permissions;
        n++;
      }
    }
    return n;
  }

  async checkHealth(): Promise<void> {}

  async close(): Promise<void> {}
}
