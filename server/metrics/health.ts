// GET /healthz (liveness and the database) and GET /metrics: public, like a
// load balancer or Prometheus expects, and holding nothing secret.
import type { DocumentStore } from '../store/types';
import { sendJson } from '../transport/reply';
import type { HttpRoute } from '../transport/routes';
import { mountedAt } from '../transport/routes';
import type { HubMetrics } from './metrics';

export function healthRoute(store: DocumentStore, startedAt: () => number): HttpRoute {
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
      sendJson(res, database.ok ? 200 : 503, {
        status: database.ok ? 'ok' : 'error',
        uptimeSeconds: Math.round((Date.now() - startedAt()) / 1000),
        database,
      });
    },
  };
}

export function metricsRoute(metrics: HubMetrics): HttpRoute {
  return {
    name: 'metrics',
    path: mountedAt('/metrics'),
    async handle(_req, res) {
      const text = await metrics.text();
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
      res.end(text);
    },
  };
}
