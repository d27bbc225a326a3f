// Classes on this hub: creating them, students joining with a name, the
// teacher's live controls, and who may open a class board with which token.
// Every change is stored first, then announced on the bus; each hub (this
// one included) applies it to its own connections: live permissions for
// board sockets, kicks, and the state pushed to pages (watchers).
import { isThrottled } from '../auth/attempt-throttle';
import type { AttemptThrottle, Throttled } from '../auth/attempt-throttle';
import type { CredentialThrottle } from '../auth/credential-throttle';
import type { Bus } from '../cluster/bus';
import type { ClientInfo, SessionRegistry } from '../hub/registry';
import { samePermissions } from '../hub/permissions';
import type { Logger } from '../log/logger';
import { BoardOwners } from './board-owners';
import { MISSED_CODE_COST } from './code-attempts';
import {
  checkMemberName,
  hashToken,
  newClassCode,
  newMemberId,
  newToken,
  normalizeClassCode,
} from './codes';
import type { MemberState, Presentation, StudentBoard } from './api-types';
import { checkPresentation, presentationOf, storedPresentation } from './presentation';
import { boardPermissions, mayChat, memberState } from './roles';
import { CHAT_OFF, classBoardOf, studentBoardRoom } from './api-types';
import type {
  Classroom,
  ClassroomPatch,
  ClassroomStore,
  Member,
  MemberPatch,
} from '../store/class-store';

const CHANGED_TOPIC = 'classroom/changed';
/** Why a waiting member's board stays closed. */
export const NOT_LET_IN = 'the teacher has not let you in yet';
/** Why a student's presentation or mode switch is refused. */
export const ONLY_THE_TEACHER = 'only the teacher does this';
/** Why a student may not open a student's own board that is not theirs. */
export const ANOTHER_STUDENTS_BOARD = "this is another student's board";

/** A name as a student might retype it: `tom  smith` is `Tom Smith`. */
const nameKey = (name: string) => name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
interface ClassChanged {
  code: string;
}

/** The Yjs protocol name the boards' connections are registered under. */
const BOARD_PROTOCOL = 'yjs';
/** The chat's, for a class's chat connections (room: the class code). */
export const CHAT_PROTOCOL_NAME = 'chat';
/** A member's connections that follow the class's switches, kicks and removals. */
const MEMBER_PROTOCOLS = [BOARD_PROTOCOL, CHAT_PROTOCOL_NAME];
const CODE_ATTEMPTS = 20;

/** What the service needs of the boards (the Yjs rooms named by class codes). */
export interface Boards {
  clear(room: string): Promise<number>;
  exists(room: string): Promise<boolean>;
  discard(room: string, options: { deleteStored: boolean }): Promise<void>;
  /** The rooms loaded on this hub. */
  loaded(): string[];
}

/** A page's live view of its member: new state, removal, or the hub going away. */
export type Watcher = (
  event: { state: MemberState } | { removed: string } | { closing: true },
) => void;

/** Too many class codes or tokens tried from the address (docs/protocols/classroom.md#limits). */
export interface TooMany {
  ok: false;
  status: 429;
  reason: string;
  retryAfterMs: number;
}

export type Admission =
  | { ok: true; classroom: Classroom; member: Member }
  | { ok: false; status: 401 | 403 | 404; reason: string }
  | TooMany;

/** `member.waiting`: the join matched a removed member and waits for the teacher. */
export type JoinResult =
  | { ok: true; token: string; member: Member }
  | { ok: false; status: 400 | 403 | 404 | 409; reason: string }
  | TooMany;

const tooMany = (t: Throttled): TooMany => ({
  ok: false,
  status: 429,
  reason: t.reason,
  retryAfterMs: t.retryAfterMs,
});

/** A change the teacher's own membership cannot take (removal, view-only). */
export class TeacherMemberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeacherMemberError';
  }
}

