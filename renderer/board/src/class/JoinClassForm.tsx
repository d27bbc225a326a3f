// "Join <class>": a student types a name and gets a token from the hub.
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ClassInfo } from './types';
import { saveClassToken, saveName, savedName } from '../net/identity';
import { joinClass } from './api';
import { FormProblem } from '../join/FormProblem';

const MAX_NAME = 40;

function whyNot(status: number, error: string): string {
  switch (status) {
    case 0:
      return 'Cannot reach the hub. Check the network and try again.';
    case 400:
      return `That name cannot be used: ${error}.`;
    case 403:
      return 'The teacher has closed joining for this class. Ask your teacher.';
    case 404:
      return 'This class no longer exists. Ask your teacher for the new code.';
    case 409:
      return 'This class is full. Ask your teacher.';
    default:
      return `The hub could not add you (${status}${error ? `: ${error}` : ''}).`;
  }
}

export function JoinClassForm(props: {
  info: ClassInfo;
  problem?: string;
  onJoined: (token: string) => void;
}) {
  const { info } = props;
  const [name, setName] = useState(savedName);
  const [problem, setProblem] = useState(props.problem ?? '');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const clean = name.trim().replace(/\s+/g, ' ');
    if (clean.length === 0 || [...clean].length > MAX_NAME) {
      setProblem(`Type your name (1 to ${MAX_NAME} characters).`);
      return;
    }
    setBusy(true);
    const reply = await joinClass(info.code, clean);
    setBusy(false);
    if (!reply.ok) {
      setProblem(whyNot(reply.status, reply.error));
      return;
    }
    saveName(clean);
    saveClassToken(info.code, reply.value.token);
    props.onJoined(reply.value.token);
  };

  return (
    <main className="join">
      <h1>Join {info.title || `class ${info.code}`}</h1>
      {!info.joinOpen && <p className="note">The teacher has closed joining for now.</p>}
      <form onSubmit={(e) => void submit(e)} className="join-form">
        <label>
          Your name
          <input
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={MAX_NAME}
            autoComplete="nickname"
            required
            autoFocus
          />
        </label>
        <button type="submit" disabled={busy}>
          Join
        </button>
        <FormProblem text={problem} />
      </form>
    </main>
  );
}
