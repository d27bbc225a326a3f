// Data a page keeps fresh by itself: loaded at once, again every `everyMs`
// while the tab is visible (and as soon as it shows again), and whenever
// `trigger` changes (the event stream saw joins or leaves). Answers are
// numbered: one older than what is shown is dropped, so a slow poll never
// undoes the state an action just produced.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Loads now; resolves once this answer (or a newer one) is shown. */
  reload(): Promise<void>;
}

interface Shown<T> {
  key: string;
  data?: T;
  error?: Error;
}

/** `load` must be stable for one `key` (useCallback); a new key starts empty. */
export function usePolled<T>(
  key: string,
  load: () => Promise<T>,
  trigger: unknown,
  everyMs = 2000,
): Polled<T> {
  const [shown, setShown] = useState<Shown<T>>({ key });
  const issued = useRef(0);
  const applied = useRef(0);

  const reload = useCallback(async () => {
    const seq = ++issued.current;
    let next: Shown<T>;
    try {
      next = { key, data: await load() };
    } catch (e) {
      next = { key, error: e as Error };
    }
    if (seq <= applied.current) return;
    applied.current = seq;
    // An error keeps the last good data on screen beside the message.
    setShown((s) => (next.error && s.key === key ? { ...s, error: next.error } : next));
  }, [key, load]);

  useEffect(() => {
    void reload();
    const tick = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    const timer = setInterval(tick, everyMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
      // Whatever is still in flight answers for a key or a moment that is gone.
      applied.current = issued.current;
    };
  }, [reload, everyMs, trigger]);

  const current = shown.key === key ? shown : undefined;
  return { data: current?.data, error: current?.error, reload };
}
