// Workspaces and their attendees in PostgreSQL. Each call is one statement or
// one transaction, committed before it resolves.
import { bytea, deleteStale } from './postgres-connection';
import { PooledStore } from '../pooled-store';
import type { PostgresDb } from './postgres-connection';
import { callJson, workspaceRecord } from '../sql-rows';
import type { WorkspaceRow } from '../sql-rows';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from '../workspace-store';

const WORKSPACE_COLUMNS = `id, name, avatar, owner_id AS owner, created_at AS created,
  pin_salt AS "pinSalt", pin_hash AS "pinHash", token_key AS "tokenKey", call_json AS "callJson"`;
const MEMBER_COLUMNS = `attendee_id AS id, name, avatar, last_joined AS "lastJoined"`;

export class PostgresWorkspaceStore extends PooledStore<PostgresDb> implements WorkspaceStore {
  readonly kind = 'postgresql';

  async create(w: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean> {
    return this.db.transaction(async (query) => {
      const inserted = await query(
        `INSERT INTO workspaces (id, name, avatar, owner_id, created_at, pin_salt, pin_hash,
           token_key, call_json, last_access)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          w.id,
          w.name,
          w.avatar,
          w.owner,
          w.created,
          bytea(w.pinSalt),
          bytea(w.pinHash),
          bytea(w.tokenKey),
          callJson(w.call),
          this.now(),
        ],
      );
      if (inserted.length === 0) return false;
      await query(PUT_MEMBER, [w.id, owner.id, owner.name, owner.avatar, owner.lastJoined]);
      return true;
    });
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    const row = await this.db.row<WorkspaceRow>(
      `SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1`,
      [id],
    );
    return row && workspaceRecord(row);
  }

  async members(id: string): Promise<WorkspaceMember[]> {
    return this.db.query<WorkspaceMember>(
      `SELECT ${MEMBER_COLUMNS} FROM workspace_members WHERE workspace_id = $1 ORDER BY seq`,
      [id],
    );
  }

  async member(id: string, attendeeId: string): Promise<WorkspaceMember | null> {
    return this.db.row<WorkspaceMember>(
      `SELECT ${MEMBER_COLUMNS} FROM workspace_members WHERE workspace_id = $1 AND attendee_id = $2`,
      [id, attendeeId],
    );
  }

  async putMember(id: string, m: WorkspaceMember): Promise<boolean> {
    return this.db.transaction(async (query) => {
      // The touch locks the workspace's row: a delete cannot slip in before the member.
      const used = await query(
        'UPDATE workspaces SET last_access = $2 WHERE id = $1 RETURNING id',
        [id, this.now()],
      );
      if (used.length === 0) return false;
      await query(PUT_MEMBER, [id, m.id, m.name, m.avatar, m.lastJoined]);
      return true;
    });
  }

  async removeMember(id: string, attendeeId: string): Promise<boolean> {
    const [result] = await this.db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM workspace_members WHERE workspace_id = $1 AND attendee_id = $2 RETURNING 1),
       used AS (UPDATE workspaces SET last_access = $3 WHERE id = $1 AND EXISTS (SELECT 1 FROM gone))
       SELECT count(*)::int AS n FROM gone`,
      [id, attendeeId, this.now()],
    );
    return result!.n > 0;
  }

  async setCall(id: string, call: unknown): Promise<void> {
    await this.db.query('UPDATE workspaces SET call_json = $2 WHERE id = $1', [id, callJson(call)]);
  }

  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE workspaces SET last_access = $2 WHERE id = $1', [id, this.now()]);
  }

  async delete(id: string): Promise<boolean> {
    const gone = await this.db.query('DELETE FROM workspaces WHERE id = $1 RETURNING id', [id]);
    return gone.length > 0;
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM workspaces');
    return row!.n;
  }

  async purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'workspaces', 'id', cutoff, keep);
  }
}

const PUT_MEMBER = `
  INSERT INTO workspace_members (workspace_id, attendee_id, name, avatar, last_joined)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (workspace_id, attendee_id) DO UPDATE SET
    name = excluded.name, avatar = excluded.avatar, last_joined = excluded.last_joined`;
