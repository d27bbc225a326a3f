// A class's board page: the member's token (from the teacher's link or a
// join), checked with the hub, then the board with the member's live state.
// The hub is asked again whenever it turns the token away, so the page shows
// why: the token is unknown (join again) or the member was removed. A removed
// member's token is set aside, so this browser's next join waits for the
// teacher (docs/protocols/classroom.md#removed-students); a waiting member's
// page listens until the teacher lets them in.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { ClassInfo, MemberState } from './types';
import { BoardPage } from '../app/BoardPage';
import {
  classToken,
  forgetClassToken,
  saveClassToken,
  setAsideRemovedToken,
} from '../net/identity';
import { memberState } from './api';
import { JoinClassForm } from './JoinClassForm';
import { shownBoard } from './lesson';
import { useMemberStream } from './useMemberStream';

type Phase =
  | { kind: 'checking'; problem: string }
  | { kind: 'form'; problem: string }
  | { kind: 'board'; token: string; state: MemberState }
  | { kind: 'waiting'; token: string; state: MemberState }
  | { kind: 'removed'; reason: string }
  | { kind: 'gone' };

const RETRY_MS = 2000;

export function ClassPage({ info, fragmentToken }: { info: ClassInfo; fragmentToken?: string }) {
  const { code } = info;
  const [phase, setPhase] = useState<Phase>({ kind: 'checking', problem: '' });
  // Each check of the token opens a new event stream, so no change is missed in between.
  const [attempt, setAttempt] = useState(0);
  // The presented board a student tapped away from; the board the teacher opened.
  const [left, setLeft] = useState<string>();
  const [opened, setOpened] = useState<string>();
  const retry = useRef(0);

  const check = useCallback(
    async (token: string) => {
      clearTimeout(retry.current);
      const reply = await memberState(code, token);
      if (reply.ok) {
        const kind = reply.value.waiting ? 'waiting' : 'board';
        setPhase({ kind, token, state: reply.value });
        setAttempt((a) => a + 1);
      } else if (reply.status === 401) {
        forgetClassToken(code);
        setPhase({ kind: 'form', problem: 'The hub does not know you in this class: join again.' });
      } else if (reply.status === 403) {
        setAsideRemovedToken(code);
        setPhase({ kind: 'removed', reason: reply.error });
      } else if (reply.status === 404) {
        setPhase({ kind: 'gone' });
      } else {
        // The hub is restarting or out of reach: an open board stays as it is meanwhile.
        setPhase((p) =>
          p.kind === 'board' ? p : { kind: 'checking', problem: 'Cannot reach the hub: retrying…' },
        );
        retry.current = window.setTimeout(() => void check(token), RETRY_MS);
      }
    },
    [code],
  );

  useEffect(() => {
    if (fragmentToken) saveClassToken(code, fragmentToken);
    const token = classToken(code);
    if (token) void check(token);
    else setPhase({ kind: 'form', problem: '' });
    return () => clearTimeout(retry.current);
  }, [code, fragmentToken, check]);

  const token = phase.kind === 'board' || phase.kind === 'waiting' ? phase.token : undefined;
  useMemberStream(code, token, attempt, {
    onState: (state) => {
      // Once the teacher stops showing the board the student left, showing it again brings it back.
      if (state.presentation.board !== left) setLeft(undefined);
      // Let in: the page asks the hub once more, then opens the board.
      if (phase.kind === 'waiting' && !state.waiting) void check(phase.token);
      else setPhase((p) => (p.kind === 'board' ? { ...p, state } : p));
    },
    onRemoved: (reason) => {
      setAsideRemovedToken(code);
      setPhase({ kind: 'removed', reason });
    },
    onLost: () => {
      clearTimeout(retry.current);
      if (token) retry.current = window.setTimeout(() => void check(token), RETRY_MS);
    },
  });

  switch (phase.kind) {
    case 'checking':
      return (
        <main className="join">
          <h1>{info.title || `Class ${code}`}</h1>
          <p role="status">{phase.problem || 'Opening the board…'}</p>
        </main>
      );
    case 'form':
      return <JoinClassForm info={info} problem={phase.problem} onJoined={(t) => void check(t)} />;
    case 'waiting':
      return (
        <main className="join">
          <h1>Waiting for the teacher</h1>
          <p role="status">
            {phase.state.member.name}, your teacher has to let you into{' '}
            {info.title || `class ${code}`}. This page opens the board as soon as they do.
          </p>
        </main>
      );
    case 'removed':
      return (
        <Notice title="You were removed from this class" detail={phase.reason}>
          {/* The token is set aside: the form's join waits for the teacher. */}
          <a href={`/board/${encodeURIComponent(code)}`}>Ask to join again</a>
        </Notice>
      );
    case 'gone':
      return <Notice title="This class no longer exists" />;
    case 'board': {
      const shown = shownBoard(phase.state, left, opened);
      return (
        <BoardPage
          room={shown.room}
          seat={{
            token: phase.token,
            state: phase.state,
            onAccessRefused: () => void check(phase.token),
            lesson: {
              shown,
              onLeave: () => setLeft(phase.state.presentation.board ?? undefined),
              onOpen: setOpened,
            },
          }}
        />
      );
    }
  }
}

/** A page with nothing left to do here but go back to the start. */
function Notice({
  title,
  detail,
  children,
}: {
  title: string;
  detail?: string;
  children?: ReactNode;
}) {
  return (
    <main className="join">
      <h1>{title}</h1>
      {detail && <p>{detail}</p>}
      {children && <p>{children}</p>}
      <p>
        <a href="/">Back to the start</a>
      </p>
    </main>
  );
}
