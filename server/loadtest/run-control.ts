// When a run stops, and how long it waits for stragglers: shared by the load
// tester and the benchmark's other generators.
import { performance } from 'node:perf_hooks';
import type { Summary } from './report';

const POLL_MS = 20;

/** Resolves after `durationS` (if given), or when `signal` aborts, whichever comes first. */
export function untilStopped(
  durationS: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Summary['stoppedBy']> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('signal');
    const timer =
      durationS === undefined
        ? undefined
        : setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve('duration');
          }, durationS * 1000);
    const onAbort = () => {
      clearTimeout(timer);
      resolve('signal');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `done` until it holds or `timeoutMs` has passed. */
export async function settle(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!done() && performance.now() < until) {
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
