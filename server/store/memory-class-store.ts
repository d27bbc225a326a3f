// Classes in memory, for tests and `Database=memory`: lost on exit. Every
// method runs to completion before it yields, so each one is atomic.
import type { StoreOptions } from './types';
import type {
  AddMemberResult,
  Classroom,
  ClassroomPatch,
  ClassroomStore,
  Member,
  MemberPatch,
} from './class-store';

interface StoredClass {
  classroom: Classroom;
  /** In join order. */
  members: Member[];
  tokenHashes: string[];
}

export class MemoryClassroomStore implements ClassroomStore {
  readonly kind = 'memory';
  private readonly classes = new Map<string, StoredClass>();
  /** Token hash -> the member's code and ID. */
  private readonly tokens = new Map<string, { code: string; id: string }>();
  /** Room -> client ID -> member ID. */
  private readonly rooms = new Map<string, Map<number, string>>();
  private readonly memberIds = new Set<string>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(classroom: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean> {
    if (this.classes.has(classroom.code)) return false;
    this.classes.set(classroom.code, { classroom: { ...classroom }, members: [], tokenHashes: [] });
    this.insertMember(teacher, teacherTokenHash);
    return true;
  }

  async get(code: string): Promise<Classroom | null> {
    const stored = this.classes.get(code);
    return stored ? { ...stored.classroom } : null;
  }

  async list(): Promise<Classroom[]> {
    return [...this.classes.values()]
      .map((c) => ({ ...c.classroom }))
      .sort((a, b) => b.createdAt - a.createdAt || (a.code < b.code ? 1 : -1));
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    const stored = this.classes.get(code);
    if (!stored) return null;
    const c = stored.classroom;
    c.title = patch.title ?? c.title;
    c.viewOnly = patch.viewOnly ?? c.viewOnly;
    c.locked = patch.locked ?? c.locked;
    c.joinOpen = patch.joinOpen ?? c.joinOpen;
    c.chatOpen = patch.chatOpen ?? c.chatOpen;
    c.boardMode = patch.boardMode ?? c.boardMode;
    if (patch.presentation !== undefined) c.presentation = patch.presentation;
    return { ...stored.classroom };
  }

  async delete(code: string): Promise<boolean> {
    const stored = this.classes.get(code);
    if (!stored) return false;
    for (const hash of stored.tokenHashes) this.tokens.delete(hash);
    for (const m of stored.members) this.memberIds.delete(m.id);
    this.rooms.delete(code);
    return this.classes.delete(code);
  }

  async addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult> {
    const stored = this.classes.get(member.code);
    if (!stored) return 'missing';
    if (stored.members.length >= maxMembers) return 'full';
    this.insertMember(member, tokenHash);
    return 'ok';
  }

  async members(code: string): Promise<Member[]> {
    return (this.classes.get(code)?.members ?? []).map((m) => ({ ...m }));
  }

  async member(code: string, id: string): Promise<Member | null> {
    const found = this.find(code, id);
    return found ? { ...found } : null;
  }

  async memberByTokenHash(tokenHash: string): Promise<Member | null> {
    const owner = this.tokens.get(tokenHash);
    return owner ? this.member(owner.code, owner.id) : null;
  }

  async updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null> {
    const found = this.find(code, id);
    if (!found) return null;
    found.viewOnly = patch.viewOnly ?? found.viewOnly;
    found.removed = patch.removed ?? found.removed;
    found.waiting = patch.waiting ?? found.waiting;
    return { ...found };
  }

  async owners(room: string): Promise<Map<number, string>> {
    return new Map(this.rooms.get(room));
  }

  async claim(
    room: string,
    clientIds: readonly number[],
    memberId: string,
  ): Promise<Map<number, string>> {
    let owners = this.rooms.get(room);
    if (!owners) this.rooms.set(room, (owners = new Map()));
    const result = new Map<number, string>();
    for (const id of clientIds) {
      if (!owners.has(id)) owners.set(id, memberId);
      result.set(id, owners.get(id)!);
    }
    return result;
  }

  async touch(code: string): Promise<void> {
    const stored = this.classes.get(code);
    if (stored) stored.classroom.lastAccess = this.now();
  }

  async purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const [code, { classroom }] of this.classes) {
      if (classroom.lastAccess >= cutoff || keep(code)) continue;
      await this.delete(code);
      gone.push(code);
    }
    return gone;
  }

  async close(): Promise<void> {
    this.classes.clear();
    this.tokens.clear();
    this.rooms.clear();
    this.memberIds.clear();
  }

  /** The caller has checked that the class exists. As in SQLite, IDs and tokens are unique. */
  private insertMember(member: Member, tokenHash: string): void {
    if (this.tokens.has(tokenHash)) throw new Error('a member already holds this token');
    if (this.memberIds.has(member.id)) throw new Error(`member ${member.id} already exists`);
    const stored = this.classes.get(member.code)!;
    stored.members.push({ ...member });
    stored.tokenHashes.push(tokenHash);
    this.tokens.set(tokenHash, { code: member.code, id: member.id });
    this.memberIds.add(member.id);
  }

  private find(code: string, id: string): Member | undefined {
    return this.classes.get(code)?.members.find((m) => m.id === id);
  }
}
