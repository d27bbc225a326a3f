// Mounts the Zwibbler protocol on the hub: the WebSocket endpoint, and on the
// same path the status text, `?ping` and the management API's POST (§2.1, §11.6).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger';
import type { DocumentStore } from '../../store/types';
import { mountedAt } from '../../transport/routes';
import type { HttpRoute, WebSocketEndpoint } from '../../transport/routes';
import { ZwibblerSession } from './session';
import type { ZwibblerContext } from './session';

export const STATUS_TEXT = 'Zwibbler collaboration Server is running.';

/** Management methods of the reference; they answer 401 until credentials are configured (§11.1). */
const MANAGEMENT_METHODS = new Set([
  'createDocument',
  'deleteDocument',
  'dumpDocument',
  'checkDocument',
  'addToken',
  'updateUser',
]);

export function zwibblerEndpoint(path: string, ctx: ZwibblerContext): WebSocketEndpoint {
  return {
    name: 'zwibbler',
    path: mountedAt(path),
    // `?compression=0` on the upgrade URL turns permessage-deflate off, as in the reference.
    allowsCompression: (url) => url.searchParams.get('compression') !== '0',
    accept: (socket) => new ZwibblerSession(socket, ctx),
  };
}

export function zwibblerHttpRoute(path: string, store: DocumentStore, log: Logger): HttpRoute {
  return {
    name: 'zwibbler',
    path: mountedAt(path),
    async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
      if (req.method === 'POST') return managementNotConfigured(req, res, url);
      if (req.method === 'GET' && url.searchParams.has('ping')) {
        try {
          await store.checkHealth();
        } catch (err) {
          log.error({ err: (err as Error).message }, 'database health check failed');
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Database health check failed\n');
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

/** Until the management API is configured, answer as an unconfigured reference does. */
async function managementNotConfigured(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  let method = url.searchParams.get('method');
  if (!method) method = await formMethod(req);
  const known = method !== null && MANAGEMENT_METHODS.has(method);
  res.writeHead(known ? 401 : 400, {
    Status: known ? 'Unauthorized' : "Unknown 'method' parameter",
    'Content-Length': 0,
  });
  res.end();
}

/** Reads `method` from a small urlencoded body; larger bodies are not read. */
async function formMethod(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('method');
}
