// Which board a class member's page shows, from their live state: their own
// or the class's board, or the one the teacher presents (read-only for the
// other students). No DOM: the class page and its tests share it.
import { studentBoardRoom } from './types';
import type { MemberState } from './types';

export interface ShownBoard {
  room: string;
  /** The presented board of another student: look, do not draw. */
  readOnly: boolean;
  /** What the page says about it, when it is not the member's usual board. */
  note?: string;
  /** The student may go back to their own board with one tap. */
  canLeave: boolean;
}

/**
 * `left`: the presented board the student tapped away from (they stay away
 * until the teacher presents another). `opened`: the board the teacher opened.
 */
export function shownBoard(state: MemberState, left?: string, opened?: string): ShownBoard {
  const usual = { room: state.boards.room, readOnly: false, canLeave: false };
  if (state.member.role === 'teacher') return { ...usual, room: opened ?? state.boards.room };
  const presented = state.presentation.board;
  if (!presented || presented === left) return usual;
  if (presented === studentBoardRoom(state.code, state.member.id)) {
    return {
      room: presented,
      readOnly: false,
      canLeave: false,
      note: 'Your board is shown to the class',
    };
  }
  const whose = presented === state.code ? 'the class board' : "a student's board";
  const note = `The teacher is showing ${whose}: you can look, not draw`;
  return { room: presented, readOnly: true, canLeave: true, note };
}
