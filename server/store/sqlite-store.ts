// The embedded default backend: one SQLite file, WAL, prepared statements.
// better-sqlite3 is synchronous, so every call here has committed by the time
// its Promise resolves; the session sends its ack only after that.
import { breaksKeyBudget, keyBytes } from './key-budget';
import type { KeyBudget, KeyTotals } from './key-budget';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Logger } from '../log/logger';
import { openDatabase } from './sqlite-migrations';
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
import { probeWrite } from './sqlite-probe';

export interface SqliteStoreOptions extends StoreOptions {
  /** `normal` survives a crash of the process; `full` also survives power loss, at an fsync per commit. */
  synchronous?: 'normal' | 'full';
  /** Where work in the background (merging chunk rows) reports its failures. */
  log?: Logger;
}

/** Appends since the last compaction before the small rows are merged into one. */
const COMPACT_AFTER_ROWS = 256;
/** A merged row this large is sealed: later compactions leave it alone. */
const SEALED_SEGMENT_BYTES = 1 << 20;

interface DocRow {
  length: number;
  /** Rows after `sealed_end`: the ones the next compaction merges. */
  chunk_rows: number;
  sealed_end: number;
}

export class SqliteStore implements DocumentStore {
  readonly kind = 'sqlite';
  protected readonly db: Database.Database;
  private readonly q: ReturnType<typeof prepareStatements>;
  private readonly compactionDue = new Set<string>();
  private readonly now: () => number;
  private readonly log: Logger | undefined;

  constructor(
    readonly file: string,
    options: SqliteStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.db = openDatabase(file, options.synchronous);
    this.q = prepareStatements(this.db);
  }

  /** Resolves once a write commits on this connection (the background probe while writes fail). */
  async probeWrite(): Promise<void> {
    probeWrite(this.db);
  }

  async loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult> {
    const open = (write: boolean) => () => this.open(id, mode, initialData, offset, write);
    try {
      return this.db.transaction(open(true)).immediate()!;
    } catch (err) {
      // The file takes no writes (full, read-only): a document that is there is still
      // read, without counting as a use; one that would have to be made is refused.
      const read = this.db.transaction(open(false)).deferred();
      if (!read) throw err;
      return read;
    }
  }

  /** A join's load; undefined when it would have to write and `write` is false. */
  private open(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
    write: boolean,
  ): LoadResult | undefined {
    const now = this.now();
    const doc = this.q.getDoc.get(id) as DocRow | undefined;
    if (!doc) {
      if (mode === 'never-create') return { status: 'missing' };
      if (!write) return undefined;
      this.insertDocument(id, initialData, now);
      return { status: 'ok', created: true, length: initialData.length, tail: new Uint8Array() };
    }
    if (mode === 'always-create') return { status: 'exists' };
    if (offset > doc.length) return { status: 'invalid-offset', length: doc.length };
    if (write) this.q.touch.run(now, id);
    return { status: 'ok', created: false, length: doc.length, tail: this.readFrom(id, offset) };
  }

  async documentLength(id: string): Promise<number | null> {
    return (this.q.getDoc.get(id) as DocRow | undefined)?.length ?? null;
  }

  async appendIfLength(id: string, expected: number, data: Uint8Array): Promise<AppendResult> {
    const result = this.db
      .transaction((): AppendResult => {
        const doc = this.q.getDoc.get(id) as DocRow | undefined;
        if (!doc) return { status: 'missing' };
        if (doc.length !== expected) return { status: 'conflict', length: doc.length };
        const length = expected + data.length;
        if (data.length > 0) this.q.insertChunk.run(id, expected, data);
        this.q.grow.run(length, data.length > 0 ? 1 : 0, this.now(), id);
        if (doc.chunk_rows + 1 >= COMPACT_AFTER_ROWS) this.scheduleCompaction(id);
        return { status: 'ok', length };
      })
      .immediate();
    return result;
  }

