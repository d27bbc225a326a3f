// "Join <class>": a student types a name and gets a token from the hub.
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ClassInfo } from './types';
import { removedClassToken, saveClassToken, saveName, savedName } from '../net/identity';
import { joinClass } from './api';
import { cleanName, MAX_NAME, NAME_PROBLEM, whyNotJoined } from './join';
import { FormProblem } from '../join/FormProblem';

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
    const clean = cleanName(name);
    if (!clean) {
      setProblem(NAME_PROBLEM);
      return;
    }
    setBusy(true);
    const reply = await joinClass(info.code, clean, removedClassToken(info.code));
    setBusy(false);
    if (!reply.ok) {
      setProblem(whyNotJoined(reply.status, reply.error));
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
      {removedClassToken(info.code) && (
        <p className="note">
          The teacher removed you from this class: if you join again, the teacher has to let you in.
        </p>
      )}
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
