// What the benchmark runs. fan-out: one document, T teachers appending every
// ~100 ms (unless named @…ms) and S students watching; idle: N clients joined to one document and
// doing nothing, for the memory each connection costs.

export interface Scenario {
  kind: 'fan-out' | 'idle';
  name: string;
  teachers: number;
  students: number;
  delayMs: number;
  /** The whole run, ramp-up included. */
  durationS: number;
  rampUpMs: number;
}

const fanOut = (
  teachers: number,
  students: number,
  durationS: number,
  rampUpMs: number,
  delayMs = 100,
) => ({
  kind: 'fan-out' as const,
  name: `fan-out ${teachers}×${students}${delayMs === 100 ? '' : ` @${delayMs}ms`}`,
  teachers,
  students,
  delayMs,
  durationS,
  rampUpMs,
});

const idle = (clients: number, durationS: number, rampUpMs: number) => ({
  kind: 'idle' as const,
  name: `idle ${clients}`,
  teachers: 0,
  students: clients,
  delayMs: 1000,
  durationS,
  rampUpMs,
});

/** `npm run bench`: the issue's scenarios, up to (10, 2000) and 10,000 idle clients. */
export const FULL: Scenario[] = [
  fanOut(1, 10, 20, 3000),
  fanOut(10, 200, 20, 3000),
  fanOut(10, 1000, 20, 3000),
  fanOut(10, 2000, 20, 3000),
  // The load tester's default delay: 20,000 deliveries/s, which 2 cores can sustain.
  fanOut(10, 2000, 20, 3000, 1000),
  idle(1000, 10, 3000),
  idle(10_000, 15, 6000),
];

/** `npm run bench -- --quick`: a smoke test of every path, well under 2 minutes. */
export const QUICK: Scenario[] = [fanOut(2, 50, 4, 1000), idle(500, 3, 1000)];