export class ClassroomService {
  readonly owners: BoardOwners;
  private readonly watchers = new Map<string, Set<{ memberId: string; send: Watcher }>>();
  /** Per class, the change being applied: changes apply one after another, in order. */
  private readonly applying = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly options: {
      store: ClassroomStore;
      bus: Bus;
      registry: SessionRegistry;
      boards: Boards;
      log: Logger;
      now: () => number;
      maxMembers: number;
      /** Event streams one member may hold on this hub (ClassStreamsPerMember). */
      maxStreamsPerMember: number;
      /** Class codes tried per address (ClassCodeAttemptsPerMinute). */
      codes: AttemptThrottle;
      /** Failed class tokens per address, shared with the other protocols. */
      credentials: CredentialThrottle;
    },
  ) {
    this.owners = new BoardOwners(options.store);
    const unsubscribe = options.bus.subscribe<ClassChanged>(CHANGED_TOPIC, ({ code }) =>
      this.inOrder(code, () => this.apply(code)),
    );
    // A change made while a board was connecting missed it: check each new one.
    const recheck = (client: ClientInfo) => {
      const code = MEMBER_PROTOCOLS.includes(client.protocol) && classBoardOf(client.room)?.code;
      if (code) this.inOrder(code, () => this.recheck(code, client));
    };
    options.registry.on('client-added', recheck);
    this.unsubscribe = () => {
      unsubscribe();
      options.registry.off('client-added', recheck);
    };
  }

  private get store(): ClassroomStore {
    return this.options.store;
  }

  /** A new class with its teacher (whose token the class keeps for the dashboard). */
  async create(title: string): Promise<Classroom> {
    const now = this.options.now();
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newClassCode();
      // A board of that name from before (an old plain room) must not leak into the class.
      if (await this.options.boards.exists(code)) continue;
      const classroom: Classroom = {
        code,
        title,
        createdAt: now,
        lastAccess: now,
        viewOnly: false,
        locked: false,
        joinOpen: true,
        chatOpen: false,
        boardMode: 'shared',
        presentation: null,
        teacherToken: newToken(),
      };
      const teacher = this.newMember(code, 'Teacher', 'teacher');
      if (await this.store.create(classroom, teacher, hashToken(classroom.teacherToken))) {
        this.options.log.info({ class: code }, 'class created');
        return classroom;
      }
    }
    throw new Error('no free class code found; try again');
  }

  /** The class a typed code names, if any (for the dashboard: no limits). */
  async find(rawCode: string): Promise<Classroom | null> {
    const code = normalizeClassCode(rawCode);
    return code ? this.store.get(code) : null;
  }

  /** The join page's lookup of a typed code: a code tried from `address`. */
  async lookUp(rawCode: string, address: string): Promise<Classroom | null | TooMany> {
    const code = normalizeClassCode(rawCode);
    if (!code) return null; // not shaped like a code: nothing to guess
    const found = await this.options.codes.attempt(
      address,
      () => this.store.get(code),
      (c) => (c ? 1 : MISSED_CODE_COST),
    );
    return isThrottled(found) ? tooMany(found) : found;
  }

  list(): Promise<Classroom[]> {
    return this.store.list();
  }

  members(code: string): Promise<Member[]> {
    return this.store.members(code);
  }

  /**
   * A student joins with a name: a code tried from `address`. `previousToken`
   * is the token this browser held for the class before, if any.
   */
  async join(
    rawCode: string,
    rawName: unknown,
    address: string,
    previousToken?: string,
  ): Promise<JoinResult> {
    const joined = await this.options.codes.attempt(
      address,
      () => this.addStudent(rawCode, rawName, previousToken),
      (r) => (!r.ok && r.status === 404 ? MISSED_CODE_COST : 1),
    );
    return isThrottled(joined) ? tooMany(joined) : joined;
  }

  private async addStudent(
    rawCode: string,
    rawName: unknown,
    previousToken: string | undefined,
  ): Promise<JoinResult> {
    const classroom = await this.find(rawCode);
    if (!classroom) return { ok: false, status: 404, reason: 'there is no class with this code' };
    const name = checkMemberName(rawName);
    if (!name.ok) return { ok: false, status: 400, reason: name.reason };
    if (!classroom.joinOpen) {
      return {
        ok: false,
        status: 403,
        reason: 'the teacher has closed this class to new students',
      };
    }
    const member = this.newMember(classroom.code, name.text, 'student');
    member.waiting = await this.comesBack(classroom.code, name.text, previousToken);
    const token = newToken();
    const added = await this.store.addMember(member, hashToken(token), this.options.maxMembers);
    if (added === 'missing')
      return { ok: false, status: 404, reason: 'the class was just deleted' };
    if (added === 'full') return { ok: false, status: 409, reason: 'the class is full' };
    await this.store.touch(classroom.code);
    this.options.log.info(
      { class: classroom.code, member: member.id, waiting: member.waiting },
      member.waiting ? 'a removed student asks to join again' : 'student joined a class',
    );
    this.announce(classroom.code); // dashboards see the new member
    return { ok: true, token, member };
  }

  /**
   * A join is a removed student coming back when its browser held a removed
   * member's token, or its name is a removed member's (ignoring case and
   * spaces): a cleared browser or another device still has to ask.
   */
  private async comesBack(code: string, name: string, previousToken?: string): Promise<boolean> {
    if (previousToken) {
      const previous = await this.store.memberByTokenHash(hashToken(previousToken));
      if (previous?.code === code && previous.removed) return true;
    }
    const key = nameKey(name);
    return (await this.store.members(code)).some((m) => m.removed && nameKey(m.name) === key);
  }

  /**
   * Who a token belongs to, for a class board, `/me` and the page's event
   * stream. A code that names no class is a code tried from `address`; a token
   * that names no member is a failed credential.
   */
  async admit(room: string, token: string | undefined, address: string): Promise<Admission> {
    const found = await this.options.codes.attempt(
      address,
      () => this.store.get(room),
      (c) => (c ? 0 : MISSED_CODE_COST),
    );
    if (isThrottled(found)) return tooMany(found);
    const classroom = found;
    if (!classroom) return { ok: false, status: 404, reason: `there is no class ${room}` };
    if (!token) {
      return { ok: false, status: 401, reason: 'this board belongs to a class: join it first' };
    }
    const member = await this.options.credentials.attempt(
      address,
      () => this.store.memberByTokenHash(hashToken(token)),
      (m) => !m,
    );
    if (isThrottled(member)) return tooMany(member);
    if (!member) return { ok: false, status: 401, reason: 'unknown token' };
    if (member.code !== classroom.code) {
      return { ok: false, status: 403, reason: 'the token is for another class' };
    }
    if (member.removed) {
      return { ok: false, status: 403, reason: 'the teacher removed you from this class' };
    }
    // A class in use does not expire. Only bookkeeping: while the file takes no writes
    // (a fault, reported as such), members are still let in to read.
    await this.store.touch(classroom.code).catch(() => undefined);
    return { ok: true, classroom, member };
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    const updated = await this.store.update(code, patch);
    if (updated) {
      this.options.log.info({ class: code, ...patch }, 'class changed');
      this.announce(code);
    }
    return updated;
  }

  async setMemberViewOnly(code: string, id: string, viewOnly: boolean): Promise<Member | null> {
    const member = await this.changeStudent(code, id, { viewOnly }, 'made view-only');
    if (member)
      this.options.log.info({ class: code, member: id, viewOnly }, 'class member changed');
    return member;
  }

  /** Removes a student: their token stops working and their boards close. */
  async kick(code: string, id: string): Promise<Member | null> {
    const member = await this.changeStudent(code, id, { removed: true }, 'removed');
    if (member) this.options.log.info({ class: code, member: id }, 'class member removed');
    return member;
  }

  /** The teacher lets a waiting student in, or a removed one back in. */
  async letIn(code: string, id: string): Promise<Member | null> {
    const member = await this.changeStudent(code, id, { removed: false, waiting: false }, 'let in');
    if (member) this.options.log.info({ class: code, member: id }, 'class member let in');
    return member;
  }

  /**
   * Changes a student, then applies it on every hub. The teacher is never
   * removed or made view-only: nothing could give a class its teacher back.
   */
  private async changeStudent(
    code: string,
    id: string,
    patch: MemberPatch,
    what: string,
  ): Promise<Member | null> {
    const current = await this.store.member(code, id);
    if (!current) return null;
    if (current.role === 'teacher') throw new TeacherMemberError(`the teacher cannot be ${what}`);
    const member = await this.store.updateMember(code, id, patch);
    if (member) this.announce(code);
    return member;
  }

  /**
   * The teacher presents (or stops): stored, so a late joiner and every hub
   * get it, then announced like any switch. A student's token is refused.
   */
  async present(
    code: string,
    token: string | undefined,
    address: string,
    body: unknown,
  ): Promise<{ ok: true; value: Presentation } | { ok: false; status: number; reason: string }> {
    const admission = await this.teacherAdmit(code, token, address, 'present to the class');
    if (!admission.ok) return admission;
    const { classroom } = admission;
    const checked = checkPresentation(body, classroom, await this.store.members(code));
    if (!checked.ok) {
      this.options.log.info(
        { class: code, remote: address, reason: checked.reason },
        'presentation refused',
      );
      return { ok: false, status: 400, reason: checked.reason };
    }
    const updated = await this.store.update(code, {
      presentation: storedPresentation(checked.value),
    });
    if (!updated) return { ok: false, status: 404, reason: `there is no class ${code}` };
    this.announce(code);
    return { ok: true, value: presentationOf(updated) };
  }

  /** The teacher's page switches the class between one board and each student's own. */
  async setBoardMode(
    code: string,
    token: string | undefined,
    address: string,
    mode: unknown,
  ): Promise<{ ok: true; value: Classroom } | { ok: false; status: number; reason: string }> {
    const admission = await this.teacherAdmit(code, token, address, 'switch the board mode');
    if (!admission.ok) return admission;
    if (mode !== 'shared' && mode !== 'own') {
      return { ok: false, status: 400, reason: 'mode must be "shared" or "own"' };
    }
    const updated = await this.update(code, { boardMode: mode });
    if (!updated) return { ok: false, status: 404, reason: `there is no class ${code}` };
    return { ok: true, value: updated };
  }

  /** The class's students and their own boards, for the teacher's page. */
  async studentBoards(
    code: string,
    token: string | undefined,
    address: string,
  ): Promise<{ ok: true; value: StudentBoard[] } | { ok: false; status: number; reason: string }> {
    const admission = await this.teacherAdmit(code, token, address, 'list the students');
    if (!admission.ok) return admission;
    const online = this.online(code);
    const students = (await this.store.members(code)).filter(
      (m) => m.role === 'student' && !m.removed && !m.waiting,
    );
    return {
      ok: true,
      value: students.map((m) => ({
        id: m.id,
        name: m.name,
        room: studentBoardRoom(code, m.id),
        online: online.get(m.id) ?? 0,
      })),
    };
  }

  /** Admits a token that must be the teacher's; a student's is refused and logged with the address. */
  private async teacherAdmit(
    code: string,
    token: string | undefined,
    address: string,
    what: string,
  ): Promise<Admission> {
    const admission = await this.admit(code, token, address);
    if (!admission.ok || admission.member.role === 'teacher') return admission;
    const { member } = admission;
    this.options.log.warn(
      { class: code, member: member.id, remote: address },
      `a student tried to ${what}`,
    );
    return { ok: false, status: 403, reason: ONLY_THE_TEACHER };
  }

  /** The teacher's "clear board": everything on it is deleted, for everyone. */
  async clear(code: string): Promise<number> {
    const removed = await this.options.boards.clear(code);
    this.options.log.info({ class: code, removed }, 'class board cleared');
    return removed;
  }

  async delete(code: string): Promise<boolean> {
    const students = (await this.store.members(code)).filter((m) => m.role === 'student');
    if (!(await this.store.delete(code))) return false;
    this.options.log.info({ class: code }, 'class deleted');
    this.announce(code);
    await this.options.boards.discard(code, { deleteStored: true });
    for (const s of students) {
      await this.options.boards.discard(studentBoardRoom(code, s.id), { deleteStored: true });
    }
    return true;
  }

  /** Whether `id` is a student of the class (whose own board the teacher may open). */
  async isStudent(code: string, id: string): Promise<boolean> {
    return (await this.store.member(code, id))?.role === 'student';
  }

  /** Board connections on this hub, per member: the shared board and the students' own. */
  online(code: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.connections(code, [BOARD_PROTOCOL])) {
      counts.set(c.userId, (counts.get(c.userId) ?? 0) + 1);
    }
    return counts;
  }

  /** This hub's connections of the given protocols to any of the class's boards (or its chat). */
  private connections(code: string, protocols: readonly string[]): ClientInfo[] {
    const { registry } = this.options;
    return protocols.flatMap((protocol) =>
      registry.clients({ protocol }).filter((c) => classBoardOf(c.room)?.code === code),
    );
  }

  /**
   * Pushes the member's state on every change; returns the function that
   * stops, or undefined when the member already holds `maxStreamsPerMember`
   * streams here (one token cannot hold thousands).
   */
  watch(classroom: Classroom, member: Member, send: Watcher): (() => void) | undefined {
    let set = this.watchers.get(classroom.code);
    let held = 0;
    for (const w of set ?? []) if (w.memberId === member.id) held++;
    if (held >= this.options.maxStreamsPerMember) return undefined;
    if (!set) this.watchers.set(classroom.code, (set = new Set()));
    const watcher = { memberId: member.id, send };
    set.add(watcher);
    const watching = set;
    return () => {
      watching.delete(watcher);
      if (watching.size === 0 && this.watchers.get(classroom.code) === watching) {
        this.watchers.delete(classroom.code);
      }
    };
  }

  stop(): void {
    this.unsubscribe();
    for (const set of this.watchers.values()) {
      for (const w of set) w.send({ closing: true }); // pages reconnect to the next hub
    }
    this.watchers.clear();
  }

  private newMember(code: string, name: string, role: Member['role']): Member {
    return {
      id: newMemberId(),
      code,
      name,
      role,
      viewOnly: false,
      removed: false,
      waiting: false,
      joinedAt: this.options.now(),
    };
  }

  private announce(code: string): void {
    this.options.bus.publish<ClassChanged>(CHANGED_TOPIC, { code });
  }

  /** Runs after the class's earlier changes have been applied on this hub. */
  private inOrder(code: string, task: () => Promise<void>): void {
    const previous = this.applying.get(code) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((err: Error) =>
        this.options.log.error({ err: err.message, class: code }, 'applying a class change failed'),
      );
    this.applying.set(code, next);
    void next.then(() => {
      if (this.applying.get(code) === next) this.applying.delete(code);
    });
  }

  /** One board or chat that just connected: only its own member is read. */
  private async recheck(code: string, client: ClientInfo): Promise<void> {
    const classroom = await this.store.get(code);
    const member = classroom ? await this.store.member(code, client.userId) : null;
    const now = this.options.registry.client(client.id);
    if (now) this.align(now, classroom, member);
  }

  /** A board or chat connection's permissions as its member's now are; closed if it has none. */
  private align(
    client: ClientInfo,
    classroom: Classroom | null,
    member: Member | null | undefined,
  ) {
    const { registry } = this.options;
    if (!classroom || !member || member.removed || member.waiting) {
      const why = !classroom
        ? 'the class was deleted'
        : member?.waiting
          ? NOT_LET_IN
          : 'the teacher removed you from this class';
      registry.kick(client.id, why);
      return;
    }
    if (client.protocol === CHAT_PROTOCOL_NAME && !mayChat(classroom, member)) {
      registry.kick(client.id, CHAT_OFF);
      return;
    }
    const board = classBoardOf(client.room) ?? { code: classroom.code };
    const permissions = boardPermissions(classroom, member, board);
    if (!permissions) {
      registry.kick(client.id, ANOTHER_STUDENTS_BOARD);
      return;
    }
    if (!samePermissions(permissions, client.permissions)) {
      registry.setClientPermissions(client.id, permissions);
    }
  }

  /** Brings this hub's connections and pages in line with the stored class. */
  private async apply(code: string): Promise<void> {
    const classroom = await this.store.get(code);
    const members = new Map(
      classroom ? (await this.store.members(code)).map((m) => [m.id, m]) : [],
    );
    for (const client of this.connections(code, MEMBER_PROTOCOLS)) {
      this.align(client, classroom, members.get(client.userId));
    }
    for (const watcher of this.watchers.get(code) ?? []) {
      const member = members.get(watcher.memberId);
      if (!classroom) watcher.send({ removed: 'the class was deleted' });
      else if (!member || member.removed)
        watcher.send({ removed: 'the teacher removed you from this class' });
      else watcher.send({ state: memberState(classroom, member) });
    }
    if (!classroom) {
      this.owners.forget(code);
      for (const room of this.options.boards.loaded()) {
        if (classBoardOf(room)?.code === code) {
          await this.options.boards.discard(room, { deleteStored: false });
        }
      }
    }
  }
}
