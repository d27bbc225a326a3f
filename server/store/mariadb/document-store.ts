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
import { addTokenWith, refusedAppend, ServerDocumentStore, tailOf } from '../sql-documents';
import type { KeyBudget } from '../key-budget';
import type {
  AddTokenResult,
  AppendResult,
  DocumentKey,
  DocumentStore,
  PurgeResult,
  SetKeyResult,
  Token,
} from '../types';
import { blob, bytesOf, deleteStale } from './connection';
import type { MariaDb, Statements } from './connection';

const TOKEN_COLUMNS = `token, doc_id AS documentId, user_id AS userId, permissions,
  expires_at AS expiresAt`;

export class MariaDbStore extends ServerDocumentStore<MariaDb> implements DocumentStore {
  readonly kind = 'mariadb';

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
    return refusedAppend(await this.documentLength(id));
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
    const now = this.now();
    return addTokenWith<Statements>(
      (work) => this.db.transaction(work),
      (tx) =>
        tx.insertNew(
          `INSERT INTO tokens (token, doc_id, user_id, permissions, expires_at, last_access)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [token.token, token.documentId, token.userId, token.permissions, token.expiresAt, now],
        ),
      contents.length > 0 ? (tx) => insertDocument(tx, token.documentId, contents, now) : undefined,
    );
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

  /** Creates the document with its first chunk, in one commit; false if it exists. */
  protected create(id: string, contents: Uint8Array): Promise<boolean> {
    return this.db.transaction((tx) => insertDocument(tx, id, contents, this.now()));
  }

  /** The bytes from `offset` to `length`: the chunk holding `offset` and every one after it. */
  protected async readFrom(id: string, offset: number, length: number): Promise<Uint8Array> {
    // Chunks at or past `length` are appends committed since the length was
    // read; the caller's length is the one the tail must end at.
    const rows = await this.db.rows<{ start: number; data: Buffer }>(
      `SELECT start, data FROM document_chunks
       WHERE doc_id = ? AND start < ? AND start >= COALESCE(
         (SELECT MAX(start) FROM document_chunks WHERE doc_id = ? AND start <= ?), 0)
       ORDER BY start`,
      [id, length, id, offset],
    );
    return tailOf(rows, offset);
  }
}

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
