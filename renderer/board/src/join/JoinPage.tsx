// The join page: a room code and a name, and for the teacher's screen the
// hub's address with its QR code (from GET /api/join).
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { normalizeRoom, saveName, savedName } from '../net/identity';
import { FormProblem } from './FormProblem';

interface JoinInfo {
  preferredUrl: string;
  urls: string[];
  qrSvg: string;
}

export function JoinPage({ error }: { error?: string }) {
  const [room, setRoom] = useState('');
  const [name, setName] = useState(savedName);
  const [problem, setProblem] = useState(error ?? '');
  const [info, setInfo] = useState<JoinInfo | null>(null);

  useEffect(() => {
    fetch('/api/join')
      .then((r) => (r.ok ? (r.json() as Promise<JoinInfo>) : null))
      .then(setInfo)
      .catch(() => setInfo(null)); // the form works without it
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const code = normalizeRoom(room);
    if (!code) {
      setProblem('Use letters, digits, "-" or "_" (up to 64).');
      return;
    }
    saveName(name);
    location.assign(`/board/${encodeURIComponent(code)}`);
  };

  return (
    <main className="join">
      <h1>Join a board</h1>
      <form onSubmit={submit} className="join-form">
        <label>
          Room code
          <input
            name="room"
            value={room}
            onChange={(e) => setRoom(e.target.value)}
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. maths-7b"
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
            maxLength={40}
            placeholder="Optional"
          />
        </label>
        <button type="submit">Join</button>
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
