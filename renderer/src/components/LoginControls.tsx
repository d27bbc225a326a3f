import { useState } from 'react';
import { logOut, logOutEverywhere } from '../lib/login';

/** Logging this browser out, or every browser that logged in so far. */
export function LoginControls() {
  const [error, setError] = useState<string>();
  const act = (what: () => Promise<void>) => () =>
    what().then(
      () => window.location.reload(),
      (e: Error) => setError(e.message),
    );
  return (
    <section className="login-controls" aria-labelledby="login-title">
      <h2 id="login-title">Your login</h2>
      <p className="muted">
        This browser stays logged in to this hub until you log out here, or the admin token changes.
        Scripts keep using the token itself.
      </p>
      <div className="actions">
        <button type="button" onClick={act(logOut)}>
          Log out
        </button>
        <button type="button" onClick={act(logOutEverywhere)}>
          Log out everywhere
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
