// Zwibbler documents, their keys and the management API's tokens in
// PostgreSQL, shared by every hub on the same database. A document is its
// length and its append rows (chunks), as in SQLite. Each call commits before
// it resolves. What must be atomic across hubs is one statement or one
// transaction holding the document's row lock:
// - an append is one conditional UPDATE of the length (which takes the row
//   lock, and whose condition PostgreSQL checks again after waiting for it)
//   with the chunk inserted in the same statement; never a read, then a write;
// - a key write locks its document's row first, so the version check and the
//   key budget (docs/protocols/zwibbler.md#limits) see no other write between.
import { addTokenWith, refusedAppend, ServerDocumentStore, tailOf } from '../sql-documents';
import type { KeyBudget } from '../key-budget';
import { bytea, bytesOf, deleteStale } from './postgres-connection';
import { checkKeyWrite } from './postgres-keys';
import type { PostgresDb, Query } from './postgres-connection';
import type {
  AddTokenResult,
  AppendResult,
  DocumentKey,
  DocumentStore,
  PurgeResult,
  SetKeyResult,
  Token,
} from '../types';

const TOKEN_COLUMNS = `token, doc_id AS "documentId", user_id AS "userId", permissions,
  expires_at AS "expiresAt"`;

export class PostgresStore extends ServerDocumentStore<PostgresDb> implements DocumentStore {
  readonly kind = 'postgresql';

  async documentLength(id: string): Promise<number | null> {
    const [doc] = await this.db.query<{ length: number }>(
      'SELECT length FROM documents WHERE id = $1',
      [id],
    );
    return doc?.length ?? null;
  }

  async touchDocument(id: string): Promise<number | null> {
    const [doc] = await this.db.query<{ length: number }>(
      'UPDATE documents SET last_access = $2 WHERE id = $1 RETURNING length',
      [id, this.now()],
    );
    return doc?.length ?? null;
  }

  async appendIfLength(id: string, expected: number, data: Uint8Array): Promise<AppendResult> {
    const [grown] = await this.db.query<{ n: number }>(
      `WITH grown AS (
         UPDATE documents SET length = length + $3, last_access = $4
         WHERE id = $1 AND length = $2 RETURNING id),
       stored AS (
         INSERT INTO document_chunks (doc_id, start, data)
         SELECT id, $2, $5 FROM grown WHERE $3 > 0)
       SELECT count(*)::int AS n FROM grown`,
      [id, expected, data.length, this.now(), bytea(data)],
    );
    if (grown!.n === 1) return { status: 'ok', length: expected + data.length };
    // Refused: only what to answer is read now, and nothing is written.
    return refusedAppend(await this.documentLength(id));
  }

  async deleteDocument(id: string): Promise<boolean> {
    const gone = await this.db.query('DELETE FROM documents WHERE id = $1 RETURNING id', [id]);
    return gone.length > 0;
  }

  async getDocumentKeys(id: string): Promise<DocumentKey[]> {
    const rows = await this.db.query<{ name: Buffer; value: Buffer; version: number }>(
      'SELECT name, value, version FROM document_keys WHERE doc_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((r) => ({
      name: bytesOf(r.name),
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
    return this.db.transaction(async (query): Promise<SetKeyResult> => {
      const locked = await query('SELECT 1 FROM documents WHERE id = $1 FOR UPDATE', [id]);
      if (locked.length === 0) return 'missing';
      const checked = await checkKeyWrite(query, 'document_keys', id, oldVersion, key, budget);
      if (checked !== 'ok') return checked;
      await query(
        `INSERT INTO document_keys (doc_id, name, value, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (doc_id, name) DO UPDATE SET value = excluded.value, version = excluded.version`,
        [id, bytea(key.name), bytea(key.value), key.version],
      );
      return 'ok';
    });
  }

  async addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult> {
    const now = this.now();
    return addTokenWith<Query>(
      (work) => this.db.transaction(work),
      async (query) =>
        (
          await query(
            `INSERT INTO tokens (token, doc_id, user_id, permissions, expires_at, last_access)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token) DO NOTHING RETURNING token`,
            [token.token, token.documentId, token.userId, token.permissions, token.expiresAt, now],
          )
        ).length > 0,
      contents.length > 0
        ? (query) => insertDocument(query, token.documentId, contents, now)
        : undefined,
    );
  }

  async findToken(token: string): Promise<Token | null> {
    return this.db.row<Token>(
      `UPDATE tokens SET last_access = $2 WHERE token = $1 RETURNING ${TOKEN_COLUMNS}`,
      [token, this.now()],
    );
  }

  async updateUser(userId: string, permissions: string): Promise<number> {
    const rows = await this.db.query(
      'UPDATE tokens SET permissions = $2 WHERE user_id = $1 RETURNING token',
      [userId, permissions],
    );
    return rows.length;
  }

  async purgeExpired(
    cutoff: number,
    now: number,
    keep: (id: string) => boolean,
  ): Promise<PurgeResult> {
    const gone = await deleteStale(this.db, 'documents', 'id', cutoff, keep);
    const tokens = await this.db.query(
      'DELETE FROM tokens WHERE last_access < $1 OR expires_at <= $2 RETURNING token',
      [cutoff, now],
    );
    return { documents: gone.length, tokens: tokens.length };
  }

  /** Creates the document with its first chunk, in one commit; false if it exists. */
  protected create(id: string, contents: Uint8Array): Promise<boolean> {
    return this.db.transaction((query) => insertDocument(query, id, contents, this.now()));
  }

  /** The bytes from `offset` to `length`: the chunk holding `offset` and every one after it. */
  protected async readFrom(id: string, offset: number, length: number): Promise<Uint8Array> {
    // Chunks at or past `length` are appends committed since the length was
    // read; the caller's length is the one the tail must end at.
    const rows = await this.db.query<{ start: number; data: Buffer }>(
      `SELECT start, data FROM document_chunks
       WHERE doc_id = $1 AND start < $3 AND start >= coalesce(
         (SELECT max(start) FROM document_chunks WHERE doc_id = $1 AND start <= $2), 0)
       ORDER BY start`,
      [id, offset, length],
    );
    return tailOf(rows, offset);
  }
}

async function insertDocument(
  query: Query,
  id: string,
  data: Uint8Array,
  now: number,
): Promise<boolean> {
  const inserted = await query(
    `INSERT INTO documents (id, length, created_at, last_access) VALUES ($1, $2, $3, $3)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, data.length, now],
  );
  if (inserted.length === 0) return false;
  if (data.length > 0) {
    await query('INSERT INTO document_chunks (doc_id, start, data) VALUES ($1, 0, $2)', [
      id,
      bytea(data),
    ]);
  }
  return true;
}