  async createDocument(id: string, contents: Uint8Array): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.q.getDoc.get(id)) return false;
        this.insertDocument(id, contents, this.now());
        return true;
      })
      .immediate();
  }

  async deleteDocument(id: string): Promise<boolean> {
    return this.q.deleteDoc.run(id).changes > 0;
  }

  async getDocumentKeys(id: string): Promise<DocumentKey[]> {
    return this.q.getKeys.all(id) as DocumentKey[];
  }

  async setDocumentKey(
    id: string,
    oldVersion: number,
    key: DocumentKey,
    budget?: KeyBudget,
  ): Promise<SetKeyResult> {
    return this.db
      .transaction((): SetKeyResult => {
        if (!this.q.getDoc.get(id)) return 'missing';
        const row = this.q.getKeyVersion.get(id, key.name) as
          { version: number; bytes: number } | undefined;
        if ((row?.version ?? 0) !== oldVersion) return 'conflict';
        // length() of a BLOB reads its size, not its pages: no value is loaded.
        if (budget) {
          const totals = this.q.keyTotals.get(id) as KeyTotals;
          if (breaksKeyBudget(totals, row?.bytes, keyBytes(key), budget)) return 'full';
        }
        this.q.upsertKey.run(id, key.name, key.value, key.version);
        return 'ok';
      })
      .immediate();
  }

  async addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult> {
    return this.db
      .transaction((): AddTokenResult => {
        if (this.q.getToken.get(token.token)) return 'token-exists';
        if (contents.length > 0) {
          if (this.q.getDoc.get(token.documentId)) return 'document-exists';
          this.insertDocument(token.documentId, contents, this.now());
        }
        this.q.insertToken.run(
          token.token,
          token.documentId,
          token.userId,
          token.permissions,
          token.expiresAt,
          this.now(),
        );
        return 'ok';
      })
      .immediate();
  }

  async getToken(token: string, now: number): Promise<Token | null> {
    return unexpired(await this.findToken(token), now);
  }

  async findToken(token: string): Promise<Token | null> {
    const row = this.q.getToken.get(token) as Token | undefined;
    if (row) this.q.touchToken.run(this.now(), token);
    return row ?? null;
  }

  async touchDocument(id: string): Promise<number | null> {
    const doc = this.q.getDoc.get(id) as DocRow | undefined;
    if (doc) this.q.touch.run(this.now(), id);
    return doc?.length ?? null;
  }

  async purgeExpired(
    cutoff: number,
    now: number,
    keep: (id: string) => boolean,
  ): Promise<PurgeResult> {
    return this.db
      .transaction((): PurgeResult => {
        let documents = 0;
        for (const { id } of this.q.staleDocs.all(cutoff) as { id: string }[]) {
          if (keep(id)) continue;
          documents += this.q.deleteDoc.run(id).changes;
        }
        const tokens = this.q.purgeTokens.run(cutoff, now).changes;
        return { documents, tokens };
      })
      .immediate();
  }

  async updateUser(userId: string, permissions: string): Promise<number> {
    return this.q.updateUser.run(permissions, userId).changes;
  }

  async checkHealth(): Promise<void> {
    this.q.health.get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.compactionDue.clear();
    this.db.close();
  }

  private insertDocument(id: string, data: Uint8Array, now: number): void {
    this.q.insertDoc.run(id, data.length, data.length > 0 ? 1 : 0, now, now);
    if (data.length > 0) this.q.insertChunk.run(id, 0, data);
  }

  private readFrom(id: string, offset: number): Uint8Array {
    const rows = this.q.chunksFrom.all(id, id, offset) as { start: number; data: Buffer }[];
    const parts = rows.map((r) => (r.start < offset ? r.data.subarray(offset - r.start) : r.data));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Merging is off the ack path: it runs after the current I/O callbacks. */
  private scheduleCompaction(id: string): void {
    if (this.compactionDue.has(id)) return;
    this.compactionDue.add(id);
    setImmediate(() => {
      if (!this.compactionDue.delete(id) || !this.db.open) return;
      try {
        this.compact(id);
      } catch (err) {
        // Another process held the write lock past the busy timeout, or the disk
        // is full: the rows stay as they are, and the next append tries again.
        this.log?.warn(
          { err: (err as Error).message, document: id },
          'document compaction failed; it is tried again at the next append',
        );
      }
    });
  }

  /** Folds the unsealed tail rows of a document into one row. */
  compact(id: string): void {
    this.db
      .transaction(() => {
        const doc = this.q.getDoc.get(id) as DocRow | undefined;
        if (!doc) return;
        const rows = this.q.unsealedChunks.all(id, doc.sealed_end) as {
          start: number;
          data: Buffer;
        }[];
        if (rows.length < 2) return;
        const merged = Buffer.concat(rows.map((r) => r.data));
        const start = rows[0]!.start;
        this.q.deleteUnsealed.run(id, start);
        this.q.insertChunk.run(id, start, merged);
        const sealed = merged.length >= SEALED_SEGMENT_BYTES;
        this.q.setCompacted.run(sealed ? 0 : 1, sealed ? doc.length : doc.sealed_end, id);
      })
      .immediate();
  }
}

