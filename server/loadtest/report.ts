// What a run reports: a snapshot every tick, and the summary at the end. The
// summary is also the `--json` output; its shape is documented in
// docs/loadtest.md#json-summary.
import type { Metrics } from './metrics';
import type { LoadTestOptions } from './options';
import type { LatencyStats } from './stats';

export interface SnapshotErrors {
  /** ERROR messages, and appends refused for lack of write permission. */
  server: number;
  /** Messages of a type the client does not expect (keys, broadcasts…), or undecodable. */
  unexpected: number;
  /** Appends that skipped bytes a client never received. */
  gaps: number;
}

export interface Snapshot {
  elapsedS: number;
  connections: {
    /** Open now. */
    open: number;
    /** Open and past the initial load. */
    joined: number;
    /** teachers + students. */
    target: number;
    peak: number;
    connects: number;
    /** Connections the server dropped or closed. */
    disconnects: number;
    failedDials: number;
  };
  docLength: number;
  changes: {
    sent: number;
    acked: number;
    conflicts: number;
    resent: number;
    unconfirmed: number;
    /** ACKed changes per second: over the last tick in a snapshot, over the run in the summary. */
    perSecond: number;
  };
  delivered: {
    /** Live APPENDs received by all clients (initial loads excluded). */
    appends: number;
    perSecond: number;
  };
  /** Seconds from start at which the latency statistics begin (see statsFrom). */
  statsSinceS: number;
  /** null until the first sample. */
  screenToScreenMs: LatencyStats | null;
  errors: SnapshotErrors;
}

export interface GeneratorLoad {
  /** CPU time (user + system) of this process during the run. */
  cpuS: number;
  /** cpuS over elapsed time: 100 = one core saturated. */
  cpuPercent: number;
  /** Event-loop delay of this process: high values mean the tester itself is the bottleneck. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /**
   * With --workers: each worker's own load. The fields above are then the
   * busiest worker's (CPU seconds: all of them and the parent's together).
   */
  workers?: GeneratorLoad[];
}

export interface Summary extends Snapshot {
  target: {
    url: string;
    docId: string;
    teachers: number;
    students: number;
    delayMs: number;
    length: number;
    durationS: number | null;
  };
  stoppedBy: 'duration' | 'signal';
  errors: SnapshotErrors & {
    /** Clients still short of the final document when the run ended. */
    behind: number;
  };
  generator: GeneratorLoad;
}

export interface Rates {
  changesPerSecond: number;
  deliveredPerSecond: number;
}

export function snapshot(
  m: Metrics,
  target: number,
  elapsedS: number,
  statsSinceS: number,
  rates: Rates,
): Snapshot {
  return {
    elapsedS: round(elapsedS, 3),
    connections: {
      open: m.open,
      joined: m.joined,
      target,
      peak: m.peakOpen,
      connects: m.connects,
      disconnects: m.disconnects,
      failedDials: m.failedDials,
    },
    docLength: m.docLength,
    changes: {
      sent: m.sent,
      acked: m.acked,
      conflicts: m.conflicts,
      resent: m.resent,
      unconfirmed: m.unconfirmed,
      perSecond: rates.changesPerSecond,
    },
    delivered: { appends: m.delivered, perSecond: rates.deliveredPerSecond },
    statsSinceS: round(statsSinceS, 3),
    screenToScreenMs: m.latency.stats(),
    errors: { server: m.serverErrors, unexpected: m.unexpected, gaps: m.gaps },
  };
}

/** What the summary's `target` says of the run. */
export type RunTarget = Pick<
  LoadTestOptions,
  'url' | 'docId' | 'teachers' | 'students' | 'delayMs' | 'length' | 'durationS'
>;

export function summary(
  snap: Snapshot,
  o: RunTarget,
  stoppedBy: Summary['stoppedBy'],
  behind: number,
  generator: GeneratorLoad,
): Summary {
  return {
    target: {
      url: o.url,
      docId: o.docId,
      teachers: o.teachers,
      students: o.students,
      delayMs: o.delayMs,
      length: o.length,
      durationS: o.durationS ?? null,
    },
    stoppedBy,
    ...snap,
    errors: { ...snap.errors, behind },
    generator,
  };
}

export const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
