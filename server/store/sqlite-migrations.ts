// Schema migrations, applied in order and recorded in PRAGMA user_version.
// Never edit a shipped migration: add a new one.
import type { Database } from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: documents as append-only chunk rows (not one blob rewritten per append,
  // which made the reference O(n²)), keys and tokens.
  `
  CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    length      INTEGER NOT NULL,
    chunk_rows  INTEGER NOT NULL DEFAULT 0,
    sealed_end  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    last_access INTEGER NOT NULL
  );
  CREATE TABLE document_chunks (
    doc_id TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (doc_id, start)
  );
  CREATE TABLE document_keys (
    doc_id  TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    name    BLOB    NOT NULL,
    value   BLOB    NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (doc_id, name)
  );
  CREATE TABLE tokens (
    token       TEXT PRIMARY KEY,
    doc_id      TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    permissions TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  CREATE INDEX tokens_by_user ON tokens(user_id);
  `,
  // 2: token use is tracked for expiration; documents are found by age.
  `
  ALTER TABLE tokens ADD COLUMN last_access INTEGER NOT NULL DEFAULT 0;
  UPDATE tokens SET last_access = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
  CREATE INDEX documents_by_access ON documents(last_access);
  CREATE INDEX tokens_by_access ON tokens(last_access);
  `,
];

export class NewerSchemaError extends Error {
  constructor(found: number, known: number) {
    super(
      `the database schema is version ${found}, newer than this Lanboard knows (${known}); upgrade Lanboard`,
    );
    this.name = 'NewerSchemaError';
  }
}

export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw new NewerSchemaError(current, MIGRATIONS.length);
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
