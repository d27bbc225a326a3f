// Classes in the hub's SQLite file (migration 5), through a connection of
// their own. Each call is one transaction, committed before it resolves.
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { SqliteConnection } from './sqlite-connection';
import { deleteStale } from './sqlite-migrations';
import type { SqliteStoreOptions } from './sqlite-store';
import type {
  AddMemberResult,
  BoardMode,
  Classroom,
  ClassroomPatch,
  ClassroomStore,
  Member,
  MemberPatch,
  Role,
} from './class-store';

interface ClassRow {
  code: string;
  title: string;
  createdAt: number;
  lastAccess: number;
  viewOnly: number;
  locked: number;
  joinOpen: number;
  chatOpen: number;
  boardMode: BoardMode;
  presentation: string | null;
  teacherToken: string;
}

interface MemberRow {
  id: string;
  code: string;
  name: string;
  role: Role;
  viewOnly: number;
  removed: number;
  waiting: number;
  joinedAt: number;
}

/** SQLite has no booleans; a patch's absent field is NULL, which keeps the stored value. */
const flag = (value: boolean | undefined): number | null =>
  value === undefined ? null : Number(value);

const toClassroom = (row: ClassRow): Classroom => ({
  ...row,
  viewOnly: row.viewOnly === 1,
  locked: row.locked === 1,
  joinOpen: row.joinOpen === 1,
  chatOpen: row.chatOpen === 1,
});

const toMember = (row: MemberRow): Member => ({
  ...row,
  viewOnly: row.viewOnly === 1,
  removed: row.removed === 1,
  waiting: row.waiting === 1,
});

export class SqliteClassroomStore
  extends SqliteConnection<ReturnType<typeof prepareStatements>>
  implements ClassroomStore
{
  constructor(file: string, options: SqliteStoreOptions = {}) {
    super(file, options, prepareStatements);
  }

  async create(classroom: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const c = classroom;
        const inserted = this.q.insertClass.run(
          c.code,
          c.title,
          c.createdAt,
          c.lastAccess,
          Number(c.viewOnly),
          Number(c.locked),
          Number(c.joinOpen),
          Number(c.chatOpen),
          c.boardMode,
          c.presentation,
          c.teacherToken,
        );
        if (inserted.changes === 0) return false;
        this.insertMember(teacher, teacherTokenHash);
        return true;
      })
      .immediate();
  }

  async get(code: string): Promise<Classroom | null> {
    const row = this.q.getClass.get(code) as ClassRow | undefined;
    return row ? toClassroom(row) : null;
  }

  async list(): Promise<Classroom[]> {
    return (this.q.listClasses.all() as ClassRow[]).map(toClassroom);
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    return this.db
      .transaction(() => {
        this.q.updateClass.run(
          patch.title ?? null,
          flag(patch.viewOnly),
          flag(patch.locked),
          flag(patch.joinOpen),
          flag(patch.chatOpen),
          patch.boardMode ?? null,
          patch.presentation === undefined ? 0 : 1,
          patch.presentation ?? null,
          code,
        );
        const row = this.q.getClass.get(code) as ClassRow | undefined;
        return row ? toClassroom(row) : null;
      })
      .immediate();
  }

  async delete(code: string): Promise<boolean> {
    // Members go by ON DELETE CASCADE, client ID owners by the migration's trigger.
    return this.q.deleteClass.run(code).changes > 0;
  }

  async addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult> {
    // IMMEDIATE: the count is read under the write lock, so no other connection
    // can add a member between the count and the insert.
    return this.db
      .transaction((): AddMemberResult => {
        if (!this.q.classExists.get(member.code)) return 'missing';
        const { count } = this.q.countMembers.get(member.code) as { count: number };
        if (count >= maxMembers) return 'full';
        this.insertMember(member, tokenHash);
        return 'ok';
      })
      .immediate();
  }

  async members(code: string): Promise<Member[]> {
    return (this.q.members.all(code) as MemberRow[]).map(toMember);
  }

  async member(code: string, id: string): Promise<Member | null> {
    const row = this.q.member.get(code, id) as MemberRow | undefined;
    return row ? toMember(row) : null;
  }

  async memberByTokenHash(tokenHash: string): Promise<Member | null> {
    const row = this.q.memberByTokenHash.get(tokenHash) as MemberRow | undefined;
    return row ? toMember(row) : null;
  }

  async updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null> {
    return this.db
      .transaction(() => {
        this.q.updateMember.run(
          flag(patch.viewOnly),
          flag(patch.removed),
          flag(patch.waiting),
          code,
          id,
        );
        const row = this.q.member.get(code, id) as MemberRow | undefined;
        return row ? toMember(row) : null;
      })
      .immediate();
  }

  async owners(room: string): Promise<Map<number, string>> {
    const rows = this.q.owners.all(room) as { clientId: number; memberId: string }[];
    return new Map(rows.map((r) => [r.clientId, r.memberId]));
  }

  async claim(
    room: string,
    clientIds: readonly number[],
    memberId: string,
  ): Promise<Map<number, string>> {
    return this.db
      .transaction(() => {
        const owners = new Map<number, string>();
        for (const id of clientIds) {
          this.q.claim.run(room, id, memberId);
          owners.set(id, (this.q.owner.get(room, id) as { memberId: string }).memberId);
        }
        return owners;
      })
      .immediate();
  }

  async touch(code: string): Promise<void> {
    this.q.touch.run(this.now(), code);
  }

  async purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, this.q.stale, this.q.deleteClass, cutoff, keep);
  }

  private insertMember(m: Member, tokenHash: string): void {
    this.q.insertMember.run(
      m.id,
      m.code,
      m.name,
      m.role,
      Number(m.viewOnly),
      Number(m.removed),
      Number(m.waiting),
      m.joinedAt,
      tokenHash,
    );
  }
}

