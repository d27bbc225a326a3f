// POST <admin>/api/selftest: the hub connects to each of its own LAN URLs and
// says which answered. The probes come from this computer, which its own
// firewall lets through: an answer proves the hub listens on that address,
// not that students can reach it (the reply carries lanClientSeen, the real
// proof). A URL that does not answer even from here means the hub is not
// listening there.
import http from 'node:http';
import https from 'node:https';
import type { SelftestResult } from './api-types';

const TIMEOUT_MS = 3000;

/** GET <url>healthz; any HTTP answer means reachable. Certificates are not checked: only the path. */
export function probe(base: string, timeoutMs = TIMEOUT_MS): Promise<SelftestResult> {
  const url = new URL('healthz', base);
  const started = performance.now();
  const done = (r: Omit<SelftestResult, 'url' | 'ms'>): SelftestResult => ({
    url: base,
    ms: Math.round(performance.now() - started),
    ...r,
  });
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(done({ reachable: true, status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(done({ reachable: false, error: err.code ?? err.message })),
    );
  });
}

export async function selftest(urls: readonly string[]): Promise<SelftestResult[]> {
  return Promise.all(urls.map((u) => probe(u)));
}
