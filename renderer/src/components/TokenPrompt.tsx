import { useState } from 'react';
import { ApiError } from '../lib/api';
import { logIn } from '../lib/login';

/** Shown when the browser has no login cookie, or one that no longer counts. */
export function TokenPrompt() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  return (
    <main className="token-prompt">
      <h1>Lanboard dashboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          logIn(value).then(
            () => window.location.reload(),
            (err: unknown) =>
              setError(
                err instanceof ApiError && err.status === 401
                  ? 'That admin token was not accepted.'
                  : `Could not log in: ${(err as Error).message}`,
              ),
          );
        }}
      >
        <p>
          Open the address <code>lanboard serve</code> printed in its terminal, or run{' '}
          <code>lanboard admin-url</code> on the hub&apos;s computer, which prints it. Or paste the
          admin token: <code>lanboard serve</code> says at every start which file holds it (
          <code>admin-token</code> in the hub&apos;s data folder), or it is the{' '}
          <code>AdminToken</code> setting. This browser then stays logged in until you log out.
        </p>
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          onChange={(e) => setValue(e.target.value)}
          required
        />
        {error && (
          <p id="token-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Log in</button>
      </form>
    </main>
  );
}
