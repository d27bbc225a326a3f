import type { Outcome } from '../lib/use-action';

/** An error is an alert (announced at once); a success is a polite status. */
export function OutcomeMessage({ outcome }: { outcome: Outcome | undefined }) {
  return (
    <>
      <p role="status" aria-live="polite" className="muted">
        {outcome?.kind === 'done' ? outcome.text : ''}
      </p>
      {outcome?.kind === 'error' && (
        <p role="alert" className="error">
          {outcome.text}
        </p>
      )}
    </>
  );
}
