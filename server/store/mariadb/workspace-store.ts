// Workspaces and their attendees in MariaDB or MySQL. Each call is one
// statement or one transaction, committed before it resolves.
import { callJson, workspaceRecord } from '../sql-rows';
import { PooledStore } from '../pooled-store';
import type { WorkspaceRow } from '../sql-rows';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from '../workspace-store';
import { blob, deleteStale } from './connection';
import type { MariaDb } from './connection';

const WORKSPACE_COLUMNS = `id, name, avatar, owner_id AS owner, created_at AS created,
  pin_salt AS pinSalt, pin_hash AS pinHash, token_key AS tokenKey, call_json AS callJson`;
const MEMBER_COLUMNS = 'attendee_id AS id, name, avatar, last_joined AS lastJoined';

const PUT_MEMBER = `
  INSERT INTO workspace_members (workspace_id, attendee_id, name, avatar, last_joined)
  VALUES (?, ?, ?, ?, ?)
  ON DUPLICATE KEY UPDATE
    name = VALUES(name), avatar = VALUES(avatar), last_joined = VALUES(last_joined)`;

const memberParams = (id: string, m: WorkspaceMember) => [id, m.id, m.name, m.avatar, m.lastJoined];

export class MariaDbWorkspaceStore extends PooledStore<MariaDb> implements WorkspaceStore {
  readonly kind = 'mariadb';

  async create(w: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insertNew(
        `INSERT INTO workspaces (id, name, avatar, owner_id, created_at, pin_salt, pin_hash,
           token_key, call_json, last_access)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          w.id,
          w.name,
          w.avatar,
          w.owner,
          w.created,
          blob(w.pinSalt),
          blob(w.pinHash),
          blob(w.tokenKey),
          callJson(w.call),
          this.now(),
        ],
      );
      if (!inserted) return false;
      await tx.run(PUT_MEMBER, memberParams(w.id, owner));
      return true;
    });
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    const row = await this.db.row<WorkspaceRow>(
      `SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = ?`,
      [id],
    );
    return row && workspaceRecord(row);
  }

  async members(id: string): Promise<WorkspaceMember[]> {
    return this.db.rows<WorkspaceMember>(
      `SELECT ${MEMBER_COLUMNS} FROM workspace_members WHERE workspace_id = ? ORDER BY seq`,
      [id],
    );
  }

  async member(id: string, attendeeId: string): Promise<WorkspaceMember | null> {
    return this.db.row<WorkspaceMember>(
      `SELECT ${MEMBER_COLUMNS} FROM workspace_members WHERE workspace_id = ? AND attendee_id = ?`,
      [id, attendeeId],
    );
  }

  async putMember(id: string, m: WorkspaceMember): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The touch locks the workspace's row: a delete cannot slip in before the member.
      const used = await tx.run('UPDATE workspaces SET last_access = ? WHERE id = ?', [
        this.now(),
        id,
      ]);
      if (used === 0) return false;
      await tx.run(PUT_MEMBER, memberParams(id, m));
      return true;
    });
  }

  async removeMember(id: string, attendeeId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const gone = await tx.run(
        'DELETE FROM workspace_members WHERE workspace_id = ? AND attendee_id = ?',
        [id, attendeeId],
      );
      if (gone === 0) return false;
      await tx.run('UPDATE workspaces SET last_access = ? WHERE id = ?', [this.now(), id]);
      return true;
    });
  }

  async setCall(id: string, call: unknown): Promise<void> {
    await this.db.run('UPDATE workspaces SET call_json = ? WHERE id = ?', [callJson(call), id]);
  }

  async touch(id: string): Promise<void> {
    await this.db.run('UPDATE workspaces SET last_access = ? WHERE id = ?', [this.now(), id]);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM workspaces WHERE id = ?', [id])) > 0;
  }

  async count(): Promise<number> {
    const row = await this.db.row<{ n: number }>('SELECT COUNT(*) AS n FROM workspaces');
    return row!.n;
  }

  async purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'workspaces', 'id', cutoff, keep);
  }
}
