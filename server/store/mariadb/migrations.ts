// MariaDB's and MySQL's schema, in migrations applied in order and recorded
// in the table lanboard_schema. Never edit a shipped migration: add a new one.
// It is the same data as PostgreSQL's, in InnoDB tables (row locks,
// transactions, foreign keys with ON DELETE CASCADE), with two differences:
// - identifiers (document IDs, room names, tokens, codes) are VARBINARY, so
//   they compare as exact bytes: no collation folds "A" into "a" or ignores a
//   trailing space, whatever the server's defaults; the sizes are the byte
//   limits of docs/operating.md#mariadb-and-mysql, within InnoDB's 3072-byte keys;
// - MySQL's DDL is not transactional, so each statement may be run again
//   (IF NOT EXISTS) after a migration that stopped half way.
import type { RowDataPacket } from 'mysql2/promise';
import type { MariaDb } from './connection';

/** The longest identifier each table keeps, in bytes (the Yjs room names' own limit). */
export const MAX_ID_BYTES = 1024;
/** The longest Zwibbler document key name, in bytes. */
export const MAX_KEY_NAME_BYTES = 2048;

const ID = `VARBINARY(${MAX_ID_BYTES})`;
const TABLE = 'ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4';

export const MARIADB_MIGRATIONS: readonly (readonly string[])[] = [
  // 1: what PostgreSQL's migration 1 built.
  [
    `CREATE TABLE IF NOT EXISTS documents (
      id          ${ID} NOT NULL PRIMARY KEY,
      length      BIGINT NOT NULL,
      created_at  BIGINT NOT NULL,
      last_access BIGINT NOT NULL,
      INDEX documents_by_access (last_access)
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS document_chunks (
      doc_id ${ID} NOT NULL,
      start  BIGINT NOT NULL,
      data   LONGBLOB NOT NULL,
      PRIMARY KEY (doc_id, start),
      FOREIGN KEY (doc_id) REFERENCES documents (id) ON DELETE CASCADE
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS document_keys (
      doc_id  ${ID} NOT NULL,
      name    VARBINARY(${MAX_KEY_NAME_BYTES}) NOT NULL,
      value   LONGBLOB NOT NULL,
      version BIGINT NOT NULL,
      seq     BIGINT NOT NULL AUTO_INCREMENT,
      PRIMARY KEY (doc_id, name),
      UNIQUE KEY document_keys_seq (seq),
      FOREIGN KEY (doc_id) REFERENCES documents (id) ON DELETE CASCADE
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS tokens (
      token       ${ID} NOT NULL PRIMARY KEY,
      doc_id      ${ID} NOT NULL,
      user_id     ${ID} NOT NULL,
      permissions ${ID} NOT NULL,
      expires_at  BIGINT NOT NULL,
      last_access BIGINT NOT NULL,
      INDEX tokens_by_user (user_id),
      INDEX tokens_by_access (last_access)
    ) ${TABLE}`,

    `CREATE TABLE IF NOT EXISTS workspaces (
      id          ${ID} NOT NULL PRIMARY KEY,
      name        TEXT NOT NULL,
      avatar      MEDIUMTEXT NOT NULL,
      owner_id    ${ID} NOT NULL,
      created_at  BIGINT NOT NULL,
      pin_salt    BLOB NOT NULL,
      pin_hash    BLOB NOT NULL,
      token_key   BLOB NOT NULL,
      call_json   MEDIUMTEXT,
      last_access BIGINT NOT NULL,
      INDEX workspaces_by_access (last_access)
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS workspace_members (
      workspace_id ${ID} NOT NULL,
      attendee_id  ${ID} NOT NULL,
      name         TEXT NOT NULL,
      avatar       MEDIUMTEXT NOT NULL,
      last_joined  BIGINT NOT NULL,
      seq          BIGINT NOT NULL AUTO_INCREMENT,
      PRIMARY KEY (workspace_id, attendee_id),
      UNIQUE KEY workspace_members_seq (seq),
      FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
    ) ${TABLE}`,

    `CREATE TABLE IF NOT EXISTS yjs_rooms (
      name        ${ID} NOT NULL PRIMARY KEY,
      updates     BIGINT NOT NULL,
      bytes       BIGINT NOT NULL,
      last_seq    BIGINT NOT NULL,
      created_at  BIGINT NOT NULL,
      last_access BIGINT NOT NULL,
      INDEX yjs_rooms_by_access (last_access)
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS yjs_updates (
      room ${ID} NOT NULL,
      seq  BIGINT NOT NULL,
      data LONGBLOB NOT NULL,
      PRIMARY KEY (room, seq),
      FOREIGN KEY (room) REFERENCES yjs_rooms (name) ON DELETE CASCADE
    ) ${TABLE}`,

    `CREATE TABLE IF NOT EXISTS classes (
      code          ${ID} NOT NULL PRIMARY KEY,
      title         TEXT NOT NULL,
      created_at    BIGINT NOT NULL,
      last_access   BIGINT NOT NULL,
      view_only     BOOLEAN NOT NULL,
      locked        BOOLEAN NOT NULL,
      join_open     BOOLEAN NOT NULL,
      chat_open     BOOLEAN NOT NULL,
      board_mode    VARCHAR(16) NOT NULL DEFAULT 'shared',
      presentation  TEXT NULL,
      teacher_token ${ID} NOT NULL,
      INDEX classes_by_access (last_access)
    ) ${TABLE}`,
    `CREATE TABLE IF NOT EXISTS class_members (
      id         ${ID} NOT NULL PRIMARY KEY,
      code       ${ID} NOT NULL,
      name       TEXT NOT NULL,
      role       ${ID} NOT NULL,
      view_only  BOOLEAN NOT NULL,
      removed    BOOLEAN NOT NULL,
      waiting    BOOLEAN NOT NULL,
      joined_at  BIGINT NOT NULL,
      token_hash ${ID} NOT NULL,
      seq        BIGINT NOT NULL AUTO_INCREMENT,
      UNIQUE KEY class_members_token (token_hash),
      UNIQUE KEY class_members_seq (seq),
      INDEX class_members_by_code (code, seq),
      FOREIGN KEY (code) REFERENCES classes (code) ON DELETE CASCADE
    ) ${TABLE}`,
    // Keyed by Yjs room, which is the class code: the class store deletes a
    // class's owners in the transaction that deletes the class (no trigger,
    // which would need the TRIGGER right and, with a binary log, SUPER).
    `CREATE TABLE IF NOT EXISTS yjs_client_owners (
      room      ${ID} NOT NULL,
      client_id BIGINT NOT NULL,
      member_id ${ID} NOT NULL,
      PRIMARY KEY (room, client_id)
    ) ${TABLE}`,
  ],
];

