// PostgreSQL's schema, in migrations applied in order and recorded in the
// table lanboard_schema. Never edit a shipped migration: add a new one. The
// tables go into the first schema on the hub user's search_path (by default
// the schema named after the user, else public: docs/operating.md#postgresql).
// It is the same data as SQLite's, shaped for a server several hubs share:
// every ordering a contract promises has a column of its own (a `seq`), since
// PostgreSQL has no rowid.
import type { PostgresDb } from './postgres-connection';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: everything SQLite's migrations 1 to 6 built.
  `
  CREATE TABLE documents (
    id          text PRIMARY KEY,
    length      bigint NOT NULL,
    created_at  bigint NOT NULL,
    last_access bigint NOT NULL
  );
  CREATE INDEX documents_by_access ON documents (last_access);
  CREATE TABLE document_chunks (
    doc_id text   NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start  bigint NOT NULL,
    data   bytea  NOT NULL,
    PRIMARY KEY (doc_id, start)
  );
  CREATE TABLE document_keys (
    doc_id  text      NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name    bytea     NOT NULL,
    value   bytea     NOT NULL,
    version bigint    NOT NULL,
    seq     bigserial NOT NULL,
    PRIMARY KEY (doc_id, name)
  );
  CREATE TABLE tokens (
    token       text PRIMARY KEY,
    doc_id      text   NOT NULL,
    user_id     text   NOT NULL,
    permissions text   NOT NULL,
    expires_at  bigint NOT NULL,
    last_access bigint NOT NULL
  );
  CREATE INDEX tokens_by_user ON tokens (user_id);
  CREATE INDEX tokens_by_access ON tokens (last_access);

  CREATE TABLE workspaces (
    id          text PRIMARY KEY,
    name        text   NOT NULL,
    avatar      text   NOT NULL,
    owner_id    text   NOT NULL,
    created_at  bigint NOT NULL,
    pin_salt    bytea  NOT NULL,
    pin_hash    bytea  NOT NULL,
    token_key   bytea  NOT NULL,
    call_json   text,
    last_access bigint NOT NULL
  );
  CREATE INDEX workspaces_by_access ON workspaces (last_access);
  CREATE TABLE workspace_members (
    workspace_id text      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    attendee_id  text      NOT NULL,
    name         text      NOT NULL,
    avatar       text      NOT NULL,
    last_joined  bigint    NOT NULL,
    seq          bigserial NOT NULL,
    PRIMARY KEY (workspace_id, attendee_id)
  );

  CREATE TABLE yjs_rooms (
    name        text PRIMARY KEY,
    updates     bigint NOT NULL,
    bytes       bigint NOT NULL,
    last_seq    bigint NOT NULL,
    created_at  bigint NOT NULL,
    last_access bigint NOT NULL
  );
  CREATE INDEX yjs_rooms_by_access ON yjs_rooms (last_access);
  CREATE TABLE yjs_updates (
    room text   NOT NULL REFERENCES yjs_rooms (name) ON DELETE CASCADE,
    seq  bigint NOT NULL,
    data bytea  NOT NULL,
    PRIMARY KEY (room, seq)
  );

  CREATE TABLE classes (
    code          text PRIMARY KEY,
    title         text    NOT NULL,
    created_at    bigint  NOT NULL,
    last_access   bigint  NOT NULL,
    view_only     boolean NOT NULL,
    locked        boolean NOT NULL,
    join_open     boolean NOT NULL,
    chat_open     boolean NOT NULL,
    teacher_token text    NOT NULL
  );
  CREATE INDEX classes_by_access ON classes (last_access);
  CREATE TABLE class_members (
    id         text PRIMARY KEY,
    code       text      NOT NULL REFERENCES classes (code) ON DELETE CASCADE,
    name       text      NOT NULL,
    role       text      NOT NULL,
    view_only  boolean   NOT NULL,
    removed    boolean   NOT NULL,
    waiting    boolean   NOT NULL,
    joined_at  bigint    NOT NULL,
    token_hash text      NOT NULL UNIQUE,
    seq        bigserial NOT NULL
  );
  CREATE INDEX class_members_by_code ON class_members (code, seq);
  CREATE TABLE yjs_client_owners (
    room      text   NOT NULL,
    client_id bigint NOT NULL,
    member_id text   NOT NULL,
    PRIMARY KEY (room, client_id)
  );
  -- Owners are keyed by Yjs room, which is the class code: they go with their
  -- class, in the deleting statement itself.
  CREATE FUNCTION classes_drop_owners() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM yjs_client_owners WHERE room = OLD.code;
    RETURN NULL;
  END $$;
  CREATE TRIGGER classes_drop_owners AFTER DELETE ON classes
    FOR EACH ROW EXECUTE FUNCTION classes_drop_owners();
  `,
  // 2: a class's board mode, 'shared' or 'own', and what the teacher presents
  // (SQLite's 8). The students' boards share the class's client ID owners,
  // keyed by the class code.
  `
  ALTER TABLE classes ADD COLUMN board_mode text NOT NULL DEFAULT 'shared';
  ALTER TABLE classes ADD COLUMN presentation text;
  `,
  // 3: several hubs on one database (cluster/postgres-bus.ts): bus messages
  // too big for a notification, which hubs are alive, and client keys.
  `
  CREATE TABLE bus_payloads (
    id      bigserial PRIMARY KEY,
    body    bytea       NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX bus_payloads_by_age ON bus_payloads (sent_at);
  CREATE TABLE hubs (
    hub        text PRIMARY KEY,
    seen_at    timestamptz NOT NULL,
    claimed_at timestamptz
  );
  CREATE TABLE session_keys (
    doc_id  text      NOT NULL,
    name    bytea     NOT NULL,
    value   bytea     NOT NULL,
    version bigint    NOT NULL,
    hub     text      NOT NULL,
    owner   text      NOT NULL,
    seq     bigserial NOT NULL,
    PRIMARY KEY (doc_id, name)
  );
  CREATE INDEX session_keys_by_hub ON session_keys (hub);
  `,
];

