// Clients with a source address of their own, so that a test can play an
// attacker and bystanders on one machine: Linux routes all of 127.0.0.0/8 to
// loopback, and a socket bound to 127.0.0.2 reaches the hub from 127.0.0.2.
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on a connection of its own from `localAddress`. */
export function httpFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, localAddress, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * A `fetch` from `localAddress` (or the default address), each request on a
 * connection of its own (for EventSource). `onRequest` sees each request, so a
 * test can reset its connection.
 */
export function fetchFrom(
  localAddress?: string,
  onRequest?: (req: http.ClientRequest) => void,
): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const req = http.request(
        url,
        { method: init?.method ?? 'GET', headers, localAddress, agent: false },
        (res) => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === 'string') out.set(k, v);
          }
          const body = Readable.toWeb(res) as ReadableStream<Uint8Array>;
          resolve(new Response(body, { status: res.statusCode ?? 0, headers: out }));
        },
      );
      onRequest?.(req);
      init?.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      req.on('error', reject);
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}

/** A raw TCP connection from `localAddress`: for idle floods, trickles and keep-alive. */
export class RawConnection {
  private data = '';
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<void>;
  private ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.data += chunk;
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, localAddress: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Sends a GET and reads one response (by Content-Length, or to the close). */
  async get(path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    const lines = Object.entries({ Host: 'hub', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
    this.write(`GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
    return this.response();
  }

  /** The next response on the connection; rejects if none comes within `timeoutMs`. */
  async response(timeoutMs = 10_000): Promise<HttpReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.take();
      if (reply) return reply;
      if (this.ended) throw new Error(`connection closed without a response: ${this.data}`);
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((resolve) => {
        const wake = () => resolve();
        this.waiters.add(wake);
        setTimeout(() => {
          this.waiters.delete(wake);
          resolve();
        }, 50);
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private take(): HttpReply | undefined {
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine = '', ...headerLines] = this.data.slice(0, end).split('\r\n');
    const headers: http.IncomingHttpHeaders = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const rest = this.data.slice(end + 4);
    const status = Number(statusLine.split(' ')[1]);
    if (headers['transfer-encoding'] === 'chunked') {
      const chunked = dechunk(rest);
      if (!chunked) return undefined;
      this.data = rest.slice(chunked.used);
      return { status, headers, text: chunked.text };
    }
    const length = Number(headers['content-length'] ?? NaN);
    if (Number.isNaN(length) && !this.ended) return undefined;
    const bodyLength = Number.isNaN(length) ? rest.length : length;
    if (rest.length < bodyLength) return undefined;
    this.data = rest.slice(bodyLength);
    return { status, headers, text: rest.slice(0, bodyLength) };
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
}

/** A chunked body, once its last chunk is in: the text and the characters it took. */
function dechunk(data: string): { text: string; used: number } | undefined {
  let text = '';
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(data.slice(at, eol), 16);
    if (data.length < eol + 2 + size + 2) return undefined;
    text += data.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
    if (size === 0) return { text, used: at };
  }
}
