// Zwibbler documents, their keys and the management API's tokens in MariaDB
// or MySQL, shared by every hub on the same database. A document is its
// length and its append rows (chunks), as in SQLite and PostgreSQL. Each call
// commits before it resolves. What must be atomic across hubs is one
// transaction holding the document's row lock:
// - an append is a conditional UPDATE of the length (which takes the row lock,
//   and which InnoDB evaluates on the newest committed row once it has the
//   lock) and, only when it matched, the chunk's INSERT, in one transaction;
//   never a read, then a write;
// - a key write locks its document's row first (SELECT ... FOR UPDATE), so the
//   version check and the key budget (docs/protocols/zwibbler.md#limits) see
//   no other write between.
import { breaksKeyBudget, keyBytes } from '../key-budget';
import type { KeyBudget } from '../key-budget';
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
} from '../types';
import { unexpired } from '../types';
import { blob, bytesOf, deleteStale } from './connection';
import type { MariaDb, Statements } from './connection';

const TOKEN_COLUMNS = `token, doc_id AS documentId, user_id AS userId, permissions,
  expires_at AS expiresAt`;

export class MariaDbStore implements DocumentStore {
  readonly kind = 'mariadb';
  private readonly now: () => number;

  constructor(
    private readonly db: MariaDb,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult> {
    if (mode !== 'never-create' && (await this.create(id, initialData))) {
      return { status: 'ok', created: true, length: initialData.length, tail: new Uint8Array() };
    }
    if (mode === 'always-create') return { status: 'exists' };
    const length = await this.touchDocument(id);
    if (length === null) return { status: 'missing' };
    if (offset > length) return { status: 'invalid-offset', length };
    return { status: 'ok', created: false, length, tail: await this.readFrom(id, offset, length) };
  }

  async documentLength(id: string): Promise<number | null> {
    const doc = await this.db.row<{ length: number }>('SELECT length FROM documents WHERE id = ?', [
      id,
    ]);
    return doc?.length ?? null;
  }

  async touchDocument(id: string): Promise<number | null> {
    await this.db.run('UPDATE documents SET last_access = ? WHERE id = ?', [this.now(), id]);
    return this.documentLength(id);
  }

  async appendIfLength(id: string, expected: number, data: Uint8Array): Promise<AppendResult> {
    const grown = await this.db.transaction(async (tx) => {
      const matched = await tx.run(
        'UPDATE documents SET length = length + ?, last_access = ? WHERE id = ? AND length = ?',
        [data.length, this.now(), id, expected],
      );
      if (matched === 1 && data.length > 0) {
        await tx.run('INSERT INTO document_chunks (doc_id, start, data) VALUES (?, ?, ?)', [
          id,
          expected,
          blob(data),
        ]);
      }
      return matched === 1;
    });
    if (grown) return { status: 'ok', length: expected + data.length };
    // Refused: only what to answer is read now, and nothing is written.
    const length = await this.documentLength(id);
    return length === null ? { status: 'missing' } : { status: 'conflict', length };
  }

  async createDocument(id: string, contents: Uint8Array): Promise<boolean> {
    return this.create(id, contents);
  }

  async deleteDocument(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM documents WHERE id = ?', [id])) > 0;
  }

  async getDocumentKeys(id: string): Promise<DocumentKey[]> {
    // Key names are bytes in a VARBINARY column, which reads back as text: as hex, they stay bytes.
    const rows = await this.db.rows<{ name: string; value: Buffer; version: number }>(
      'SELECT HEX(name) AS name, value, version FROM document_keys WHERE doc_id = ? ORDER BY seq',
      [id],
    );
    return rows.map((r) => ({
      name: bytesOf(Buffer.from(r.name, 'hex')),
      value: bytesOf(r.value),
      version: r.version,
    }));
  }

  async setDocumentKey(
    id: string,
    oldVersion: number,
    key: DocumentKey,
    budget?: KeyBudget,
  ): Promise<SetKeyResult> {
    return this.db.transaction(async (tx): Promise<SetKeyResult> => {
      const locked = await tx.rows('SELECT 1 FROM documents WHERE id = ? FOR UPDATE', [id]);
      if (locked.length === 0) return 'missing';
      const row = await tx.row<{ version: number; bytes: number }>(
        `SELECT version, LENGTH(name) + LENGTH(value) AS bytes FROM document_keys
         WHERE doc_id = ? AND name = ?`,
        [id, blob(key.name)],
      );
      if ((row?.version ?? 0) !== oldVersion) return 'conflict';
      if (budget) {
        const totals = await tx.row<{ count: number; bytes: number }>(
          `SELECT COUNT(*) AS count, COALESCE(SUM(LENGTH(name) + LENGTH(value)), 0) AS bytes
           FROM document_keys WHERE doc_id = ?`,
          [id],
        );
        if (breaksKeyBudget(totals!, row?.bytes, keyBytes(key), budget)) return 'full';
      }
      await tx.run(
        `INSERT INTO document_keys (doc_id, name, value, version) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE value = VALUES(value), version = VALUES(version)`,
        [id, blob(key.name), blob(key.value), key.version],
      );
      return 'ok';
    });
  }

  async addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult> {
    return this.db
      .transaction(async (tx) => {
        const added = await tx.insertNew(
          `INSERT INTO tokens (token, doc_id, user_id, permissions, expires_at, last_access)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [
            token.token,
            token.documentId,
            token.userId,
            token.permissions,
            token.expiresAt,
            this.now(),
          ],
        );
        if (!added) return 'token-exists';
        if (
          contents.length > 0 &&
          !(await insertDocument(tx, token.documentId, contents, this.now()))
        ) {
          // Thrown to roll the token back; answered below.
          throw new DocumentExists();
        }
        return 'ok';
      })
      .catch((err: unknown) => {
        if (err instanceof DocumentExists) return 'document-exists';
        throw err;
      });
  }

  async getToken(token: string, now: number): Promise<Token | null> {
    return unexpired(await this.findToken(token), now);
  }

  async findToken(token: string): Promise<Token | null> {
    await this.db.run('UPDATE tokens SET last_access = ? WHERE token = ?', [this.now(), token]);
    return this.db.row<Token>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token = ?`, [token]);
  }

  async updateUser(userId: string, permissions: string): Promise<number> {
    return this.db.run('UPDATE tokens SET permissions = ? WHERE user_id = ?', [
      permissions,
      userId,
    ]);
  }

  async purgeExpired(
    cutoff: number,
    now: number,
    keep: (id: string) => boolean,
  ): Promise<PurgeResult> {
    const gone = await deleteStale(this.db, 'documents', 'id', cutoff, keep);
    const tokens = await this.db.run(
      'DELETE FROM tokens WHERE last_access < ? OR expires_at <= ?',
      [cutoff, now],
    );
    return { documents: gone.length, tokens };
  }

  checkHealth(): Promise<void> {
    return this.db.checkHealth();
  }

  async close(): Promise<void> {
    // The pool belongs to the hub's backend, which closes it.
  }

  /** Creates the document with its first chunk, in one commit; false if it exists. */
  private create(id: string, contents: Uint8Array): Promise<boolean> {
    return this.db.transaction((tx) => insertDocument(tx, id, contents, this.now()));
  }

  /** The bytes from `offset` to `length`: the chunk holding `offset` and every one after it. */
  private async readFrom(id: string, offset: number, length: number): Promise<Uint8Array> {
    // Chunks at or past `length` are appends committed since the length was
    // read; the caller's length is the one the tail must end at.
    const rows = await this.db.rows<{ start: number; data: Buffer }>(
      `SELECT start, data FROM document_chunks
       WHERE doc_id = ? AND start < ? AND start >= COALESCE(
         (SELECT MAX(start) FROM document_chunks WHERE doc_id = ? AND start <= ?), 0)
       ORDER BY start`,
      [id, length, id, offset],
    );
    const parts = rows.map((r) => (r.start < offset ? r.data.subarray(offset - r.start) : r.data));
    return parts.length === 1 ? bytesOf(parts[0]!) : bytesOf(Buffer.concat(parts));
  }
}

class DocumentExists extends Error {}

async function insertDocument(
  tx: Statements,
  id: string,
  data: Uint8Array,
  now: number,
): Promise<boolean> {
  const inserted = await tx.insertNew(
    'INSERT INTO documents (id, length, created_at, last_access) VALUES (?, ?, ?, ?)',
    [id, data.length, now, now],
  );
  if (!inserted) return false;
  if (data.length > 0) {
    await tx.run('INSERT INTO document_chunks (doc_id, start, data) VALUES (?, 0, ?)', [
      id,
      blob(data),
    ]);
  }
  return true;
}
