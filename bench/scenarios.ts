// What the benchmark runs. fan-out: one document, T teachers appending every
// ~100 ms (unless named @…ms) and S students watching; idle: N clients joined to one document and
// doing nothing, for the memory each connection costs; yjs fan-out: one Yjs room, T writers
// adding an entry every ~100 ms (unless named @…ms) and S watchers, all real providers;
// cross-hub: the Zwibbler fan-out with its clients spread over 3 hubs sharing one Redis.

export type ScenarioKind = 'fan-out' | 'idle' | 'yjs-fan-out' | 'cross-hub';

export interface Scenario {
  kind: ScenarioKind;
  name: string;
  /** Teachers, or Yjs writers. */
  teachers: number;
  /** Students, or Yjs watchers. */
  students: number;
  delayMs: number;
  /** The whole run, ramp-up included. */
  durationS: number;
  rampUpMs: number;
  /** Processes the Zwibbler load generator spreads its clients over (1 unless named ×N gen). */
  workers?: number;
}

const fanOut = (
  teachers: number,
  students: number,
  durationS: number,
  rampUpMs: number,
  delayMs = 100,
  workers = 1,
) => ({
  kind: 'fan-out' as const,
  name:
    `fan-out ${teachers}×${students}${delayMs === 100 ? '' : ` @${delayMs}ms`}` +
    (workers > 1 ? ` (${workers} gen)` : ''),
  teachers,
  students,
  delayMs,
  durationS,
  rampUpMs,
  workers,
});

const yjsFanOut = (...args: Parameters<typeof fanOut>) => {
  const s = fanOut(...args);
  return { ...s, kind: 'yjs-fan-out' as const, name: `yjs ${s.name}` };
};

/** Zwibbler fan-out with the clients spread over hubs sharing Redis (and a single hub for reference). */
const crossHub = (...args: Parameters<typeof fanOut>) => {
  const s = fanOut(...args);
  return { ...s, kind: 'cross-hub' as const, name: `cross-hub ${s.name.slice('fan-out '.length)}` };
};

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
  // The same two with the generator in 2 processes (server/loadtest/workers.ts), so that
  // it is not what limits them.
  fanOut(10, 2000, 20, 3000, 100, 2),
  fanOut(10, 2000, 20, 3000, 1000, 2),
  idle(1000, 10, 3000),
  idle(10_000, 15, 6000),
  // Each simulated Yjs client holds a Y.Doc and applies every update, so the one generator
  // process applies (T × 10/s) × (T + S) updates/s: 21,000 at 10×200. At 10×500 and 100 ms
  // (51,000/s) it fell so far behind that clients could not even finish joining.
  yjsFanOut(2, 50, 20, 3000),
  yjsFanOut(5, 200, 20, 3000),
  yjsFanOut(10, 200, 20, 3000),
  yjsFanOut(10, 500, 20, 3000, 1000),
  crossHub(10, 500, 20, 3000),
  crossHub(10, 2000, 20, 3000, 1000),
];

/** `npm run bench -- --quick`: a smoke test of every path, well under 2 minutes. */
export const QUICK: Scenario[] = [
  fanOut(2, 50, 4, 1000),
  fanOut(2, 50, 4, 1000, 100, 2),
  idle(500, 3, 1000),
  yjsFanOut(2, 20, 4, 1000),
  crossHub(2, 30, 4, 1000),
];
