// Random intervals for the simulated users, from any uniform [0, 1) source.

/** A normal variate (Box–Muller) with the given mean and standard deviation. */
export function normal(random: () => number, mean: number, sd: number): number {
  const u = 1 - random(); // (0, 1]: log(0) is never taken
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A teacher's pause before its next change: normal(delay, delay/2), never negative
 * (docs/loadtest.md#teachers).
 */
export function changeInterval(random: () => number, delayMs: number): number {
  return Math.max(0, normal(random, delayMs, delayMs / 2));
}
