// The classroom HTTP API's JSON shapes for the board page (renderer/board).
// No imports, so the browser build can use this file as it is.
//
//   GET  /api/classes/<code>                 ClassInfo (404 {error} if no such class)
//   POST /api/classes/<code>/join  {name}    201 JoinReply; 202 JoinReply with waiting: the
//                                            name is a removed member's, or the request's
//                                            `Authorization: Bearer` is this browser's removed
//                                            token; 400 bad name, 403 joining closed,
//                                            404 no class, 409 class full
//   GET  /api/classes/<code>/me              MemberState (also while waiting); header
//                                            `Authorization: Bearer <token>`
//                                            (401 no or unknown token, 403 removed or
//                                            another class's token, 404 no class)
//   GET  /api/classes/<code>/events?token=   SSE: `state` (MemberState) at once and on
//                                            every change; `removed` ({reason}) then the end
//   PUT  /api/classes/<code>/presentation    Presentation, the teacher's token only: 200
//                                            Presentation; 400 bad body, 403 a student's token
//   PUT  /api/classes/<code>/mode {mode}     the teacher's token only: 200 {mode}
//   GET  /api/classes/<code>/students        the teacher's token only: StudentBoard[]
//
// The board's Yjs connection is `<YjsPath>/<code>?token=<token>`; a student's own
// board is `<YjsPath>/<code>/<member ID>?token=<token>` (studentBoardRoom). Codes are
// matched case-insensitively and without spaces or dashes. The whole protocol:
// docs/protocols/classroom.md.

export type ClassRole = 'teacher' | 'student';

/** `shared`: the class's one board; `own`: each student works on a board of their own. */
export type BoardMode = 'shared' | 'own';

export interface ClassInfo {
  code: string;
  title: string;
  joinOpen: boolean;
}

export interface JoinReply {
  token: string;
  member: { id: string; name: string; role: ClassRole };
  /** The board's path, `/board/<code>`. */
  board: string;
  /** The board opens once the teacher lets this member in (MemberState.waiting turns false). */
  waiting: boolean;
}

export interface MemberState {
  code: string;
  title: string;
  member: { id: string; name: string; role: ClassRole };
  /** The hub accepts this member's edits now. */
  canEdit: boolean;
  /** Why not, when canEdit is false. */
  viewOnly: { board: boolean; you: boolean };
  /** Students' boards are hidden (always false for the teacher's own view). */
  locked: boolean;
  /** Joined under a removed member's name or browser: no board until the teacher lets them in. */
  waiting: boolean;
  /** The class's chat: on (the teacher's switch), and whether this member may post in it now. */
  chat: { open: boolean; canPost: boolean };
  /**
   * The class's board mode, and the Yjs room a student works in under it: the
   * class code, or their own board's room (studentBoardRoom). The teacher's is the code.
   */
  boards: { mode: BoardMode; room: string };
  /** What the teacher shows everyone now. */
  presentation: Presentation;
}

/** The part of a board the teacher sees, in board coordinates: what followers fit to their screen. */
export interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * What the teacher shows the class, one state for every "present" control
 * (docs/protocols/classroom.md#presenting). Each field is off when null; a
 * later control (everyone to page N) is one more field.
 */
export interface Presentation {
  /** A board shown read-only on every student's screen: the class code or a student's board room. */
  board: string | null;
  /** Everyone follows the teacher's view: the part of the board the teacher sees. */
  follow: Viewport | null;
}

/** A student's own board, as the teacher's page lists them. */
export interface StudentBoard {
  id: string;
  name: string;
  /** The Yjs room of the student's own board. */
  room: string;
  /** Board connections of the student on this hub. */
  online: number;
}

export const NOT_PRESENTING: Presentation = { board: null, follow: null };

/** Why a student's chat is refused or closed while the teacher has it off. */
export const CHAT_OFF = 'the teacher has turned the chat off';

export interface RemovedEvent {
  reason: string;
}

/** Why a board without a class is refused when ClassOpenRooms is off (close 4403, page 404). */
export const OPEN_ROOMS_OFF = 'this hub opens class boards only: join with a class code';

/** The board page's meta tag saying whether open rooms are allowed ("on" or "off"). */
export const OPEN_ROOMS_META = 'lanboard-open-rooms';

/** The Yjs close code after the hub refused an edit (the page reloads its copy). */
export const EDIT_REFUSED_CLOSE = 4422;

// What a class code looks like: the form /api/classes/<code> and the board's
// rooms accept. A code is read aloud and typed by children, so its alphabet
// leaves out look-alikes (0/O, 1/I/L).

export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;

const CLASS_SHAPED = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** Exactly a code as the hub makes them (a room name kept for classes). */
export const isClassCode = (name: string): boolean => CLASS_SHAPED.test(name);

/** `k7q-m2p ` → `K7QM2P`; undefined when it cannot be a class code. */
export function normalizeClassCode(raw: string): string | undefined {
  const code = raw.replace(/[\s-]+/g, '').toUpperCase();
  return isClassCode(code) ? code : undefined;
}

/** `K7QM2P` → `K7Q M2P`: a code as people read it out. */
export const spacedCode = (code: string): string =>
  `${code.slice(0, CODE_LENGTH / 2)} ${code.slice(CODE_LENGTH / 2)}`;

// A student's own board is a Yjs room of its own, named after the class and the
// member: only that student and the teacher may open it.

/** `K7QM2P` and a member ID → `K7QM2P/<member ID>`, the student's own board. */
export const studentBoardRoom = (code: string, memberId: string): string => `${code}/${memberId}`;

/**
 * Which class board a Yjs room is: the class's shared one, or a student's own
 * (`student`: the member ID after the code, whatever it is; the gate checks it).
 * Every room under a code is the class's, so none can open as a plain room.
 */
export function classBoardOf(room: string): { code: string; student?: string } | undefined {
  const slash = room.indexOf('/');
  const code = slash < 0 ? room : room.slice(0, slash);
  if (!isClassCode(code)) return undefined;
  return slash < 0 ? { code } : { code, student: room.slice(slash + 1) };
}
