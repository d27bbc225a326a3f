// Classes in MariaDB or MySQL, shared by hubs. Each call is one statement or
// one transaction, committed before it resolves. A join locks its class's row
// before counting the members, so hubs joining students at once never pass
// the class limit; a client ID's first binding wins by the primary key.
import type {
  AddMemberResult,
  Classroom,
  ClassroomPatch,
  ClassroomStore,
  Member,
  MemberPatch,
} from '../class-store';
import { claimed, ownersOf } from '../sql-rows';
import type { OwnerRow } from '../sql-rows';
import { deleteStale } from './connection';
import { PooledStore } from '../pooled-store';
import type { MariaDb } from './connection';

const CLASS_COLUMNS = `code, title, created_at AS createdAt, last_access AS lastAccess,
  view_only AS viewOnly, locked, join_open AS joinOpen, chat_open AS chatOpen,
  board_mode AS boardMode, presentation, teacher_token AS teacherToken`;
const MEMBER_COLUMNS = `id, code, name, role, view_only AS viewOnly, removed, waiting,
  joined_at AS joinedAt`;

const INSERT_MEMBER = `INSERT INTO class_members
  (id, code, name, role, view_only, removed, waiting, joined_at, token_hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const memberParams = (m: Member, tokenHash: string): unknown[] => [
  m.id,
  m.code,
  m.name,
  m.role,
  m.viewOnly,
  m.removed,
  m.waiting,
  m.joinedAt,
  tokenHash,
];

export class MariaDbClassroomStore extends PooledStore<MariaDb> implements ClassroomStore {
  readonly kind = 'mariadb';

  async create(c: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insertNew(
        `INSERT INTO classes
           (code, title, created_at, last_access, view_only, locked, join_open, chat_open,
            board_mode, presentation, teacher_token)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          c.code,
          c.title,
          c.createdAt,
          c.lastAccess,
          c.viewOnly,
          c.locked,
          c.joinOpen,
          c.chatOpen,
          c.boardMode,
          c.presentation,
          c.teacherToken,
        ],
      );
      if (!inserted) return false;
      await tx.run(INSERT_MEMBER, memberParams(teacher, teacherTokenHash));
      return true;
    });
  }

  async get(code: string): Promise<Classroom | null> {
    return this.db.row<Classroom>(`SELECT ${CLASS_COLUMNS} FROM classes WHERE code = ?`, [code]);
  }

  async list(): Promise<Classroom[]> {
    return this.db.rows<Classroom>(
      `SELECT ${CLASS_COLUMNS} FROM classes ORDER BY created_at DESC, code DESC`,
    );
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    return this.db.transaction(async (tx) => {
      const matched = await tx.run(
        `UPDATE classes SET title = COALESCE(?, title), view_only = COALESCE(?, view_only),
           locked = COALESCE(?, locked), join_open = COALESCE(?, join_open),
           chat_open = COALESCE(?, chat_open), board_mode = COALESCE(?, board_mode),
           presentation = IF(?, ?, presentation)
         WHERE code = ?`,
        [
          patch.title ?? null,
          patch.viewOnly ?? null,
          patch.locked ?? null,
          patch.joinOpen ?? null,
          patch.chatOpen ?? null,
          patch.boardMode ?? null,
          patch.presentation !== undefined,
          patch.presentation ?? null,
          code,
        ],
      );
      if (matched === 0) return null;
      return tx.row<Classroom>(`SELECT ${CLASS_COLUMNS} FROM classes WHERE code = ?`, [code]);
    });
  }

  async delete(code: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Members go by ON DELETE CASCADE; client ID owners are keyed by the room, the code.
      const gone = await tx.run('DELETE FROM classes WHERE code = ?', [code]);
      await tx.run('DELETE FROM yjs_client_owners WHERE room = ?', [code]);
      return gone > 0;
    });
  }

  async addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult> {
    return this.db.transaction(async (tx): Promise<AddMemberResult> => {
      // The class's row lock: no other join can count between this count and the insert.
      const locked = await tx.rows('SELECT 1 FROM classes WHERE code = ? FOR UPDATE', [
        member.code,
      ]);
      if (locked.length === 0) return 'missing';
      const counted = await tx.row<{ count: number }>(
        'SELECT COUNT(*) AS count FROM class_members WHERE code = ?',
        [member.code],
      );
      if (counted!.count >= maxMembers) return 'full';
      await tx.run(INSERT_MEMBER, memberParams(member, tokenHash));
      return 'ok';
    });
  }

  async members(code: string): Promise<Member[]> {
    return this.db.rows<Member>(
      `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = ? ORDER BY seq`,
      [code],
    );
  }

  async member(code: string, id: string): Promise<Member | null> {
    return this.db.row<Member>(
      `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = ? AND id = ?`,
      [code, id],
    );
  }

  async memberByTokenHash(tokenHash: string): Promise<Member | null> {
    return this.db.row<Member>(`SELECT ${MEMBER_COLUMNS} FROM class_members WHERE token_hash = ?`, [
      tokenHash,
    ]);
  }

  async updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null> {
    return this.db.transaction(async (tx) => {
      const matched = await tx.run(
        `UPDATE class_members SET view_only = COALESCE(?, view_only),
           removed = COALESCE(?, removed), waiting = COALESCE(?, waiting)
         WHERE code = ? AND id = ?`,
        [patch.viewOnly ?? null, patch.removed ?? null, patch.waiting ?? null, code, id],
      );
      if (matched === 0) return null;
      return tx.row<Member>(
        `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = ? AND id = ?`,
        [code, id],
      );
    });
  }

  async owners(room: string): Promise<Map<number, string>> {
    return ownersOf(
      await this.db.rows<OwnerRow>(
        'SELECT client_id AS clientId, member_id AS memberId FROM yjs_client_owners WHERE room = ?',
        [room],
      ),
    );
  }

  async claim(
    room: string,
    clientIds: readonly number[],
    memberId: string,
  ): Promise<Map<number, string>> {
    if (clientIds.length === 0) return new Map();
    // Insert or leave as it is: the first binding of a client ID stays. The
    // read runs after the insert has committed, so it sees every binding that won.
    await this.db.run(
      `INSERT INTO yjs_client_owners (room, client_id, member_id) VALUES ?
       ON DUPLICATE KEY UPDATE member_id = member_id`,
      [clientIds.map((id) => [room, id, memberId])],
    );
    const rows = await this.db.rows<OwnerRow>(
      `SELECT client_id AS clientId, member_id AS memberId FROM yjs_client_owners
       WHERE room = ? AND client_id IN (?)`,
      [room, clientIds],
    );
    return claimed(clientIds, rows);
  }

  async touch(code: string): Promise<void> {
    await this.db.run('UPDATE classes SET last_access = ? WHERE code = ?', [this.now(), code]);
  }

  async purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'classes', 'code', cutoff, keep, (tx, gone) =>
      tx.run('DELETE FROM yjs_client_owners WHERE room IN (?)', [gone]),
    );
  }
}
