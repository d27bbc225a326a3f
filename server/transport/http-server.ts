// One HTTP(S) server for every protocol
// (docs/architecture.md#one-port-serves-everything): plain requests are
// routed by path, WebSocket upgrades by subprotocol and then path.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from './ws';
import type { WebSocket } from './ws';
import type { Logger } from '../log/logger';
import { normalizeAddress } from './address';
import { WsClientSocket } from './client-socket';
import type { InboundBudget } from './client-socket';
import { clampReason, CloseCode } from './close-codes';
import { ConnectionLimits } from './connection-limits';
import { flushFramesOf } from './frame-writer';
import type { ConnectionLimitOptions, ConnectionRefusal } from './connection-limits';
import { KeepaliveSweeper } from './keepalive';
import type { LimitHits } from './limit-hits';
import { AddressLimiter } from './rate-limit';
import { RefusalLog, retryAfterSeconds } from './refusals';
import { setBodyDeadline } from './reply';
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
  /** What one WebSocket may send, counted after decompression; unbounded when absent. */
  inbound?: InboundBudget;
  /** What the WebSockets of one address may send together; unbounded when absent. */
  inboundPerAddress?: InboundBudget;
  /** Where the transport counts hits of its limits (/metrics). */
  limitHits?: LimitHits;
  /** Ping interval; a peer silent for a whole interval is dropped. 0 disables. */
  keepaliveMs: number;
  log: Logger;
  /** Browser origins allowed (AllowedOrigins); any when absent. */
  origins?: OriginPolicy;
  /** How long a client may take (docs/operating.md#timeouts); Node's own defaults when absent. */
  timeouts?: TransportTimeouts;
  /** Connections per address and in all (docs/operating.md#limits-per-address); none when absent. */
  connections?: ConnectionLimitOptions;
  /** Paths still answered on a connection over a limit: /healthz and the admin API. */
  alwaysServed?(pathname: string): boolean;
}

export interface TransportTimeouts {
  /** A request's headers (and a TLS handshake), from the connection's accept or the request's first byte. */
  headersMs: number;
  /** A whole request, body included. */
  requestMs: number;
  /** A kept-alive connection with no request in flight. */
  idleMs: number;
}

