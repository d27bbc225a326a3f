// One HTTP(S) server for every protocol
// (docs/architecture.md#one-port-serves-everything): plain requests are
// routed by path, WebSocket upgrades by subprotocol and then path.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Logger } from '../log/logger';
import { WsClientSocket } from './client-socket';
import { CloseCode } from './close-codes';
import { KeepaliveSweeper } from './keepalive';
import type { OriginPolicy } from './origins';
import { parseSubprotocols, pickEndpoint } from './routes';
import type { HttpRoute, RawUpgradeRoute, WebSocketEndpoint } from './routes';
import { emptyTraffic } from './traffic';
import type { EndpointTraffic } from './traffic';

export interface TransportOptions {
  tls?: { cert: Buffer; key: Buffer };
  /** permessage-deflate when the client offers it. */
  compression: boolean;
  /** Largest WebSocket message accepted from a client. */
  maxMessageBytes: number;
  /** Bytes queued for one client before it is cut off as not reading. */
  maxQueuedBytes: number;
  /** Ping interval; a peer silent for a whole interval is dropped. 0 disables. */
  keepaliveMs: number;
  log: Logger;
  /** Browser origins allowed (AllowedOrigins); any when absent. */
  origins?: OriginPolicy;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export class HttpTransport {
  readonly server: http.Server;
  private readonly routes: HttpRoute[] = [];
  private readonly endpoints: WebSocketEndpoint[] = [];
  private readonly rawUpgrades: RawUpgradeRoute[] = [];
  private readonly chosen = new WeakMap<IncomingMessage, string | undefined>();
  /** One WebSocketServer per (compression, message limit): ws fixes both per server. */
  private readonly servers = new Map<string, WebSocketServer>();
  private readonly keepalive: KeepaliveSweeper;
  /** Counters per endpoint name, for the metrics. */
  private readonly traffic = new Map<string, EndpointTraffic>();
  private stopping = false;

  constructor(private readonly options: TransportOptions) {
    this.server = options.tls
      ? https.createServer({ cert: options.tls.cert, key: options.tls.key })
      : http.createServer();
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (err, socket) => {
      options.log.debug({ err: err.message }, 'malformed HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.keepalive = new KeepaliveSweeper(options.keepaliveMs);
  }

  addRoute(route: HttpRoute): void {
    this.routes.push(route);
  }

  addEndpoint(endpoint: WebSocketEndpoint): void {
    this.endpoints.push(endpoint);
  }

  /** Upgrades on this path go, untouched, to a server with its own WebSocket stack (Socket.IO). */
  addRawUpgrade(route: RawUpgradeRoute): void {
    this.rawUpgrades.push(route);
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(new ListenError(describeListenError(err, host, port), err.code));
      };
      const onListening = () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, host);
    });
  }

  /** Messages, bytes and open connections per endpoint name (the protocol). */
  trafficByEndpoint(): ReadonlyMap<string, EndpointTraffic> {
    return this.traffic;
  }

  private endpointTraffic(name: string): EndpointTraffic {
    let t = this.traffic.get(name);
    if (!t) this.traffic.set(name, (t = { ...emptyTraffic(), connections: 0 }));
    return t;
  }

  /** Live WebSocket connections. */
  get connectionCount(): number {
    let count = 0;
    for (const wss of this.servers.values()) count += wss.clients.size;
    return count;
  }

  private webSocketServer(compress: boolean, maxPayload: number): WebSocketServer {
    const key = `${compress}:${maxPayload}`;
    let wss = this.servers.get(key);
    if (!wss) {
      wss = new WebSocketServer({
        noServer: true,
        maxPayload,
        handleProtocols: (_offered: Set<string>, req: IncomingMessage) =>
          this.chosen.get(req) ?? false,
        // As the reference: no context kept between messages, so idle sockets hold no zlib window.
        perMessageDeflate: compress && {
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
          threshold: 256,
        },
      });
      this.servers.set(key, wss);
    }
    return wss;
  }

  /**
   * Stops accepting, sends every WebSocket a close (1001, or 1012 when the hub
   * restarts), and resolves once the server is closed (sockets still open after
   * `graceMs` are dropped).
   */
  async close(graceMs = 3000, code: number = CloseCode.GoingAway): Promise<void> {
    this.stopping = true;
    this.keepalive.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const sockets = [...this.servers.values()].flatMap((wss) => [...wss.clients]);
    await Promise.all(sockets.map((ws) => closeWithin(ws, graceMs, code)));
    this.server.closeAllConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const cors = this.options.origins?.corsHeaders(req.headers.origin);
    if (cors) {
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204).end(); // a preflight: the headers are the answer
        return;
      }
    }
    const url = parseUrl(req);
    const route = url && this.routes.find((r) => r.path.matches(url.pathname));
    if (!url || !route) {
      res.writeHead(url ? 404 : 400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(url ? 'Not found\n' : 'Bad request\n');
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res, url))
      .catch((err: Error) => {
        this.options.log.error({ err: err.message, route: route.name }, 'request handler failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Internal server error\n');
      });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req);
    if (!url) return rejectUpgrade(socket, 400, 'Bad Request');
    if (this.stopping) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (this.options.origins && !this.options.origins.allowsSocket(req.headers.origin)) {
      this.options.log.info({ origin: req.headers.origin }, 'WebSocket from a refused origin');
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    const offered = parseSubprotocols(req.headers['sec-websocket-protocol']);
    // A claimed subprotocol wins over any path, raw upgrades included
    // (docs/architecture.md#one-port-serves-everything).
    const claimed = this.endpoints.some((e) => e.subprotocols?.some((p) => offered.has(p)));
    const raw = !claimed && this.rawUpgrades.find((r) => r.path.matches(url.pathname));
    if (raw) return raw.handle(req, socket, head);
    const endpoint = pickEndpoint(this.endpoints, url.pathname, offered);
    if (!endpoint) return rejectUpgrade(socket, 404, 'Not Found');
    if (endpoint.allowsOrigin && !endpoint.allowsOrigin(req.headers.origin, req)) {
      this.options.log.info(
        { origin: req.headers.origin, endpoint: endpoint.name },
        'WebSocket from a refused origin',
      );
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    const subprotocol = endpoint.selectSubprotocol?.(offered);
    this.chosen.set(req, subprotocol);
    const compress = this.options.compression && (endpoint.allowsCompression?.(url) ?? true);
    const wss = this.webSocketServer(
      compress,
      endpoint.maxMessageBytes ?? this.options.maxMessageBytes,
    );
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remoteAddress = normalizeAddress(req.socket.remoteAddress);
      const client = new WsClientSocket(ws, remoteAddress, {
        maxQueuedBytes: this.options.maxQueuedBytes,
        keepalive: this.keepalive,
        log: this.options.log,
        totals: this.endpointTraffic(endpoint.name),
      });
      try {
        client.attach(endpoint.accept(client, req, { url, remoteAddress, subprotocol }));
      } catch (err) {
        this.options.log.error({ err: (err as Error).message }, 'endpoint failed to accept');
        ws.close(CloseCode.InternalError, 'internal error');
      }
    });
  }
}

function parseUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://hub.invalid');
  } catch {
    return undefined;
  }
}

export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  } else socket.destroy();
}

function closeWithin(ws: WebSocket, graceMs: number, code: number): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(
      code,
      code === CloseCode.ServiceRestart ? 'server restarting' : 'server shutting down',
    );
  });
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use; stop the other program or choose another port (ServerPort= or --port)`;
    case 'EACCES':
      return `no permission to listen on port ${port} on ${host}; ports below 1024 need privileges (ServerPort= or --port)`;
    case 'EADDRNOTAVAIL':
      return `address ${host} is not on this machine (ServerBindAddress= or --host)`;
    default:
      return `cannot listen on ${host}:${port}: ${err.message}`;
  }
}
