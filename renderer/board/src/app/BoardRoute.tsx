// `/board/<room>`: the hub is asked whether the room is a class. A class gets
// the class page, under its normalized code; a name shaped like a class code
// with no class behind it gets the join page saying so; anything else is a
// plain room, as before classes existed, unless the hub allows no open rooms.
import { useEffect, useState } from 'react';
import type { ClassInfo } from '../class/types';
import { classInfo } from '../class/api';
import { whyNoClass } from '../class/join';
import { normalizeClassCode } from '../class/types';
import { ClassPage } from '../class/ClassPage';
import { JoinPage } from '../join/JoinPage';
import { openRoomsAllowed, openRoomsOff } from '../join/open-rooms';
import { normalizeRoom, saveClassToken } from '../net/identity';
import { BoardPage } from './BoardPage';

type Lookup =
  | { kind: 'looking' }
  | { kind: 'plain' }
  | { kind: 'no-class'; problem: string }
  | { kind: 'class'; info: ClassInfo }
  | { kind: 'unreachable'; problem: string; title?: string };

/** `raw`: the path segment as typed, decoded; `fragmentToken`: a teacher link's `#token=`. */
export function BoardRoute({ raw, fragmentToken }: { raw: string; fragmentToken?: string }) {
  const [lookup, setLookup] = useState<Lookup>({ kind: 'looking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let alive = true;
    void classInfo(raw).then((reply) => {
      if (!alive) return;
      if (reply.ok && reply.value.code !== raw) {
        // `k7q-m2p` → `/board/K7QM2P`: one address per class, one token key.
        if (fragmentToken) saveClassToken(reply.value.code, fragmentToken);
        location.replace(`/board/${encodeURIComponent(reply.value.code)}${location.search}`);
      } else if (reply.ok) {
        setLookup({ kind: 'class', info: reply.value });
      } else if (reply.status === 429) {
        // Too many codes tried from this network: the hub has not said whether this is a class.
        setLookup({
          kind: 'unreachable',
          title: 'The hub asks you to wait',
          problem: `The hub answered: ${reply.error}.`,
        });
      } else if (reply.status === 404 && normalizeClassCode(raw)) {
        // Shaped like a class code: a mistyped one, never a plain room of that name.
        setLookup({ kind: 'no-class', problem: whyNoClass(normalizeClassCode(raw)!, reply) });
      } else if (reply.status >= 400 && reply.status < 500) {
        setLookup({ kind: 'plain' });
      } else {
        setLookup({
          kind: 'unreachable',
          problem: reply.status ? `The hub answered ${reply.status}.` : reply.error,
        });
      }
    });
    return () => {
      alive = false;
    };
  }, [raw, fragmentToken, attempt]);

  switch (lookup.kind) {
    case 'looking':
      return (
        <main className="join">
          <p role="status">Opening the board…</p>
        </main>
      );
    case 'unreachable':
      return (
        <main className="join">
          <h1>{lookup.title ?? 'Cannot reach the hub'}</h1>
          <p>{lookup.problem}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            Try again
          </button>
        </main>
      );
    case 'no-class':
      return <JoinPage error={lookup.problem} room={raw} />;
    case 'class':
      return <ClassPage info={lookup.info} fragmentToken={fragmentToken} />;
    case 'plain': {
      if (!openRoomsAllowed()) return <JoinPage error={openRoomsOff(raw)} room={raw} />;
      const room = normalizeRoom(raw);
      return room ? <BoardPage room={room} /> : <JoinPage error={`"${raw}" is not a room code.`} />;
    }
  }
}
