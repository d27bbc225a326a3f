// A client for the SSE/HTTP WebRTC signaling tests: the real `eventsource`
// package for the stream, `fetch` for the rest, as a Node port of the
// original's static/load.js would do.
import type { ClientRequest } from 'node:http';
import { EventSource } from 'eventsource';
import { fetchFrom } from './from-address';

export interface Received {
  type: string;
  /** The data parsed as JSON. */
  data: unknown;
  raw: string;
  lastEventId: string;
}

/** Event names the server and the original client use. */
const EVENTS = [
  'connected',
  'add-peer',
  'remove-peer',
  'session-description',
  'ice-candidate',
  'ping',
  'token',
  'kicked',
];

export interface SseClientOptions {
  /** Extra request headers on every (re)connection, such as Last-Event-ID. */
  headers?: Record<string, string>;
  /** Relayed event names to listen for besides the usual ones. */
  events?: string[];
  /** The source address (a device of its own), each (re)connection on a connection of its own. */
  localAddress?: string;
}

export class SseClient {
  readonly es: EventSource;
  readonly received: Received[] = [];
  readonly errors: { code: number | undefined; message: string | undefined }[] = [];
  /** How many times the stream has been opened (reconnections included). */
  opens = 0;
  private readonly consumed = new Set<Received>();
  private waiters: (() => void)[] = [];
  /** The request of the current connection, for drop() and cut(). */
  private current: ClientRequest | undefined;

  constructor(url: string, options: SseClientOptions = {}) {
    const fetchImpl = fetchFrom(options.localAddress, (req) => (this.current = req));
    this.es = new EventSource(url, {
      fetch: (input, init) =>
        fetchImpl(input, { ...init, headers: { ...init?.headers, ...options.headers } }),
    });
    for (const type of [...EVENTS, ...(options.events ?? [])]) {
      this.es.addEventListener(type, (e) => {
        let data: unknown;
        try {
          data = JSON.parse(e.data);
        } catch {
          data = undefined;
        }
        this.received.push({ type, data, raw: e.data, lastEventId: e.lastEventId });
        this.wake();
      });
    }
    this.es.addEventListener('open', () => {
      this.opens++;
      this.wake();
    });
    this.es.addEventListener('error', (e) => {
      this.errors.push({ code: e.code, message: e.message });
      this.wake();
    });
  }

  /** The first event of this type (and matching `filter`) not returned before. */
  async next<T = Record<string, unknown>>(
    type: string,
    filter: (data: T) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<T & { _id: string }> {
    const found = await this.until(
      () =>
        this.received.find((r) => !this.consumed.has(r) && r.type === type && filter(r.data as T)),
      timeoutMs,
      `no ${type} event`,
    );
    this.consumed.add(found);
    return { ...(found.data as T), _id: found.lastEventId };
  }

  /**
   * Resolves once `check` returns something truthy (rejects after timeoutMs).
   * Checked on every event of this client, and every 20 ms for outside state.
   */
  until<T>(
    check: () => T | undefined | false,
    timeoutMs = 10_000,
    what = 'condition not met',
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== attempt);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(() => attempt(), 20);
      const attempt = () => {
        const value = check();
        if (!value) return;
        done();
        resolve(value);
      };
      this.waiters.push(attempt);
      attempt();
    });
  }

  /**
   * Cuts the current connection as a network failure would: a TCP reset, not
   * an orderly close. The client then reconnects with Last-Event-ID.
   */
  drop(): void {
    this.current?.socket?.resetAndDestroy();
  }

  /** As drop(), but the client does not come back (by itself). */
  cut(): void {
    this.drop();
    this.es.close();
  }

  /** Closes the stream in order, as a page that closes its EventSource (or its tab). */
  close(): void {
    this.es.close();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Polls `check` every 20 ms until it returns something truthy. */
export function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition not met',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const value = check();
      if (value) {
        clearInterval(poll);
        resolve(value);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`${what} within ${timeoutMs} ms`));
      }
    }, 20);
  });
}

export interface Token {
  token: string;
  expiresAt: number;
}

/** `POST <base>/access` as the original page does. */
export async function getToken(base: string, username = 'student'): Promise<Token> {
  const res = await fetch(`${base}/access`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (res.status !== 200) throw new Error(`access: ${res.status}`);
  return (await res.json()) as Token;
}

/** A POST with the token as Bearer (when given) and a JSON body. */
export function post(url: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(url, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The JWT's payload, unverified. */
export function claims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The peer as events show it: the original's token payload, `{id, username, iat, exp}`. */
export function peerOf(token: string): Record<string, unknown> {
  const { id, username, iat, exp } = claims(token);
  return { id, username, iat, exp };
}

/** A peer: a token, an open stream, and the `connected` event. */
export interface Peer {
  id: string;
  token: string;
  sse: SseClient;
  connected: Record<string, unknown>;
}

export async function connectPeer(
  base: string,
  username: string,
  options?: SseClientOptions,
): Promise<Peer> {
  const { token } = await getToken(base, username);
  const sse = new SseClient(`${base}/connect?token=${encodeURIComponent(token)}`, options);
  const connected = await sse.next('connected');
  return { id: claims(token).id as string, token, sse, connected };
}

/** Connects a peer and joins it to `room`. */
export async function joinedPeer(
  base: string,
  username: string,
  room: string,
  options?: SseClientOptions,
): Promise<Peer> {
  const peer = await connectPeer(base, username, options);
  const res = await post(`${base}/${encodeURIComponent(room)}/join`, peer.token);
  if (res.status !== 200) throw new Error(`join: ${res.status}`);
  return peer;
}
