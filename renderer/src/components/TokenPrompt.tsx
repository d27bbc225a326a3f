import { useState } from 'react';
import { setToken } from '../lib/token';

/** Shown when the page has no token, or a wrong one. */
export function TokenPrompt({ wrong }: { wrong: boolean }) {
  const [value, setValue] = useState('');
  return (
    <main className="token-prompt">
      <h1>Lanboard dashboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value);
          window.location.reload();
        }}
      >
        <p>
          {wrong ? 'That admin token was not accepted. ' : ''}
          Open the address <code>lanboard serve</code> printed in its terminal, or run{' '}
          <code>lanboard admin-url</code> on the hub&apos;s computer, which prints it. Or paste the
          admin token: <code>lanboard serve</code> says at every start which file holds it (
          <code>admin-token</code> in the hub&apos;s data folder), or it is the{' '}
          <code>AdminToken</code> setting.
        </p>
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
        />
        <button type="submit">Open the dashboard</button>
      </form>
    </main>
  );
}
