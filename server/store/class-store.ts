// Classes: a board room with a short code, a teacher and named students, each
// holding a token the hub issued. The hub enforces the roles (edit guard in
// protocols/yjs/edit-guard.ts). These are the stored shapes and the contract
// every backend (memory, SQLite, Redis) implements.

export type Role = 'teacher' | 'student';

/** `shared`: the class's one board; `own`: each student's own board (docs/teachers.md). */
export type BoardMode = 'shared' | 'own';

export interface Classroom {
  /** Six characters from CODE_ALPHABET; also the name of the class's Yjs room. */
  code: string;
  title: string;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms; set by the store on create and touch. */
  lastAccess: number;
  /** The whole board is view-only for students. */
  viewOnly: boolean;
  /** Students' boards are hidden ("eyes on me"): they cannot edit, and the hub sends them nothing new until the reveal. */
  locked: boolean;
  /** New students may join with a name. */
  joinOpen: boolean;
  /** Students may use the class's chat (off until the teacher turns it on). */
  chatOpen: boolean;
  /** One board for the class, or each student on a board of their own (the teacher's switch). */
  boardMode: BoardMode;
  /**
   * What the teacher shows everyone (a board, "follow me"), as JSON the
   * classroom layer wrote and reads (classroom/presentation.ts); null when
   * nothing. Stored so a late joiner and every hub get it.
   */
  presentation: string | null;
  /**
   * The teacher's token, kept so the dashboard can show the teacher's board
   * link at any time (students' tokens are only stored hashed). Never sent
   * anywhere but the admin API.
   */
  teacherToken: string;
}

export interface Member {
  /** Unique within the hub (random, URL-safe). */
  id: string;
  code: string;
  name: string;
  role: Role;
  /** This student alone is view-only. */
  viewOnly: boolean;
  /** Kicked: the member's token no longer opens the class. */
  removed: boolean;
  /**
   * Joined under a removed member's name or from a removed member's browser:
   * the token opens no board until the teacher lets the member in.
   */
  waiting: boolean;
  joinedAt: number;
}

export type ClassroomPatch = Partial<
  Pick<
    Classroom,
    'title' | 'viewOnly' | 'locked' | 'joinOpen' | 'chatOpen' | 'boardMode' | 'presentation'
  >
>;
export type MemberPatch = Partial<Pick<Member, 'viewOnly' | 'removed' | 'waiting'>>;

export type AddMemberResult = 'ok' | 'full' | 'missing';

/**
 * Students' tokens are stored only as their SHA-256 (hex). The teacher's is
 * kept as it is (Classroom.teacherToken), so that the dashboard can show the
 * teacher's link at any time: a copy of the database opens the class as its
 * teacher, as it already holds the boards themselves. Every method commits
 * before it resolves.
 */
export interface ClassroomStore {
  readonly kind: string;
  /** False if the code is taken. */
  create(classroom: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean>;
  get(code: string): Promise<Classroom | null>;
  /** Most recently created first. */
  list(): Promise<Classroom[]>;
  /** The updated class, or null if there is none. */
  update(code: string, patch: ClassroomPatch): Promise<Classroom | null>;
  /** Deletes the class, its members and its client ID owners. */
  delete(code: string): Promise<boolean>;
  /** Adds a member unless the class already has `maxMembers` members (removed ones count). */
  addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult>;
  /** In join order. */
  members(code: string): Promise<Member[]>;
  member(code: string, id: string): Promise<Member | null>;
  memberByTokenHash(tokenHash: string): Promise<Member | null>;
  updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null>;
  /**
   * Yjs client ID -> member ID, every binding of the class's boards (the
   * shared one and the students' own: one book, so an ID is one member's in all).
   */
  owners(code: string): Promise<Map<number, string>>;
  /**
   * Binds each client ID to `memberId` unless already bound (first binding
   * wins, atomically, across hubs). Returns the owner of every given ID.
   */
  claim(code: string, clientIds: readonly number[], memberId: string): Promise<Map<number, string>>;
  /** Marks the class used now (joins and connections), for Expiration. */
  touch(code: string): Promise<void>;
  /** Deletes classes last used before `cutoff` unless `keep(code)`; returns their codes. */
  purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]>;
  close(): Promise<void>;
}
