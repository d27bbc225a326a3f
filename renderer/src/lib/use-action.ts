// One change at a time against the hub: controls are disabled while it runs,
// its outcome is kept for the page to show (an alert or a notice), and the
// page's data is reloaded after it, failed or not (a failure may still have
// changed something, and the reload shows what is true now).
import { useCallback, useState } from 'react';

export interface Outcome {
  kind: 'error' | 'done';
  text: string;
}

export interface Action {
  busy: boolean;
  outcome: Outcome | undefined;
  /** Resolves to whether `act` succeeded, once the reload is shown; never rejects. */
  run<R>(what: string, act: () => Promise<R>, notice?: (result: R) => string): Promise<boolean>;
}

export function useAction(reload: () => Promise<void>): Action {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = useCallback(
    async <R>(what: string, act: () => Promise<R>, notice?: (result: R) => string) => {
      setBusy(true);
      setOutcome(undefined);
      let ok = false;
      try {
        const result = await act();
        ok = true;
        if (notice) setOutcome({ kind: 'done', text: notice(result) });
      } catch (e) {
        setOutcome({ kind: 'error', text: `${what} failed: ${(e as Error).message}` });
      }
      await reload();
      setBusy(false);
      return ok;
    },
    [reload],
  );
  return { busy, outcome, run };
}
