// The clients `npm run bench:abuse` plays: attackers and a bystander, each on
// a loopback address of its own (Linux routes all of 127.0.0.0/8 to
// loopback), so that the hub's per-address limits see separate devices.
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Kept-alive HTTP from one address: many requests on a few connections, as a script would. */
export function httpClient(localAddress: string, base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress });
  const request = (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) =>
    new Promise<Reply>((resolve) => {
      const req = http.request(
        new URL(path, base),
        { method: init.method ?? 'GET', headers: init.headers, agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on('error', () => resolve({ status: 0, headers: {}, text: '' }));
        },
      );
      req.on('error', () => resolve({ status: 0, headers: {}, text: '' }));
      req.end(init.body);
    });
  return { request, close: () => agent.destroy() };
}

/** Runs `task` `count` times, `parallel` at once; returns how many of each outcome. */
export async function tally<T extends string | number>(
  count: number,
  parallel: number,
  task: (i: number) => Promise<T>,
): Promise<Map<T, number>> {
  const out = new Map<T, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const outcome = await task(next++);
        out.set(outcome, (out.get(outcome) ?? 0) + 1);
      }
    }),
  );
  return out;
}

export const describeTally = (t: Map<string | number, number>): string =>
  [...t.entries()].map(([k, n]) => `${n}× ${k}`).join(', ');

export interface Flood {
  /** Connections still open once the flood settled. */
  open: number;
  /** Closed by the hub without a word (at accept, past its allowance). */
  closedAtAccept: number;
  attempted: number;
  release(): void;
}

/**
 * Opens up to `max` idle TCP connections from `localAddress`, `batch` at a
 * time, and stops early once a whole batch was closed by the hub.
 */
export async function connectionFlood(
  port: number,
  localAddress: string,
  max: number,
  batch = 100,
): Promise<Flood> {
  const sockets: net.Socket[] = [];
  let closedAtAccept = 0;
  while (sockets.length < max) {
    const wave = await Promise.all(
      Array.from({ length: batch }, () => idleSocket(port, localAddress)),
    );
    sockets.push(...wave);
    await new Promise((r) => setTimeout(r, 200)); // the hub has accepted or closed each
    const closed = wave.filter((s) => s.destroyed).length;
    closedAtAccept += closed;
    if (closed === batch) break;
  }
  return {
    open: sockets.filter((s) => !s.destroyed).length,
    closedAtAccept,
    attempted: sockets.length,
    release: () => sockets.forEach((s) => s.destroy()),
  };
}

function idleSocket(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => s.destroy());
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}

/** Seconds until the hub closes a connection that sends `start`, then one byte of `drip` a second. */
export function secondsUntilCut(
  port: number,
  localAddress: string,
  start: string,
  drip: string | undefined,
  giveUpS = 90,
): Promise<{ seconds: number; status: string }> {
  return new Promise((resolve) => {
    const began = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => s.write(start));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('error', () => {});
    const timer = drip ? setInterval(() => s.writable && s.write(drip), 1000) : undefined;
    const giveUp = setTimeout(() => s.destroy(), giveUpS * 1000);
    s.once('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 'no reply';
      resolve({ seconds: (Date.now() - began) / 1000, status });
    });
  });
}

/** ws bound to a source address, for y-websocket's WebSocketPolyfill. */
const webSocketFrom = (localAddress: string) =>
  class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
    }
  };

/** Two boards of one Yjs room from the bystander's address. */
export async function bystanderPair(wsUrl: string, localAddress: string) {
  const open = () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${wsUrl}/yjs`, 'bystander', doc, {
      WebSocketPolyfill: webSocketFrom(localAddress) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    return {
      doc,
      provider,
      // The doc's end also ends the provider's awareness timer.
      destroy: () => {
        provider.destroy();
        doc.destroy();
      },
    };
  };
  const a = open();
  const b = open();
  let n = 0;
  return {
    /** Milliseconds for an edit on one board to reach the other (a fresh third board included), or null. */
    async syncs(timeoutMs = 10_000): Promise<number | null> {
      const key = `edit-${n++}`;
      const began = Date.now();
      a.doc.getMap('m').set(key, began);
      const fresh = open();
      try {
        while (Date.now() - began < timeoutMs) {
          if (b.doc.getMap('m').has(key) && fresh.doc.getMap('m').has(key)) {
            return Date.now() - began;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
        return null;
      } finally {
        fresh.destroy();
      }
    },
    close() {
      a.destroy();
      b.destroy();
    },
  };
}
