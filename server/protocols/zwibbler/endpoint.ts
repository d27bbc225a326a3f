// The Zwibbler protocol's two routes on one path: the WebSocket endpoint, and
// the HTTP side: status text, `?ping` and the management API's POST
// (docs/protocols/zwibbler.md#http-requests-on-the-zwibbler-path).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger';
import type { StorageFaults } from '../../hub/storage-faults';
import type { DocumentStore } from '../../store/types';
import type { ManagementApi } from './management/api';
import { normalizeAddress } from '../../transport/address';
import { mountedAt } from '../../transport/routes';
import type { HttpRoute, WebSocketEndpoint } from '../../transport/routes';
import { ZwibblerSession } from './session';
import type { ZwibblerContext } from './session';

export const STATUS_TEXT = 'Zwibbler collaboration Server is running.';

export function zwibblerEndpoint(path: string, ctx: ZwibblerContext): WebSocketEndpoint {
  return {
    name: 'zwibbler',
    path: mountedAt(path),
    // `?compression=0` on the upgrade URL turns permessage-deflate off, as in the reference.
    allowsCompression: (url) => url.searchParams.get('compression') !== '0',
    accept: (socket) => new ZwibblerSession(socket, ctx),
  };
}

export interface ZwibblerHttpOptions {
  store: DocumentStore;
  /** Writes failing now: `?ping` answers 503 with them, as /healthz does. */
  faults: StorageFaults;
  management: ManagementApi;
  log: Logger;
}

export function zwibblerHttpRoute(path: string, o: ZwibblerHttpOptions): HttpRoute {
  return {
    name: 'zwibbler',
    path: mountedAt(path),
    async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
      if (req.method === 'POST') {
        return o.management.handle(req, res, url, normalizeAddress(req.socket.remoteAddress));
      }
      if (req.method === 'GET' && url.searchParams.has('ping')) {
        try {
          await o.store.checkHealth();
        } catch (err) {
          o.log.error({ err: (err as Error).message }, 'database health check failed');
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Database health check failed\n');
          return;
        }
        const failing = o.faults.list();
        if (failing.length > 0) {
          res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`Storage failing: ${failing.map((f) => `${f.what}: ${f.reason}`).join('; ')}\n`);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text' });
        res.end('OK');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text' });
      res.end(req.method === 'HEAD' ? undefined : STATUS_TEXT);
    },
  };
}