/** How long a hub waits for another that is migrating the same database. */
const MIGRATION_WAIT_S = 60;

export class NewerMariaDbSchemaError extends Error {
  constructor(found: number, known: number) {
    super(
      `the MariaDB schema is version ${found}, newer than this Lanboard knows (${known}); upgrade Lanboard`,
    );
    this.name = 'NewerMariaDbSchemaError';
  }
}

/**
 * A name for GET_LOCK, unique to the database: named locks are the whole
 * server's, and a name is at most 64 characters.
 */
export const lockName = (purpose: string) =>
  `CONCAT('lanboard-${purpose}:', MD5(COALESCE(DATABASE(), '')))`;

/**
 * Brings the schema up to date under a named lock held by one connection, so
 * that hubs starting at once migrate once; each migration's version is
 * recorded as soon as it is done. A managed database has backups of its own;
 * Lanboard takes none here.
 */
export async function migrateMariaDb(db: MariaDb): Promise<void> {
  const connection = await db.pool.getConnection();
  try {
    const [[lock]] = await connection.query<RowDataPacket[]>(
      `SELECT GET_LOCK(${lockName('migrate')}, ?) AS held`,
      [MIGRATION_WAIT_S],
    );
    if (Number(lock!.held) !== 1) {
      throw new Error(`another hub kept the migration lock for over ${MIGRATION_WAIT_S} s`);
    }
    await connection.query(
      `CREATE TABLE IF NOT EXISTS lanboard_schema (version INT NOT NULL) ${TABLE}`,
    );
    const [rows] = await connection.query<RowDataPacket[]>('SELECT version FROM lanboard_schema');
    const found = Number(rows[0]?.version ?? 0);
    if (found > MARIADB_MIGRATIONS.length) {
      throw new NewerMariaDbSchemaError(found, MARIADB_MIGRATIONS.length);
    }
    if (rows.length === 0) await connection.query('INSERT INTO lanboard_schema VALUES (0)');
    for (let v = found; v < MARIADB_MIGRATIONS.length; v++) {
      for (const statement of MARIADB_MIGRATIONS[v]!) await connection.query(statement);
      await connection.query('UPDATE lanboard_schema SET version = ?', [v + 1]);
    }
  } finally {
    // Ending the session would free the lock too; the pool keeps it, so free it here.
    await connection.query(`DO RELEASE_LOCK(${lockName('migrate')})`).catch(() => undefined);
    connection.release();
  }
}
