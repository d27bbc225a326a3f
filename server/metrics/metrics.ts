// GET /metrics: Prometheus text (prom-client) from a registry of this hub's
// own, so that several hubs in one process (tests, the desktop app restarting
// its hub) never share or collide. Values are read when scraped: the hot paths
// only bump plain counters (transport/traffic.ts, the store timing below), so
// prom-client is loaded at the first scrape, not at start, and still reports
// everything since the start (docs/architecture.md#startup-loads-what-is-used).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Registry } from 'prom-client';
import { OperationTimes } from './operation-times';
import type { SessionRegistry } from '../hub/registry';
import type { LimitHits } from '../transport/limit-hits';
import type { EndpointTraffic } from '../transport/traffic';

export interface MetricsSources {
  registry: SessionRegistry;
  traffic(): ReadonlyMap<string, EndpointTraffic>;
  /** Refusals by the budgets (docs/operating.md#budgets). */
  limitHits?: LimitHits;
}

/** Read from the transport's per-endpoint counters (the endpoint name is the protocol). */
const PER_ENDPOINT: [string, string, keyof EndpointTraffic, 'counter' | 'gauge'][] = [
  ['lanboard_connections', 'Open WebSocket connections.', 'connections', 'gauge'],
  [
    'lanboard_messages_received_total',
    'WebSocket messages received from clients.',
    'messagesIn',
    'counter',
  ],
  ['lanboard_messages_sent_total', 'Protocol messages sent to clients.', 'messagesOut', 'counter'],
  ['lanboard_received_bytes_total', 'Bytes received from clients.', 'bytesIn', 'counter'],
  ['lanboard_sent_bytes_total', 'Bytes sent to clients.', 'bytesOut', 'counter'],
];

export class HubMetrics {
  /** How long each DocumentStore call took (store-timing.ts). */
  readonly storeTimes = new OperationTimes(
    'lanboard_store_operation_seconds',
    'Time the document store took per operation.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  /** Appends refused because another client wrote first (store-timing.ts). */
  appendConflicts = 0;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private registry: Promise<Registry> | undefined;

  constructor(private readonly sources: MetricsSources) {}

  /** Everything as Prometheus text; the first call loads prom-client. */
  async render(): Promise<{ contentType: string; text: string }> {
    this.registry ??= import('prom-client').then((prom) => this.build(prom));
    const registry = await this.registry;
    // The store histogram comes from plain counts, after prom-client's metrics.
    const text = `${await registry.metrics()}\n${this.storeTimes.text()}`;
    return { contentType: registry.contentType, text };
  }

  private build(prom: typeof PromClient): Registry {
    const { Counter, Gauge, Registry } = prom;
    const { sources } = this;
    const registry = new Registry();
    const registers = [registry];
    for (const [name, help, field, type] of PER_ENDPOINT) {
      const collect = function (this: Counter<'protocol'> | Gauge<'protocol'>) {
        this.reset();
        for (const [protocol, t] of sources.traffic()) {
          if (type === 'counter') (this as Counter<'protocol'>).inc({ protocol }, t[field]);
          else (this as Gauge<'protocol'>).set({ protocol }, t[field]);
        }
      };
      const config = { name, help, labelNames: ['protocol'] as const, registers, collect };
      if (type === 'counter') new Counter(config);
      else new Gauge(config);
    }

    const perProtocol = (name: string, help: string, pick: 'rooms' | 'clients') =>
      new Gauge({
        name,
        help,
        labelNames: ['protocol'] as const,
        registers,
        collect() {
          this.reset();
          for (const [protocol, s] of Object.entries(sources.registry.stats().byProtocol)) {
            this.set({ protocol }, s[pick]);
          }
        },
      });
    perProtocol('lanboard_sessions', 'Live sessions (documents, rooms, topics).', 'rooms');
    perProtocol('lanboard_clients', 'Clients joined to a session.', 'clients');

    new Counter({
      name: 'lanboard_limit_hits_total',
      help: 'Clients refused or closed by a budget, by the setting that set it.',
      labelNames: ['limit'] as const,
      registers,
      collect() {
        this.reset();
        for (const [limit, count] of sources.limitHits?.entries() ?? []) this.inc({ limit }, count);
      },
    });
    const conflicts = () => this.appendConflicts;
    new Counter({
      name: 'lanboard_append_conflicts_total',
      help: 'Appends refused because another client wrote first.',
      registers,
      collect() {
        this.reset();
        this.inc(conflicts());
      },
    });
    const loopDelay = this.loopDelay;
    new Gauge({
      name: 'lanboard_event_loop_lag_seconds',
      help: 'Event-loop delay since the last scrape.',
      labelNames: ['quantile'] as const,
      registers,
      collect() {
        // Nanoseconds; NaN until the first sample.
        const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: '0.5' }, s(loopDelay.percentile(50)));
        this.set({ quantile: '0.99' }, s(loopDelay.percentile(99)));
        this.set({ quantile: '1' }, s(loopDelay.max));
        loopDelay.reset();
      },
    });
    return registry;
  }

  start(): void {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }
}
