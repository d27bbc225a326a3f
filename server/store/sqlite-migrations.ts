// Schema migrations, applied in order and recorded in PRAGMA user_version.
// Never edit a shipped migration: add a new one.
import type Database from 'better-sqlite3';
import { SqliteDatabase } from './sqlite-driver';
import type { Statement } from 'better-sqlite3';
import { createPrivateFile, keepPrivate } from '../config/private-files';
import { backupInto, migrationBackupPath } from './sqlite-backups';
import { trackConnection } from './sqlite-integrity';

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
  // 3: workspaces signaling: workspaces (PIN as a salted scrypt hash, the key
  // their tokens are signed with) and their attendees.
  `
  CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    avatar      TEXT    NOT NULL,
    owner_id    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    pin_salt    BLOB    NOT NULL,
    pin_hash    BLOB    NOT NULL,
    token_key   BLOB    NOT NULL,
    call_json   TEXT,
    last_access INTEGER NOT NULL
  );
  CREATE INDEX workspaces_by_access ON workspaces(last_access);
  CREATE TABLE workspace_members (
    workspace_id TEXT    NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    attendee_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    avatar       TEXT    NOT NULL,
    last_joined  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, attendee_id)
  );
  `,
  // 4: Yjs rooms as append-only update rows, compacted into one row from time
  // to time. `bytes` and `updates` describe the stored rows, so the room limit
  // and the compaction trigger need no scan.
  `
  CREATE TABLE yjs_rooms (
    name        TEXT PRIMARY KEY,
    updates     INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    last_access INTEGER NOT NULL
  );
  CREATE INDEX yjs_rooms_by_access ON yjs_rooms(last_access);
  CREATE TABLE yjs_updates (
    room TEXT    NOT NULL REFERENCES yjs_rooms(name) ON DELETE CASCADE,
    seq  INTEGER NOT NULL,
    data BLOB    NOT NULL,
    PRIMARY KEY (room, seq)
  );
  `,
  // 5: classes, their members (tokens as SHA-256 only, but the teacher's,
  // kept for the dashboard's link) and the owners of Yjs client IDs. Owners
  // are keyed by Yjs room, which is the class code; the trigger drops them
  // with their class, in the deleting statement itself.
  `
  CREATE TABLE classes (
    code          TEXT PRIMARY KEY,
    title         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_access   INTEGER NOT NULL,
    view_only     INTEGER NOT NULL,
    locked        INTEGER NOT NULL,
    join_open     INTEGER NOT NULL,
    teacher_token TEXT    NOT NULL
  );
  CREATE INDEX classes_by_access ON classes(last_access);
  CREATE TABLE class_members (
    id         TEXT PRIMARY KEY,
    code       TEXT    NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    view_only  INTEGER NOT NULL,
    removed    INTEGER NOT NULL,
    joined_at  INTEGER NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE
  );
  CREATE INDEX class_members_by_code ON class_members(code);
  CREATE TABLE yjs_client_owners (
    room      TEXT    NOT NULL,
    client_id INTEGER NOT NULL,
    member_id TEXT    NOT NULL,
    PRIMARY KEY (room, client_id)
  );
  CREATE TRIGGER classes_drop_owners AFTER DELETE ON classes BEGIN
    DELETE FROM yjs_client_owners WHERE room = OLD.code;
  END;
  `,
  // 6: a member who joined under a removed member's name (or from a removed
  // member's browser) waits for the teacher to let them in.
  `
  ALTER TABLE class_members ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: a class's chat, off until the teacher turns it on (existing classes too).
  `
  ALTER TABLE classes ADD COLUMN chat_open INTEGER NOT NULL DEFAULT 0;
  `,
  // 8: a class's board mode, 'shared' or 'own' (each student on their own
  // board), and what the teacher presents (JSON, NULL when nothing). The
  // students' boards share the class's client ID owners, which stay keyed by
  // the class code, so the trigger of 5 still drops them all.
  `
  ALTER TABLE classes ADD COLUMN board_mode TEXT NOT NULL DEFAULT 'shared';
  ALTER TABLE classes ADD COLUMN presentation TEXT;
  `,
];

/** What the -wal file is cut back to after a checkpoint has emptied it. */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

export class NewerSchemaError extends Error {
  constructor(found: number, known: number) {
    super(
      `the database schema is version ${found}, newer than this Lanboard knows (${known}); upgrade Lanboard`,
    );
    this.name = 'NewerSchemaError';
  }
}

/**
 * Brings the schema up to date. A file that holds data (schema 1 or later) is
 * backed up first, beside it (docs/operating.md#backups), so a migration that
 * goes wrong never costs the data.
 */
export function migrate(db: Database.Database): void {
  const version = () => {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v > MIGRATIONS.length) throw new NewerSchemaError(v, MIGRATIONS.length);
    return v;
  };
  const found = version();
  if (found > 0 && found < MIGRATIONS.length && !db.memory) {
    backupInto(db, migrationBackupPath(db.name, MIGRATIONS.length, Date.now()));
  }
  while (version() < MIGRATIONS.length) {
    // Read again under the write lock: another process may have migrated meanwhile.
    db.transaction(() => {
      const v = version();
      if (v === MIGRATIONS.length) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * Opens the hub's SQLite file as every store uses it: WAL, foreign keys, a busy
 * timeout, the schema migrated, and the file and its -wal and -shm 0600 (it
 * holds tokens and keys; docs/operating.md#where-data-lives). Every write
 * transaction on it must be IMMEDIATE (`db.transaction(fn).immediate()`): a
 * deferred one that reads first fails at once with SQLITE_BUSY when another
 * connection or process wrote meanwhile, where an immediate one waits up to the
 * busy timeout for the write lock. A file it refuses (NewerSchemaError) is closed.
 */
export function openDatabase(
  file: string,
  synchronous: 'normal' | 'full' = 'normal',
): Database.Database {
  const onDisk = file !== '' && file !== ':memory:';
  // Created 0600 before SQLite opens it; its -wal and -shm then take its mode.
  if (onDisk) createPrivateFile(file);
  const db = new SqliteDatabase(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // The WAL is checkpointed every 1000 pages, but keeps the largest size it
    // ever reached: a reader that held a snapshot for long (a backup, an
    // operator's sqlite3) would leave a file as large as every write meanwhile.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    migrate(db);
    // Left readable by an older release: narrowed at every start.
    if (onDisk) for (const f of [`${file}-wal`, `${file}-shm`]) keepPrivate(f);
    // The integrity check may still run: a damage it finds turns this connection read-only.
    if (onDisk) trackConnection(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Expiration for the stores beside the documents: in one transaction, deletes
 * every row `stale` lists (as `id`, last used before `cutoff`) unless
 * `keep(id)`, and returns the IDs deleted.
 */
export function deleteStale(
  db: Database.Database,
  stale: Statement,
  remove: Statement,
  cutoff: number,
  keep: (id: string) => boolean,
): string[] {
  return db
    .transaction(() => {
      const gone: string[] = [];
      for (const { id } of stale.all(cutoff) as { id: string }[]) {
        if (keep(id)) continue;
        if (remove.run(id).changes > 0) gone.push(id);
      }
      return gone;
    })
    .immediate();
}
