// A run's clock: a snapshot of the metrics every tick, with rates over the last
// tick, and the latency statistics restarted once every client has joined when
// the run measures the steady state ('all-connected'). Shared by the load tester
// and the benchmark's other generators.
import { performance } from 'node:perf_hooks';
import type { Metrics } from './metrics';
import type { LoadTestOptions } from './options';
import { snapshot } from './report';
import type { Snapshot } from './report';
import { RateMeter } from './stats';

export interface Ticker {
  /** Seconds since the ticker started. */
  elapsedS(): number;
  /** Stops ticking; the final snapshot has its rates averaged over the whole run. */
  stop(): Snapshot;
}

export function startTicker(
  metrics: Metrics,
  target: number,
  options: Pick<LoadTestOptions, 'tickMs' | 'statsFrom'>,
  onTick?: (s: Snapshot) => void,
): Ticker {
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  let statsSinceS = 0;
  let statsReset = options.statsFrom === 'start';
  const changeRate = new RateMeter(started);
  const deliveryRate = new RateMeter(started);
  const tick = () => {
    if (!statsReset && metrics.joined === target) {
      statsReset = true;
      statsSinceS = elapsedS();
      metrics.latency.reset();
    }
    const t = performance.now();
    onTick?.(
      snapshot(metrics, target, elapsedS(), statsSinceS, {
        changesPerSecond: changeRate.rate(metrics.acked, t),
        deliveredPerSecond: deliveryRate.rate(metrics.delivered, t),
      }),
    );
  };
  const timer = setInterval(tick, options.tickMs);
  return {
    elapsedS,
    stop() {
      clearInterval(timer);
      const elapsed = elapsedS();
      return snapshot(metrics, target, elapsed, statsSinceS, {
        changesPerSecond: elapsed > 0 ? Math.round(metrics.acked / elapsed) : 0,
        deliveredPerSecond: elapsed > 0 ? Math.round(metrics.delivered / elapsed) : 0,
      });
    },
  };
}
