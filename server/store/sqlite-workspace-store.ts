// Workspaces in the hub's SQLite file (migration 3), through a connection of
// their own: the document store's connection stays private to it. WAL lets
// both work on the file at once; every call has committed when it resolves.
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { SqliteConnection } from './sqlite-connection';
import { deleteStale } from './sqlite-migrations';
import type { SqliteStoreOptions } from './sqlite-store';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from './workspace-store';

interface WorkspaceRow {
  id: string;
  name: string;
  avatar: string;
  owner_id: string;
  created_at: number;
  pin_salt: Buffer;
  pin_hash: Buffer;
  token_key: Buffer;
  call_json: string | null;
}

interface MemberRow {
  attendee_id: string;
  name: string;
  avatar: string;
  last_joined: number;
}

const toRecord = (r: WorkspaceRow): WorkspaceRecord => ({
  id: r.id,
  name: r.name,
  avatar: r.avatar,
  owner: r.owner_id,
  created: r.created_at,
  pinSalt: new Uint8Array(r.pin_salt),
  pinHash: new Uint8Array(r.pin_hash),
  tokenKey: new Uint8Array(r.token_key),
  call: r.call_json === null ? null : (JSON.parse(r.call_json) as unknown),
});

const toMember = (r: MemberRow): WorkspaceMember => ({
  id: r.attendee_id,
  name: r.name,
  avatar: r.avatar,
  lastJoined: r.last_joined,
});

const callJson = (call: unknown): string | null =>
  call === undefined || call === null ? null : JSON.stringify(call);

export class SqliteWorkspaceStore
  extends SqliteConnection<ReturnType<typeof prepareStatements>>
  implements WorkspaceStore
{
  constructor(file: string, options: SqliteStoreOptions = {}) {
    super(file, options, prepareStatements);
  }

  async create(w: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.q.exists.get(w.id)) return false;
        const now = this.now();
        this.q.insert.run(
          w.id,
          w.name,
          w.avatar,
          w.owner,
          w.created,
          Buffer.from(w.pinSalt),
          Buffer.from(w.pinHash),
          Buffer.from(w.tokenKey),
          callJson(w.call),
          now,
        );
        this.q.putMember.run(w.id, owner.id, owner.name, owner.avatar, owner.lastJoined);
        return true;
      })
      .immediate();
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    const row = this.q.get.get(id) as WorkspaceRow | undefined;
    return row ? toRecord(row) : null;
  }

  async members(id: string): Promise<WorkspaceMember[]> {
    return (this.q.members.all(id) as MemberRow[]).map(toMember);
  }

  async member(id: string, attendeeId: string): Promise<WorkspaceMember | null> {
    const row = this.q.member.get(id, attendeeId) as MemberRow | undefined;
    return row ? toMember(row) : null;
  }

  async putMember(id: string, m: WorkspaceMember): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.q.touch.run(this.now(), id).changes === 0) return false;
        this.q.putMember.run(id, m.id, m.name, m.avatar, m.lastJoined);
        return true;
      })
      .immediate();
  }

  async removeMember(id: string, attendeeId: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.q.removeMember.run(id, attendeeId).changes === 0) return false;
        this.q.touch.run(this.now(), id);
        return true;
      })
      .immediate();
  }

  async setCall(id: string, call: unknown): Promise<void> {
    this.q.setCall.run(callJson(call), id);
  }

  async touch(id: string): Promise<void> {
    this.q.touch.run(this.now(), id);
  }

  async delete(id: string): Promise<boolean> {
    return this.q.delete.run(id).changes > 0;
  }

  async count(): Promise<number> {
    return (this.q.count.get() as { n: number }).n;
  }

  async purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, this.q.stale, this.q.delete, cutoff, keep);
  }
}

function prepareStatements(db: Database.Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    exists: s('SELECT 1 FROM workspaces WHERE id = ?'),
    insert: s(`
      INSERT INTO workspaces (id, name, avatar, owner_id, created_at, pin_salt, pin_hash,
        token_key, call_json, last_access)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    get: s(`
      SELECT id, name, avatar, owner_id, created_at, pin_salt, pin_hash, token_key, call_json
      FROM workspaces WHERE id = ?`),
    members: s(`
      SELECT attendee_id, name, avatar, last_joined FROM workspace_members
      WHERE workspace_id = ? ORDER BY rowid`),
    member: s(`
      SELECT attendee_id, name, avatar, last_joined FROM workspace_members
      WHERE workspace_id = ? AND attendee_id = ?`),
    putMember: s(`
      INSERT INTO workspace_members (workspace_id, attendee_id, name, avatar, last_joined)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (workspace_id, attendee_id) DO UPDATE SET
        name = excluded.name, avatar = excluded.avatar, last_joined = excluded.last_joined`),
    removeMember: s('DELETE FROM workspace_members WHERE workspace_id = ? AND attendee_id = ?'),
    setCall: s('UPDATE workspaces SET call_json = ? WHERE id = ?'),
    touch: s('UPDATE workspaces SET last_access = ? WHERE id = ?'),
    delete: s('DELETE FROM workspaces WHERE id = ?'),
    count: s('SELECT count(*) AS n FROM workspaces'),
    stale: s('SELECT id FROM workspaces WHERE last_access < ?'),
  };
}
