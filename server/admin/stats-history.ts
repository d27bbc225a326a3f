// One sample of the hub's load per second, the last hour of them kept for the
// dashboard's chart, and each new one handed to the live event streams; and
// one per minute for the last day (each minute's highest counts, mean rates).
// Both rings are fixed in size: 3600 + 1440 samples at most.
import type { EndpointTraffic } from '../transport/traffic';
import type { HistoryRange, StatsSample } from './api-types';

export interface StatsSource {
  traffic(): ReadonlyMap<string, EndpointTraffic>;
  registry(): { clients: number; rooms: number };
}

const HOUR_OF_SECONDS = 3600;
const DAY_OF_MINUTES = 1440;
const SECONDS_PER_MINUTE = 60;

/** A minute's samples as one: the highest counts, the mean rates, the minute's first time. */
export function mergeSamples(samples: readonly StatsSample[]): StatsSample {
  const max = (k: 'connections' | 'clients' | 'sessions') => Math.max(...samples.map((s) => s[k]));
  const mean = (
    k: 'messagesInPerSecond' | 'messagesOutPerSecond' | 'bytesInPerSecond' | 'bytesOutPerSecond',
  ) => Math.round(samples.reduce((sum, s) => sum + s[k], 0) / samples.length);
  return {
    t: samples[0]!.t,
    connections: max('connections'),
    clients: max('clients'),
    sessions: max('sessions'),
    messagesInPerSecond: mean('messagesInPerSecond'),
    messagesOutPerSecond: mean('messagesOutPerSecond'),
    bytesInPerSecond: mean('bytesInPerSecond'),
    bytesOutPerSecond: mean('bytesOutPerSecond'),
  };
}

function totals(source: StatsSource) {
  const t = { connections: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  for (const e of source.traffic().values()) {
    t.connections += e.connections;
    t.messagesIn += e.messagesIn;
    t.messagesOut += e.messagesOut;
    t.bytesIn += e.bytesIn;
    t.bytesOut += e.bytesOut;
  }
  return t;
}

export class StatsHistory {
  private readonly samples: StatsSample[] = [];
  private readonly minutes: StatsSample[] = [];
  private thisMinute: StatsSample[] = [];
  private readonly listeners = new Set<(s: StatsSample) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: ReturnType<typeof totals> | undefined;
  private lastAt = 0;

  constructor(
    private readonly source: StatsSource,
    private readonly capacity = HOUR_OF_SECONDS,
    private readonly minuteCapacity = DAY_OF_MINUTES,
  ) {}

  start(intervalMs = 1000): void {
    this.last = totals(this.source);
    this.lastAt = Date.now();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  /** Oldest first. */
  recent(): StatsSample[] {
    return [...this.samples];
  }

  /** The samples of a chart range, oldest first, and the seconds between them. */
  range(range: HistoryRange): { step: number; samples: StatsSample[] } {
    if (range === '5m') return { step: 1, samples: this.samples.slice(-300) };
    if (range === '1h') return { step: 1, samples: this.recent() };
    const partial = this.thisMinute.length > 0 ? [mergeSamples(this.thisMinute)] : [];
    return { step: SECONDS_PER_MINUTE, samples: [...this.minutes, ...partial] };
  }

  onSample(listener: (s: StatsSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  sample(): StatsSample {
    const now = Date.now();
    const current = totals(this.source);
    const prev = this.last ?? current;
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const rate = (a: number, b: number) => Math.max(0, Math.round((a - b) / seconds));
    const { clients, rooms } = this.source.registry();
    const s: StatsSample = {
      t: now,
      connections: current.connections,
      clients,
      sessions: rooms,
      messagesInPerSecond: rate(current.messagesIn, prev.messagesIn),
      messagesOutPerSecond: rate(current.messagesOut, prev.messagesOut),
      bytesInPerSecond: rate(current.bytesIn, prev.bytesIn),
      bytesOutPerSecond: rate(current.bytesOut, prev.bytesOut),
    };
    this.last = current;
    this.lastAt = now;
    this.samples.push(s);
    if (this.samples.length > this.capacity) this.samples.shift();
    this.thisMinute.push(s);
    if (this.thisMinute.length >= SECONDS_PER_MINUTE) {
      this.minutes.push(mergeSamples(this.thisMinute));
      if (this.minutes.length > this.minuteCapacity) this.minutes.shift();
      this.thisMinute = [];
    }
    for (const listener of this.listeners) listener(s);
    return s;
  }
}
