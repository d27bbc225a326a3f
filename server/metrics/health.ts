// GET /healthz (liveness, the database, and writes failing now) and GET /metrics: public, like a
// load balancer or Prometheus expects, and holding nothing secret.
import type { StorageFaults } from '../hub/storage-faults';
import type { DocumentStore } from '../store/types';
import { sendJson } from '../transport/reply';
import type { HttpRoute } from '../transport/routes';
import { mountedAt } from '../transport/routes';
import type { HubMetrics } from './metrics';

export function healthRoute(
  store: DocumentStore,
  startedAt: () => number,
  faults: StorageFaults,
  /** The integrity check at start, while it goes on in the background. */
  databaseCheck?: { running(): boolean },
): HttpRoute {
  return {
    name: 'healthz',
    path: mountedAt('/healthz'),
    async handle(_req, res) {
      let database: { ok: boolean; kind: string; error?: string };
      const s = store;
      try {
        await s.checkHealth();
        database = { ok: true, kind: s.kind };
      } catch (err) {
        database = { ok: false, kind: s.kind, error: (err as Error).message };
      }
      // A write that failed and is still being retried makes the hub unhealthy too.
      const failing = faults.list();
      const ok = database.ok && failing.length === 0;
      sendJson(res, ok ? 200 : 503, {
        status: ok ? 'ok' : 'error',
        uptimeSeconds: Math.round((Date.now() - startedAt()) / 1000),
        database,
        ...(databaseCheck?.running() ? { databaseCheck: 'running' } : {}),
        ...(failing.length > 0 ? { failedWrites: failing } : {}),
      });
    },
  };
}

export function metricsRoute(metrics: HubMetrics): HttpRoute {
  return {
    name: 'metrics',
    path: mountedAt('/metrics'),
    async handle(_req, res) {
      const { contentType, text } = await metrics.render();
      res.writeHead(200, { 'Content-Type': contentType });
      res.end(text);
    },
  };
}
