// The lesson controls around a class board. The teacher: one board or each
// student's own, which board to open, show it to everyone, "follow me". A
// student: what is shown and why, one tap back to their own board, one tap
// back to the teacher's view. The hub checks every control
// (docs/protocols/classroom.md#presenting); the page only asks.
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import type { BoardSession } from '../app/session';
import { setBoardMode, setPresentation, studentBoards } from './api';
import type { ShownBoard } from './lesson';
import type { MemberState, StudentBoard, Viewport } from './types';

/** How often the teacher's page looks whether its view moved, while everyone follows it. */
const FOLLOW_CHECK_MS = 300;
/** How often the teacher's board list refreshes (who is online). */
const STUDENTS_REFRESH_MS = 5000;

export interface LessonProps {
  state: MemberState;
  token: string;
  shown: ShownBoard;
  session: RefObject<BoardSession | null>;
  /** A student leaves the presented board for their own. */
  onLeave(): void;
  /** The teacher opens a board (a student's room, or undefined for the class's usual one). */
  onOpen(room: string | undefined): void;
}

const areaOf = (v: Viewport) => ({
  minX: v.x,
  minY: v.y,
  maxX: v.x + v.width,
  maxY: v.y + v.height,
});

export function LessonChrome(props: LessonProps) {
  return props.state.member.role === 'teacher' ? (
    <TeacherLesson {...props} />
  ) : (
    <StudentLesson {...props} />
  );
}

function StudentLesson({ state, shown, session, onLeave }: LessonProps) {
  const follow = state.presentation.follow;
  const key = follow && `${follow.x} ${follow.y} ${follow.width} ${follow.height} ${shown.room}`;
  // Each move of the teacher's view moves this one; in between, the student may look around.
  useEffect(() => {
    if (follow) session.current?.showArea(areaOf(follow));
    // `key` stands for `follow` and the board (a new board is a new session).
  }, [key]);
  if (!shown.note && !follow) return null;
  return (
    <div className="lesson-bar" role="status">
      {shown.note && <span>{shown.note}</span>}
      {follow && <span>Following the teacher</span>}
      {shown.canLeave && (
        <button type="button" onClick={onLeave}>
          Back to my board
        </button>
      )}
      {follow && (
        <button type="button" onClick={() => session.current?.showArea(areaOf(follow))}>
          Teacher's view
        </button>
      )}
    </div>
  );
}

function TeacherLesson({ state, token, shown, session, onOpen }: LessonProps) {
  const { code } = state;
  const [students, setStudents] = useState<StudentBoard[]>([]);
  const [problem, setProblem] = useState('');
  const own = state.boards.mode === 'own';
  const presented = state.presentation.board;
  const following = state.presentation.follow !== null;

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      const reply = await studentBoards(code, token);
      if (!stopped && reply.ok) setStudents(reply.value);
    };
    void load();
    const timer = window.setInterval(() => void load(), STUDENTS_REFRESH_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [code, token]);

  const present = async (board: string | null, follow: Viewport | null) => {
    const reply = await setPresentation(code, token, { board, follow });
    setProblem(reply.ok ? '' : `Not changed: ${reply.error}`);
  };
  const viewport = (): Viewport | null => {
    const area = session.current?.visibleArea();
    if (!area) return null;
    return {
      x: area.minX,
      y: area.minY,
      width: area.maxX - area.minX,
      height: area.maxY - area.minY,
    };
  };

  // While everyone follows, the teacher's view goes out whenever it moved (a few times a second at most).
  const sent = useRef('');
  useEffect(() => {
    if (!following) return;
    const timer = window.setInterval(() => {
      const v = viewport();
      const key = v && [v.x, v.y, v.width, v.height].map((n) => n.toFixed(1)).join(' ');
      if (!v || key === sent.current) return;
      sent.current = key!;
      void present(presented, v);
    }, FOLLOW_CHECK_MS);
    return () => window.clearInterval(timer);
  }); // re-armed each render: it reads the latest presentation

  return (
    <div className="lesson-controls" role="group" aria-label="Lesson">
      <button
        type="button"
        aria-pressed={own}
        onClick={() =>
          void setBoardMode(code, token, own ? 'shared' : 'own').then((r) =>
            setProblem(r.ok ? '' : `Not changed: ${r.error}`),
          )
        }
      >
        {own ? 'Own boards: on' : 'Own boards: off'}
      </button>
      <label>
        <span>Open board</span>
        <select
          aria-label="Open board"
          value={shown.room}
          onChange={(e) => onOpen(e.target.value === code ? undefined : e.target.value)}
        >
          <option value={code}>Class board</option>
          {students.map((s) => (
            <option key={s.id} value={s.room}>
              {s.name}
              {s.online > 0 ? '' : ' (offline)'}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        aria-pressed={presented === shown.room}
        onClick={() =>
          void present(presented === shown.room ? null : shown.room, state.presentation.follow)
        }
      >
        {presented === shown.room ? 'Stop showing' : 'Show to everyone'}
      </button>
      <button
        type="button"
        aria-pressed={following}
        onClick={() => {
          sent.current = '';
          void present(presented, following ? null : viewport());
        }}
      >
        {following ? 'Follow me: on' : 'Follow me: off'}
      </button>
      {problem && <span role="alert">{problem}</span>}
    </div>
  );
}
