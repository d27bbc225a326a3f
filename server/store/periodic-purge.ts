// Expiration for the stores beside the document store (workspaces, Yjs rooms):
// `purge(cutoff)` runs at start and then on the hub's sweep interval
// (ExpirationSweepSeconds), and deletes what nobody has used since `cutoff`.
import type { HubConfig } from '../config/schema';
import { defaultSweepSeconds } from './expiry-sweeper';

export interface PeriodicPurge {
  /** Stops the timer and waits for a purge in progress. */
  stop(): Promise<void>;
}

export function startPeriodicPurge(
  config: HubConfig,
  now: () => number,
  purge: (cutoff: number) => Promise<void>,
): PeriodicPurge {
  if (config.Expiration === 'never') return { stop: async () => undefined };
  const expirationMs = config.Expiration * 1000;
  const seconds = config.ExpirationSweepSeconds || defaultSweepSeconds(config.Expiration);
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(() => purge(now() - expirationMs));
  };
  run();
  const timer = setInterval(run, seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
