// Connections per address and for the whole hub
// (docs/operating.md#limits-per-address). Every TCP connection counts, whatever
// it carries (pages, fetches, event streams, WebSockets, Socket.IO polling),
// from its accept to its close. A connection over a limit is not dropped at
// once: it may still ask for /healthz and the admin API, so the hub's health
// stays visible during a flood, and anything else is answered with the
// refusal (429 or 503 with Retry-After, or a WebSocket close 1013). Only a
// few such connections are kept per address and in all; past those, and past
// the hard stop (`server.maxConnections`), a new one is closed at accept.
import type net from 'node:net';
import type { Logger } from '../log/logger';
import { normalizeAddress } from './address';
import { AddressLimiter } from './rate-limit';
import { RefusalLog } from './refusals';

export interface ConnectionLimitOptions {
  /** Open connections one address may hold. */
  perAddress: number;
  /** New connections per second from one address, in bursts up to `perAddress`. */
  newPerSecond: number;
  /** Open connections the hub serves; kept below the open-file limit. */
  total: number;
}

export type ConnectionLimit = 'address-connections' | 'address-rate' | 'hub-connections';

export interface ConnectionRefusal {
  limit: ConnectionLimit;
  status: 429 | 503;
  retryAfterMs: number;
  reason: string;
}

/** Connections over a limit kept open to answer them: per address, and in all. */
export const OVER_LIMIT_PER_ADDRESS = 8;
export const OVER_LIMIT_TOTAL = 64;
/** No slot frees at a known time: a guess a client can wait for. */
const FULL_RETRY_MS = 5_000;

export class ConnectionLimits {
  private readonly open = new Map<string, number>();
  private readonly overLimit = new Map<string, number>();
  private admitted = 0;
  private refused = 0;
  /** Refusals by `address:port`, the same for a TLS socket and the TCP socket under it. */
  private readonly refusals = new Map<string, ConnectionRefusal>();
  private readonly rate: AddressLimiter;
  private readonly refusalLog: RefusalLog;

  constructor(
    private readonly o: ConnectionLimitOptions,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.rate = new AddressLimiter({ burst: o.perAddress, perSecond: o.newPerSecond, now });
    this.refusalLog = new RefusalLog(log, now);
  }

  /** Counts every connection the server accepts; call before it listens. */
  attach(server: net.Server): void {
    server.maxConnections = this.o.total + OVER_LIMIT_TOTAL;
    server.on('connection', (socket: net.Socket) => this.accept(socket));
    server.on('drop', (data?: { remoteAddress?: string }) =>
      this.refusalLog.note(
        normalizeAddress(data?.remoteAddress),
        'connection dropped: the hub is at its open-file budget',
      ),
    );
  }

  /** Why this connection is over a limit, or undefined when it is not. */
  refusalOf(socket: net.Socket): ConnectionRefusal | undefined {
    if (this.refusals.size === 0) return undefined;
    return this.refusals.get(`${socket.remoteAddress}:${socket.remotePort}`);
  }

  /** Connections admitted, and connections kept only to be refused. */
  get counts(): { admitted: number; refused: number } {
    return { admitted: this.admitted, refused: this.refused };
  }

  private accept(socket: net.Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    const refusal = this.check(address);
    if (!refusal) {
      this.admitted++;
      bump(this.open, address, 1);
      socket.once('close', () => {
        this.admitted--;
        bump(this.open, address, -1);
      });
      return;
    }
    this.refusalLog.note(address, `connection refused: ${refusal.reason}`, {
      limit: refusal.limit,
    });
    if (
      this.refused >= OVER_LIMIT_TOTAL ||
      (this.overLimit.get(address) ?? 0) >= OVER_LIMIT_PER_ADDRESS
    ) {
      socket.destroy();
      return;
    }
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.refusals.set(key, refusal);
    this.refused++;
    bump(this.overLimit, address, 1);
    socket.once('close', () => {
      this.refusals.delete(key);
      this.refused--;
      bump(this.overLimit, address, -1);
    });
  }

  private check(address: string): ConnectionRefusal | undefined {
    if (this.admitted >= this.o.total) {
      const reason = 'the hub is at its connection limit';
      return { limit: 'hub-connections', status: 503, retryAfterMs: FULL_RETRY_MS, reason };
    }
    if ((this.open.get(address) ?? 0) >= this.o.perAddress) {
      const reason = 'too many connections from this address';
      return { limit: 'address-connections', status: 429, retryAfterMs: FULL_RETRY_MS, reason };
    }
    const wait = this.rate.take(address);
    if (wait > 0) {
      const reason = 'too many new connections from this address';
      return { limit: 'address-rate', status: 429, retryAfterMs: wait, reason };
    }
    return undefined;
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
