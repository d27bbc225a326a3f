// The loop of the crash tests that record what clients were told
// (workspaces-crash, classes-crash, zwibbler-records-crash): a child hub on
// one SQLite file is started, everything recorded so far is checked through
// real clients, then writers run until the hub is SIGKILLed, either as the
// k-th reply reaches a client (before the client even records it: the
// narrowest window there is) or at a random moment. Seeded, so that a failing
// run can be repeated with LANBOARD_TEST_SEED.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { spawnHub } from './child-hub';
import type { ChildHub } from './child-hub';
import { prng } from './random';

/** Cycles per test: LANBOARD_CRASH_CYCLES, else a few for CI (`npm run soak` runs 40). */
export const CRASH_CYCLES = Number(process.env.LANBOARD_CRASH_CYCLES ?? 6);

export interface CrashRound {
  hub: ChildHub;
  cycle: number;
  random: () => number;
  /** `cycle N, seed S`: for assertion messages. */
  where: string;
  /** Whether the hub still runs: writers stop once it is false. */
  alive(): boolean;
  /** Call as a reply a client will record arrives, before recording it: may kill the hub. */
  arrived(): void;
}

export interface CrashCycles {
  /** Names the data folder. */
  name: string;
  dir: string;
  /** More CLI arguments and environment for every start. */
  args?: string[];
  env?: Record<string, string>;
  /** After each start: what was recorded but is not there (empty when nothing is lost). */
  check(hub: ChildHub, where: string): Promise<string[]>;
  /** Writes and records until `round.alive()` is false. */
  write(round: CrashRound): Promise<void>;
}

/** Runs CRASH_CYCLES kills; returns how many landed as a reply arrived. */
export async function crashCycles(t: TestContext, o: CrashCycles): Promise<number> {
  const seed = Number(process.env.LANBOARD_TEST_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`seed ${seed}`);
  const random = prng(seed);
  const args = ['--db', path.join(o.dir, `${o.name}.db`), '--data-dir', o.dir, ...(o.args ?? [])];
  let killsOnArrival = 0;
  for (let cycle = 0; cycle <= CRASH_CYCLES; cycle++) {
    const hub = await spawnHub(args, o.env);
    const where = `cycle ${cycle}, seed ${seed}`;
    const lost = await o.check(hub, where);
    assert.deepEqual(lost, [], `what clients were told was lost (${where})`);
    if (cycle === CRASH_CYCLES) {
      await hub.stop('SIGKILL');
      break;
    }
    const onArrival = random() < 0.75;
    const k = 1 + Math.floor(random() * 25);
    let replies = 0;
    const kill = () => hub.child.kill('SIGKILL');
    if (onArrival) killsOnArrival++;
    else setTimeout(kill, 20 + random() * 1500);
    const writing = o.write({
      hub,
      cycle,
      random,
      where,
      alive: () => hub.child.exitCode === null && hub.child.signalCode === null,
      arrived: () => {
        if (onArrival && ++replies === k) kill();
      },
    });
    // Writing stops with the hub; a hub that never reaches k replies is killed anyway.
    const deadline = setTimeout(kill, 10_000);
    await hub.exited;
    clearTimeout(deadline);
    await writing;
    assert.equal(hub.child.signalCode, 'SIGKILL', `the hub died of the kill: ${hub.stderr()}`);
  }
  return killsOnArrival;
}