function prepareStatements(db: Database.Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    getDoc: s('SELECT length, chunk_rows, sealed_end FROM documents WHERE id = ?'),
    insertDoc: s(
      'INSERT INTO documents (id, length, chunk_rows, created_at, last_access) VALUES (?, ?, ?, ?, ?)',
    ),
    touch: s('UPDATE documents SET last_access = ? WHERE id = ?'),
    grow: s(
      'UPDATE documents SET length = ?, chunk_rows = chunk_rows + ?, last_access = ? WHERE id = ?',
    ),
    setCompacted: s('UPDATE documents SET chunk_rows = ?, sealed_end = ? WHERE id = ?'),
    deleteDoc: s('DELETE FROM documents WHERE id = ?'),
    insertChunk: s('INSERT INTO document_chunks (doc_id, start, data) VALUES (?, ?, ?)'),
    // The row holding `offset` and every row after it.
    chunksFrom: s(`
      SELECT start, data FROM document_chunks
      WHERE doc_id = ? AND start >= coalesce(
        (SELECT max(start) FROM document_chunks WHERE doc_id = ? AND start <= ?), 0)
      ORDER BY start`),
    unsealedChunks: s(
      'SELECT start, data FROM document_chunks WHERE doc_id = ? AND start >= ? ORDER BY start',
    ),
    deleteUnsealed: s('DELETE FROM document_chunks WHERE doc_id = ? AND start >= ?'),
    getKeys: s('SELECT name, value, version FROM document_keys WHERE doc_id = ? ORDER BY rowid'),
    getKeyVersion: s(
      'SELECT version, length(name) + length(value) AS bytes FROM document_keys WHERE doc_id = ? AND name = ?',
    ),
    keyTotals: s(
      'SELECT count(*) AS count, coalesce(sum(length(name) + length(value)), 0) AS bytes FROM document_keys WHERE doc_id = ?',
    ),
    upsertKey: s(`
      INSERT INTO document_keys (doc_id, name, value, version) VALUES (?, ?, ?, ?)
      ON CONFLICT (doc_id, name) DO UPDATE SET value = excluded.value, version = excluded.version`),
    getToken: s(`
      SELECT token, doc_id AS documentId, user_id AS userId, permissions, expires_at AS expiresAt
      FROM tokens WHERE token = ?`),
    insertToken: s(`
      INSERT INTO tokens (token, doc_id, user_id, permissions, expires_at, last_access)
      VALUES (?, ?, ?, ?, ?, ?)`),
    touchToken: s('UPDATE tokens SET last_access = ? WHERE token = ?'),
    staleDocs: s('SELECT id FROM documents WHERE last_access < ?'),
    purgeTokens: s('DELETE FROM tokens WHERE last_access < ? OR expires_at <= ?'),
    updateUser: s('UPDATE tokens SET permissions = ? WHERE user_id = ?'),
    // A real read, not `SELECT 1`: the schema page and the last page of each of
    // this store's tables, so a file that cannot be read fails /healthz.
    health: s(`
      SELECT (SELECT count(*) FROM sqlite_schema), (SELECT max(rowid) FROM documents),
        (SELECT max(rowid) FROM document_chunks), (SELECT max(rowid) FROM document_keys),
        (SELECT max(rowid) FROM tokens)`),
  };
}
