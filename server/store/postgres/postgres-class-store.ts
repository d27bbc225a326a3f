// Classes in PostgreSQL, shared by hubs. Each call is one statement or one
// transaction, committed before it resolves. A join locks its class's row
// before counting the members, so hubs joining students at once never pass
// the class limit; a client ID's first binding wins by the primary key.
import { deleteStale } from './postgres-connection';
import { PooledStore } from '../pooled-store';
import type { PostgresDb } from './postgres-connection';
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

const CLASS_COLUMNS = `code, title, created_at AS "createdAt", last_access AS "lastAccess",
  view_only AS "viewOnly", locked, join_open AS "joinOpen", chat_open AS "chatOpen",
  board_mode AS "boardMode", presentation, teacher_token AS "teacherToken"`;
const MEMBER_COLUMNS = `id, code, name, role, view_only AS "viewOnly", removed, waiting,
  joined_at AS "joinedAt"`;

export class PostgresClassroomStore extends PooledStore<PostgresDb> implements ClassroomStore {
  readonly kind = 'postgresql';

  async create(c: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean> {
    return this.db.transaction(async (query) => {
      const inserted = await query(
        `INSERT INTO classes
           (code, title, created_at, last_access, view_only, locked, join_open, chat_open,
            board_mode, presentation, teacher_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (code) DO NOTHING RETURNING code`,
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
      if (inserted.length === 0) return false;
      await query(INSERT_MEMBER, memberParams(teacher, teacherTokenHash));
      return true;
    });
  }

  async get(code: string): Promise<Classroom | null> {
    return this.db.row<Classroom>(`SELECT ${CLASS_COLUMNS} FROM classes WHERE code = $1`, [code]);
  }

  async list(): Promise<Classroom[]> {
    return this.db.query<Classroom>(
      `SELECT ${CLASS_COLUMNS} FROM classes ORDER BY created_at DESC, code DESC`,
    );
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    return this.db.row<Classroom>(
      `UPDATE classes SET title = coalesce($2, title), view_only = coalesce($3, view_only),
         locked = coalesce($4, locked), join_open = coalesce($5, join_open),
         chat_open = coalesce($6, chat_open), board_mode = coalesce($7, board_mode),
         presentation = CASE WHEN $8 THEN $9 ELSE presentation END
       WHERE code = $1 RETURNING ${CLASS_COLUMNS}`,
      [
        code,
        patch.title ?? null,
        patch.viewOnly ?? null,
        patch.locked ?? null,
        patch.joinOpen ?? null,
        patch.chatOpen ?? null,
        patch.boardMode ?? null,
        patch.presentation !== undefined,
        patch.presentation ?? null,
      ],
    );
  }

  async delete(code: string): Promise<boolean> {
    // Members go by ON DELETE CASCADE, client ID owners by the migration's trigger.
    const gone = await this.db.query('DELETE FROM classes WHERE code = $1 RETURNING code', [code]);
    return gone.length > 0;
  }

  async addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult> {
    return this.db.transaction(async (query): Promise<AddMemberResult> => {
      // The class's row lock: no other join can count between this count and the insert.
      const locked = await query('SELECT 1 FROM classes WHERE code = $1 FOR UPDATE', [member.code]);
      if (locked.length === 0) return 'missing';
      const [{ count }] = (await query<{ count: number }>(
        'SELECT count(*)::int AS count FROM class_members WHERE code = $1',
        [member.code],
      )) as [{ count: number }];
      if (count >= maxMembers) return 'full';
      await query(INSERT_MEMBER, memberParams(member, tokenHash));
      return 'ok';
    });
  }

  async members(code: string): Promise<Member[]> {
    return this.db.query<Member>(
      `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = $1 ORDER BY seq`,
      [code],
    );
  }

  async member(code: string, id: string): Promise<Member | null> {
    return this.db.row<Member>(
      `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = $1 AND id = $2`,
      [code, id],
    );
  }

  async memberByTokenHash(tokenHash: string): Promise<Member | null> {
    return this.db.row<Member>(
      `SELECT ${MEMBER_COLUMNS} FROM class_members WHERE token_hash = $1`,
      [tokenHash],
    );
  }

  async updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null> {
    return this.db.row<Member>(
      `UPDATE class_members SET view_only = coalesce($3, view_only),
         removed = coalesce($4, removed), waiting = coalesce($5, waiting)
       WHERE code = $1 AND id = $2 RETURNING ${MEMBER_COLUMNS}`,
      [code, id, patch.viewOnly ?? null, patch.removed ?? null, patch.waiting ?? null],
    );
  }

  async owners(room: string): Promise<Map<number, string>> {
    return ownersOf(
      await this.db.query<OwnerRow>(
        'SELECT client_id AS "clientId", member_id AS "memberId" FROM yjs_client_owners WHERE room = $1',
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
    // Insert or ignore: the first binding of a client ID stays. The read runs
    // after the insert has committed, so it sees every binding that won.
    await this.db.query(
      `INSERT INTO yjs_client_owners (room, client_id, member_id)
       SELECT $1, id, $3 FROM unnest($2::bigint[]) AS ids (id)
       ON CONFLICT (room, client_id) DO NOTHING`,
      [room, clientIds, memberId],
    );
    const rows = await this.db.query<OwnerRow>(
      `SELECT client_id AS "clientId", member_id AS "memberId" FROM yjs_client_owners
       WHERE room = $1 AND client_id = ANY($2::bigint[])`,
      [room, clientIds],
    );
    return claimed(clientIds, rows);
  }

  async touch(code: string): Promise<void> {
    await this.db.query('UPDATE classes SET last_access = $2 WHERE code = $1', [code, this.now()]);
  }

  async purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'classes', 'code', cutoff, keep);
  }
}

const INSERT_MEMBER = `INSERT INTO class_members
  (id, code, name, role, view_only, removed, waiting, joined_at, token_hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

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
