// Calls the admin API over node:http (so a test can send any Host header),
// and opens its event stream with the real `eventsource` client.
import http from 'node:http';
import { SseClient } from './sse-client';

export interface AdminReply<T = Record<string, unknown>> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
  text: string;
}

export interface AdminRequest {
  method?: string;
  /** Undefined: no Authorization header. */
  token?: string;
  body?: unknown;
  /** Replaces the Host header. */
  host?: string;
}

/** `base` is the hub's http URL; `path` is under /admin/api/ unless it starts with `/`. */
export function adminCall<T = Record<string, unknown>>(
  base: string,
  path: string,
  o: AdminRequest = {},
): Promise<AdminReply<T>> {
  const url = new URL(path.startsWith('/') ? path : `/admin/api/${path}`, base);
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  const headers: Record<string, string> = {};
  if (o.token !== undefined) headers.Authorization = `Bearer ${o.token}`;
  if (o.host !== undefined) headers.Host = o.host;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (metrics, the dashboard's HTML)
        }
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed as T, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const ADMIN_EVENTS = [
  'hello',
  'history',
  'stats',
  'client-added',
  'client-removed',
  'session-opened',
  'session-closed',
  'log',
  'storage-faults',
];

export function adminEvents(base: string, token: string): SseClient {
  return new SseClient(new URL('/admin/api/events', base).toString(), {
    headers: { Authorization: `Bearer ${token}` },
    events: ADMIN_EVENTS,
  });
}

/** Calls the async `check` every 50 ms until it returns something truthy. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition not met',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
