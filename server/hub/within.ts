// Waiting with a deadline, for shutdown paths that must not hang on a backend
// that is down (a Redis command queued until the server comes back).

/** Resolves true if `work` settled within `ms`, false otherwise (work keeps running). */
export function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    work.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}
