// The hub's old address, kept answering for a while after a restart moved the
// hub to another port or address, so that nobody is left waiting on it:
//   - a WebSocket upgrade is accepted and closed at once with 4308 and the new
//     base URL as the reason (a browser cannot read a refused upgrade's
//     answer, but it reads a close reason);
//   - POST /api/moved/handoff turns a board's member token into a one-time
//     code for its page at the new origin (handoffs.ts);
//   - `/api/…` answers 410 with the new address in JSON, a page asked for as
//     HTML gets a short page that names it and goes there (a class board's
//     page handing its member token over first), anything else a 307 to the
//     same path there.
// It names only addresses the hub serves (targets.ts), and reads nothing but
// small JSON bodies; it closes by itself after `graceMs`.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from '../transport/ws';
import type { Logger } from '../log/logger';
import { clampReason, CloseCode } from '../transport/close-codes';
import { HttpError, send, sendJson } from '../transport/reply';
import { HandoffError } from './handoffs';
import { postedJson } from './json-post';
import type { Handoffs } from './handoffs';
import type { MovedTargets } from './targets';

/** Ten minutes: a lesson's break, a laptop lid closed and opened, a slow tablet waking up. */
export const MOVED_GRACE_MS = 10 * 60_000;
export const HANDOFF_PATH = '/api/moved/handoff';
const MAX_BODY_BYTES = 4096;
/** Enough for a class; past it new connections wait in the kernel's queue. */
const MAX_CONNECTIONS = 512;

export interface MovedListenerOptions {
  bindAddress: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  targets: MovedTargets;
  handoffs: Handoffs;
  log: Logger;
  graceMs?: number;
}

export interface MovedListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** Listens on the old address; undefined when it cannot (taken meanwhile: said in the log). */
export async function openMovedListener(
  o: MovedListenerOptions,
): Promise<MovedListener | undefined> {
  const log = o.log.child({ component: 'moved' });
  const serverOptions: http.ServerOptions = { requestTimeout: 10_000, headersTimeout: 10_000 };
  const handle = (req: IncomingMessage, res: ServerResponse) =>
    void answer(req, res, o, log).catch((err: Error) => {
      log.warn({ err: err.message, client: req.socket.remoteAddress }, 'moved answer failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  const server = o.tls
    ? https.createServer({ ...serverOptions, cert: o.tls.cert, key: o.tls.key }, handle)
    : http.createServer(serverOptions, handle);
  server.maxConnections = MAX_CONNECTIONS;
  server.keepAliveTimeout = 2000;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 1024,
    perMessageDeflate: false,
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    sockets.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.close(CloseCode.Moved, clampReason(o.targets.targetFor(req.headers.host)));
      setTimeout(() => ws.terminate(), 2000).unref();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.bindAddress || undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    log.warn(
      { err: (err as Error).message, port: o.port },
      'the old address cannot answer for the moved hub; open boards must be pointed at the new one',
    );
    return undefined;
  }
  const address = server.address() as AddressInfo;
  log.info(
    {
      port: address.port,
      to: o.targets.urls[0],
      forSeconds: Math.round((o.graceMs ?? MOVED_GRACE_MS) / 1000),
    },
    'the old address says where the hub moved',
  );
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.close(() => resolve());
      server.closeAllConnections();
      log.info({ port: address.port }, 'the old address stopped answering');
    }));
  const timer = setTimeout(() => void close(), o.graceMs ?? MOVED_GRACE_MS);
  timer.unref();
  return { address, close };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  o: MovedListenerOptions,
  log: Logger,
): Promise<void> {
  const target = o.targets.targetFor(req.headers.host);
  const url = new URL(req.url ?? '/', 'http://moved.invalid');
  const headers = { 'X-Lanboard-Moved': target };
  if (url.pathname === HANDOFF_PATH) return handoff(req, res, o, log, target);
  if (url.pathname.includes('/api/')) {
    return sendJson(res, 410, { error: `the hub moved to ${target}`, moved: target }, headers);
  }
  // Glued to the target's origin, never resolved against it: `//elsewhere/` stays a path.
  const there = new URL(`${new URL(target).origin}${url.pathname}${url.search}`).href;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(res, 410, { error: `the hub moved to ${target}`, moved: target }, headers);
  }
  if (/text\/html/.test(req.headers.accept ?? '')) {
    return send(res, 200, 'text/html; charset=utf-8', movedPage(there), {
      ...headers,
      'Content-Security-Policy': MOVED_PAGE_CSP,
      'Referrer-Policy': 'no-referrer',
    });
  }
  send(res, 307, 'text/plain; charset=utf-8', `The hub moved to ${there}\n`, {
    ...headers,
    Location: there,
  });
}

async function handoff(
  req: IncomingMessage,
  res: ServerResponse,
  o: MovedListenerOptions,
  log: Logger,
  target: string,
): Promise<void> {
  const client = req.socket.remoteAddress ?? '';
  try {
    const body = await postedJson(req, MAX_BODY_BYTES);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const code = o.handoffs.create(client, {
      token: auth?.[1],
      name: body?.name,
      writers: body?.writers,
    });
    sendJson(res, 201, { handoff: code, moved: target });
  } catch (err) {
    if (!(err instanceof HttpError) && !(err instanceof HandoffError)) throw err;
    const status = err instanceof HttpError ? err.status : 400;
    log.warn({ client, status, err: err.message }, 'handoff refused');
    sendJson(res, status, { error: err.message }, err instanceof HttpError ? err.headers : {});
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A class board reloaded at the old address: its member token is in this
 * origin's storage, so the page hands it over as the open board does
 * (renderer/board/src/net/moved.ts), then goes on. The same keys as the
 * board's identity.ts. Without a token, or when the handoff fails, it just goes.
 */
const HANDOFF_SCRIPT = `(async () => {
  const link = document.getElementById('to');
  let to = link.href;
  const m = new RegExp('^/board/([^/]+)/?$').exec(location.pathname);
  try {
    const code = m && decodeURIComponent(m[1]);
    const token = code && localStorage.getItem('lanboard.class.' + code + '.token');
    if (token) {
      const reply = await fetch('${HANDOFF_PATH}', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify({
          name: localStorage.getItem('lanboard.name') || '',
          writers: JSON.parse(localStorage.getItem('lanboard.class.' + code + '.writers') || '[]'),
        }),
      });
      if (reply.ok) to += '#handoff=' + encodeURIComponent((await reply.json()).handoff);
    }
  } catch {}
  location.replace(to);
})();`;

const SCRIPT_HASH = crypto.createHash('sha256').update(HANDOFF_SCRIPT).digest('base64');

export const MOVED_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function movedPage(there: string): string {
  const href = escapeHtml(there);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<noscript><meta http-equiv="refresh" content="3; url=${href}" /></noscript>
<title>The hub moved</title>
</head>
<body>
<h1>The hub moved</h1>
<p>It now answers at <a id="to" href="${href}">${href}</a>. This page goes there in a moment.</p>
<script>${HANDOFF_SCRIPT}</script>
</body>
</html>
`;
}
