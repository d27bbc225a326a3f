// The join page: a class code (or an open room's name) and a name on one
// form, and for the teacher's screen the hub's address with its QR code (from
// GET /api/join). Anything shaped like a class code is checked with the hub
// and joined before a board opens, so a mistyped code says so instead of
// opening an empty room under that name.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { joinByCode, MAX_NAME } from '../class/join';
import { normalizeClassCode } from '../class/types';
import { normalizeRoom, saveName, savedName } from '../net/identity';
import { FormProblem } from './FormProblem';
import { openRoomsAllowed, openRoomsOff } from './open-rooms';

interface JoinInfo {
  preferredUrl: string;
  urls: string[];
  qrSvg: string;
}

/** `room`: what was tried, kept in the form so that a typo is corrected, not typed again. */
export function JoinPage({ error, room: tried }: { error?: string; room?: string }) {
  const [room, setRoom] = useState(tried ?? '');
  const [name, setName] = useState(savedName);
  const [problem, setProblem] = useState(error ?? '');
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState<JoinInfo | null>(null);

  useEffect(() => {
    fetch('/api/join')
      .then((r) => (r.ok ? (r.json() as Promise<JoinInfo>) : null))
      .then(setInfo)
      .catch(() => setInfo(null)); // the form works without it
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const code = normalizeClassCode(room);
    if (code) {
      setBusy(true);
      const outcome = await joinByCode(code, name);
      setBusy(false);
      if (outcome.ok) location.assign(outcome.board);
      else setProblem(outcome.problem);
      return;
    }
    const plain = normalizeRoom(room);
    if (!plain) {
      setProblem(
        'Type the class code from your teacher (like K7Q M2P), or a room name: letters, digits, "-" or "_" (up to 64).',
      );
      return;
    }
    if (!openRoomsAllowed()) {
      setProblem(openRoomsOff(room.trim()));
      return;
    }
    saveName(name);
    location.assign(`/board/${encodeURIComponent(plain)}`);
  };

  return (
    <main className="join">
      <h1>Join a board</h1>
      <form onSubmit={(e) => void submit(e)} className="join-form">
        <label>
          Class code or room
          <input
            name="room"
            value={room}
            onChange={(e) => setRoom(e.target.value)}
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. K7Q M2P"
            required
            autoFocus
          />
        </label>
        <label>
          Your name
          <input
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={MAX_NAME}
            autoComplete="nickname"
          />
        </label>
        <button type="submit" disabled={busy}>
          Join
        </button>
        <FormProblem text={problem} />
      </form>
      {info && (
        <section className="join-address" aria-label="This hub's address">
          <p>Scan the code, or open this address on a device on the same network:</p>
          <p className="url">{info.preferredUrl}</p>
          <img
            alt={`QR code of ${info.preferredUrl}`}
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(info.qrSvg)}`}
          />
        </section>
      )}
    </main>
  );
}
