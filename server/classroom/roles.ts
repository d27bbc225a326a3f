// What a member may do, from the class's switches and their own: the single
// place where view-only, lock screens and roles become permissions.
import type { Permissions } from '../hub/permissions';
import { studentBoardRoom } from './api-types';
import { presentationOf } from './presentation';
import type { MemberState } from './api-types';
import type { Classroom, Member } from '../store/class-store';

export function permissionsOf(classroom: Classroom, member: Member): Permissions {
  if (member.role === 'teacher') return { read: true, write: true, admin: true };
  const write = !(classroom.viewOnly || classroom.locked || member.viewOnly);
  const out = member.removed || member.waiting;
  const permissions = { read: !out, write: write && !out, admin: false };
  // Locked screens hide the board in the hub too: a tampered page gets nothing new to show.
  return classroom.locked ? { ...permissions, withheld: true } : permissions;
}

/** Which of the class's boards a connection is on: the shared one, or a student's own. */
export interface ClassBoard {
  code: string;
  /** The member ID of the student whose own board it is. */
  student?: string;
}

/**
 * What a member may do on one of the class's boards; undefined when they may
 * not open it at all: a student's own board is that student's and the
 * teacher's only, but while the teacher presents it every student reads it.
 */
export function boardPermissions(
  classroom: Classroom,
  member: Member,
  board: ClassBoard,
): Permissions | undefined {
  if (board.student === undefined || member.role === 'teacher' || member.id === board.student) {
    return permissionsOf(classroom, member);
  }
  const presented = presentationOf(classroom).board === studentBoardRoom(board.code, board.student);
  if (!presented) return undefined;
  const { read, withheld } = permissionsOf(classroom, member);
  return withheld
    ? { read, write: false, admin: false, withheld }
    : { read, write: false, admin: false };
}

/** The teacher is always let into the class's chat; students while the chat is on. */
export const mayChat = (classroom: Classroom, member: Member): boolean =>
  member.role === 'teacher' || classroom.chatOpen;

export function memberState(classroom: Classroom, member: Member): MemberState {
  const student = member.role === 'student';
  return {
    code: classroom.code,
    title: classroom.title,
    member: { id: member.id, name: member.name, role: member.role },
    canEdit: permissionsOf(classroom, member).write,
    viewOnly: { board: student && classroom.viewOnly, you: student && member.viewOnly },
    locked: student && classroom.locked,
    waiting: member.waiting,
    chat: {
      open: classroom.chatOpen,
      canPost: mayChat(classroom, member) && permissionsOf(classroom, member).write,
    },
    boards: {
      mode: classroom.boardMode,
      room:
        student && classroom.boardMode === 'own'
          ? studentBoardRoom(classroom.code, member.id)
          : classroom.code,
    },
    presentation: presentationOf(classroom),
  };
}