const CLASS_COLUMNS = `code, title, created_at AS createdAt, last_access AS lastAccess,
  view_only AS viewOnly, locked, join_open AS joinOpen, chat_open AS chatOpen,
  board_mode AS boardMode, presentation, teacher_token AS teacherToken`;
const MEMBER_COLUMNS = `id, code, name, role, view_only AS viewOnly, removed, waiting,
  joined_at AS joinedAt`;

function prepareStatements(db: Database.Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    insertClass: s(`INSERT INTO classes
      (code, title, created_at, last_access, view_only, locked, join_open, chat_open,
        board_mode, presentation, teacher_token)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`),
    getClass: s(`SELECT ${CLASS_COLUMNS} FROM classes WHERE code = ?`),
    classExists: s('SELECT 1 FROM classes WHERE code = ?'),
    listClasses: s(`SELECT ${CLASS_COLUMNS} FROM classes ORDER BY created_at DESC, code DESC`),
    updateClass: s(`UPDATE classes SET title = coalesce(?, title),
      view_only = coalesce(?, view_only), locked = coalesce(?, locked),
      join_open = coalesce(?, join_open), chat_open = coalesce(?, chat_open),
      board_mode = coalesce(?, board_mode),
      presentation = CASE ? WHEN 1 THEN ? ELSE presentation END
      WHERE code = ?`),
    deleteClass: s('DELETE FROM classes WHERE code = ?'),
    touch: s('UPDATE classes SET last_access = ? WHERE code = ?'),
    stale: s('SELECT code AS id FROM classes WHERE last_access < ?'),
    insertMember: s(`INSERT INTO class_members
      (id, code, name, role, view_only, removed, waiting, joined_at, token_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    countMembers: s('SELECT count(*) AS count FROM class_members WHERE code = ?'),
    // A new row's rowid is above every row present: join order, even within one millisecond.
    members: s(`SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = ? ORDER BY rowid`),
    member: s(`SELECT ${MEMBER_COLUMNS} FROM class_members WHERE code = ? AND id = ?`),
    memberByTokenHash: s(`SELECT ${MEMBER_COLUMNS} FROM class_members WHERE token_hash = ?`),
    updateMember: s(`UPDATE class_members SET view_only = coalesce(?, view_only),
      removed = coalesce(?, removed), waiting = coalesce(?, waiting)
      WHERE code = ? AND id = ?`),
    owners: s(`SELECT client_id AS clientId, member_id AS memberId FROM yjs_client_owners
      WHERE room = ?`),
    // Insert or ignore: the first binding of a client ID stays.
    claim: s(`INSERT INTO yjs_client_owners (room, client_id, member_id) VALUES (?, ?, ?)
      ON CONFLICT (room, client_id) DO NOTHING`),
    owner: s(
      'SELECT member_id AS memberId FROM yjs_client_owners WHERE room = ? AND client_id = ?',
    ),
  };
}