/** How often Node looks for requests past their timeouts: a timeout lands at most this late. */
const TIMEOUT_CHECK_MS = 1000;
/** Messages smaller than this are never deflated (ws' permessage-deflate threshold). */
const COMPRESS_FROM_BYTES = 256;

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
  private readonly limits: ConnectionLimits | undefined;
  private readonly refusalLog: RefusalLog;
  /** What each address's WebSockets have left to send, together (InboundAddressBurstBytes). */
  private readonly addressInbound: AddressLimiter | undefined;
  /** Completes the handshakes of WebSockets refused over a limit, to close them with a reason. */
  private refusedSockets: WebSocketServer | undefined;
  private stopping = false;

  constructor(private readonly options: TransportOptions) {
    this.server = createServer(options);
    this.refusalLog = new RefusalLog(options.log);
    const perAddress = options.inboundPerAddress;
    this.addressInbound =
      perAddress &&
      new AddressLimiter({ burst: perAddress.burstBytes, perSecond: perAddress.bytesPerSecond });
    if (options.connections) {
      this.limits = new ConnectionLimits(options.connections, options.log);
      this.limits.attach(this.server);
    }
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      if (timedOut) {
        const remote = normalizeAddress((socket as Partial<net.Socket>).remoteAddress);
        this.refusalLog.note(
          remote,
          'request cut: too slow (HeadersTimeoutSeconds, RequestTimeoutSeconds)',
        );
      } else options.log.debug({ err: err.message }, 'malformed HTTP request');
      const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
      // Destroyed once the reply is out: Node no longer reads this socket, so it
      // would never see the client's FIN and would hold the descriptor for good.
      const reply = `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`;
      if (socket.writable) socket.end(reply, () => socket.destroy());
      else socket.destroy();
    });
    this.keepalive = new KeepaliveSweeper(options.keepaliveMs);
  }

  /** Connections admitted, and connections kept only to be refused (none without limits). */
  get connectionCounts(): { admitted: number; refused: number } {
    return this.limits?.counts ?? { admitted: 0, refused: 0 };
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
          threshold: COMPRESS_FROM_BYTES,
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
    const url = parseUrl(req);
    const refusal = this.limits?.refusalOf(req.socket);
    if (refusal) {
      res.shouldKeepAlive = false; // a connection over a limit answers once
      if (!url || !this.options.alwaysServed?.(url.pathname)) {
        res.writeHead(refusal.status, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Retry-After': retryAfterSeconds(refusal.retryAfterMs),
        });
        res.end(`${refusal.reason}; try again later\n`);
        return;
      }
    }
    if (this.options.timeouts) this.setDeadline(req, res);
    const cors = this.options.origins?.corsHeaders(req.headers.origin);
    if (cors) {
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204).end(); // a preflight: the headers are the answer
        return;
      }
    }
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
    const refusal = this.limits?.refusalOf(req.socket);
    if (refusal) return this.refuseWebSocket(req, socket, head, refusal);
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
    if (endpoint.requiresSubprotocol && !subprotocol) {
      const remote = normalizeAddress(req.socket.remoteAddress);
      this.refusalLog.note(remote, 'WebSocket without its subprotocol', {
        endpoint: endpoint.name,
      });
      return rejectUpgrade(socket, 400, 'Unknown protocol');
    }
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
        inbound: this.options.inbound,
        addressInbound: this.addressInbound,
        messageLimit: endpoint.maxMessageSetting ?? 'MaxMessageBytes',
        limitHits: this.options.limitHits,
        compressFromBytes: COMPRESS_FROM_BYTES,
      });
      try {
        client.attach(endpoint.accept(client, req, { url, remoteAddress, subprotocol }));
      } catch (err) {
        this.options.log.error({ err: (err as Error).message }, 'endpoint failed to accept');
        ws.close(CloseCode.InternalError, 'internal error');
      }
    });
  }

  /** A body not in by RequestTimeoutSeconds is given up (readBody's 408), and logged. */
  private setDeadline(req: IncomingMessage, res: ServerResponse): void {
    setBodyDeadline(req, Date.now() + this.options.timeouts!.requestMs);
    if (req.headers['content-length'] === undefined && !req.headers['transfer-encoding']) return;
    res.once('finish', () => {
      if (res.statusCode !== 408) return;
      const remote = normalizeAddress(req.socket.remoteAddress);
      this.refusalLog.note(remote, 'request cut: body too slow (RequestTimeoutSeconds)');
    });
  }

  /**
   * A WebSocket over a connection limit: the handshake completes so that the
   * client reads why (1013, try again later), which a refused upgrade cannot tell a browser.
   */
  private refuseWebSocket(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    refusal: ConnectionRefusal,
  ): void {
    this.refusedSockets ??= new WebSocketServer({
      noServer: true,
      maxPayload: 1024,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => offered.values().next().value ?? false,
    });
    this.refusedSockets.handleUpgrade(req, socket, head, (ws) => {
      const wait = retryAfterSeconds(refusal.retryAfterMs);
      ws.close(CloseCode.TryAgainLater, clampReason(`${refusal.reason}; try again in ${wait} s`));
      setTimeout(() => ws.terminate(), 2000).unref();
    });
  }
}

/** The Node server, with the timeouts when they are set. */
function createServer(options: TransportOptions): http.Server {
  const t = options.timeouts;
  const timeouts: http.ServerOptions = t
    ? {
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
        requestTimeout: t.requestMs,
        // Node refuses a headers timeout longer than the request's.
        headersTimeout: Math.min(t.headersMs, t.requestMs),
      }
    : {};
  const server = options.tls
    ? https.createServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ...timeouts,
        ...(t ? { handshakeTimeout: t.headersMs } : {}),
      })
    : http.createServer(timeouts);
  if (t) server.keepAliveTimeout = t.idleMs;
  return server;
}

function parseUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://hub.invalid');
  } catch {
    return undefined;
  }
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
    flushFramesOf(ws); // what the hub sent before stopping leaves before the close
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
