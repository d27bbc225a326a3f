// Opens class boards on the Yjs endpoint. A room named like a class code is
// always a class room: without a class behind it the board stays closed, so a
// deleted class's code cannot come back as an open room that a student's
// still-open page would fill with the old board. With ClassOpenRooms off, the
// hub's own pages (the board) are refused any other room; programs and other
// sites' pages keep theirs (docs/protocols/classroom.md#open-rooms). A room
// `<code>/<member ID>` is a student's own board: that student's and the
// teacher's only, under the class's switches and its one book of client IDs.
import type { GateResult, RoomGate } from '../protocols/yjs/room-gate';
import { boardPermissions } from './roles';
import { ANOTHER_STUDENTS_BOARD, NOT_LET_IN } from './service';
import { classBoardOf, OPEN_ROOMS_OFF } from './api-types';
import type { ClassroomService } from './service';

export function classGate(classes: ClassroomService, openRooms: boolean): RoomGate {
  return {
    async admit(room, token, address, from): Promise<GateResult | undefined> {
      const board = classBoardOf(room);
      if (!board) {
        return openRooms || !from.ownPage
          ? undefined
          : { ok: false, status: 403, reason: OPEN_ROOMS_OFF };
      }
      const admission = await classes.admit(board.code, token, address);
      if (!admission.ok) return admission;
      const { classroom, member } = admission;
      // A waiting member's page listens for the teacher's answer; their board stays closed.
      if (member.waiting) return { ok: false, status: 403, reason: NOT_LET_IN };
      const permissions = boardPermissions(classroom, member, board);
      if (!permissions) return { ok: false, status: 403, reason: ANOTHER_STUDENTS_BOARD };
      if (board.student !== undefined && !(await classes.isStudent(board.code, board.student))) {
        return { ok: false, status: 404, reason: 'there is no such student in this class' };
      }
      const { book, release } = await classes.owners.hold(board.code);
      return {
        ok: true,
        userId: member.id,
        displayName: member.name,
        permissions,
        edits: {
          role: { memberId: member.id, moderator: member.role === 'teacher' },
          owners: book,
          name: member.name,
        },
        release,
      };
    },
  };
}