/** Any constant: hubs starting together take turns to migrate. */
const MIGRATION_LOCK = 0x6c616e62;

export class NewerPostgresSchemaError extends Error {
  constructor(found: number, known: number) {
    super(
      `the PostgreSQL schema is version ${found}, newer than this Lanboard knows (${known}); upgrade Lanboard`,
    );
    this.name = 'NewerPostgresSchemaError';
  }
}

/**
 * Brings the schema up to date, in one transaction under an advisory lock, so
 * that two hubs starting at once migrate once and a failed migration leaves
 * nothing half done (PostgreSQL's DDL is transactional). A managed database
 * has backups of its own; Lanboard takes none here.
 */
export async function migratePostgres(db: PostgresDb): Promise<void> {
  await db.transaction(async (query) => {
    await query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await query('CREATE TABLE IF NOT EXISTS lanboard_schema (version integer NOT NULL)');
    const rows = await query<{ version: number }>('SELECT version FROM lanboard_schema');
    const found = rows[0]?.version ?? 0;
    if (found > POSTGRES_MIGRATIONS.length) {
      throw new NewerPostgresSchemaError(found, POSTGRES_MIGRATIONS.length);
    }
    for (let v = found; v < POSTGRES_MIGRATIONS.length; v++) {
      await query(POSTGRES_MIGRATIONS[v]!);
    }
    if (rows.length === 0) {
      await query('INSERT INTO lanboard_schema (version) VALUES ($1)', [
        POSTGRES_MIGRATIONS.length,
      ]);
    } else {
      await query('UPDATE lanboard_schema SET version = $1', [POSTGRES_MIGRATIONS.length]);
    }
  });
}
