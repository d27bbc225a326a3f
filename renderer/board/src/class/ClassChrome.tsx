// What a class adds around the board: who you are, why you cannot draw, the
// "eyes on your teacher" screen, and the teacher's Clear board.
import { useState } from 'react';
import type { MemberState } from './types';

export function RoleBadge({ state }: { state: MemberState }) {
  const role = state.member.role === 'teacher' ? 'Teacher' : 'Student';
  const { name } = state.member;
  return (
    <span className="role" data-role={state.member.role}>
      {name === role ? role : `${role}: ${name}`}
    </span>
  );
}

/** Why the drawing tools are off, when they are (the lock has its own screen). */
export function viewOnlyReason(state: MemberState): string | undefined {
  if (state.canEdit || state.locked) return undefined;
  if (state.viewOnly.you) return 'The teacher made your board view-only';
  if (state.viewOnly.board) return 'The teacher made the board view-only';
  return 'You cannot draw on this board right now';
}

export function ViewOnlyBanner({ reason }: { reason: string }) {
  return (
    <p className="view-only" role="status">
      {reason}: you can look, zoom and export.
    </p>
  );
}

export function LockOverlay() {
  return (
    <div className="lock-overlay" role="alert">
      <h1>Eyes on your teacher</h1>
      <p>Your board comes back when the teacher unlocks it.</p>
    </div>
  );
}

/** Asks first: clearing erases every student's work too (one Undo brings it back). */
export function ClearBoardButton({ onClear }: { onClear: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="clear" onClick={() => setAsking(true)}>
        Clear board
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label="Confirm clearing the board">
      <span>Erase everything, for everyone?</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onClear();
        }}
      >
        Clear for everyone
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
