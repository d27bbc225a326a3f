// The load generator's own load: its CPU time and event-loop delay over a run.
// When either is high, the generator, not the server, is the bottleneck. Shared
// by the load tester and the benchmark's other generators.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './report';
import type { GeneratorLoad } from './report';

/** The event-loop delay monitor's timer period; it is subtracted from what it reports. */
const LOOP_RESOLUTION_MS = 10;

/** Starts measuring now; `stop` returns the load over `elapsedS` seconds of run. */
export function measureGeneratorLoad(): { stop(elapsedS: number): GeneratorLoad } {
  const cpuAtStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  return {
    stop(elapsedS) {
      loopDelay.disable();
      const cpu = process.cpuUsage(cpuAtStart);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      // The monitor records whole timer periods; what matters is the lateness beyond one.
      const ms = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 1);
      return {
        cpuS: round(cpuS, 2),
        cpuPercent: elapsedS > 0 ? Math.round((cpuS / elapsedS) * 100) : 0,
        eventLoopDelayMs: {
          p50: ms(loopDelay.percentile(50)),
          p99: ms(loopDelay.percentile(99)),
          max: ms(loopDelay.max),
        },
      };
    },
  };
}
