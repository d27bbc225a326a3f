// One HTTP(S) POST from the hub to a URL its operator configured (the Zwibbler
// webhook, the Yjs change callback): a deadline on the whole exchange, no
// pooled sockets, the answer's body ignored. Never rejects: the outcome is a
// status or an error text for the caller's log and retry policy.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** The header carrying the body's HMAC-SHA256 when a secret is configured. */
export const SIGNATURE_HEADER = 'X-Lanboard-Signature';

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes, keyed by the secret. */
export function signBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PostOutcome = { status: number } | { error: string };

export interface PostOptions {
  headers: Record<string, string>;
  /** The whole exchange, from connecting to the answer's end. */
  timeoutMs: number;
  /** Aborting it (the hub stops) ends the call with the error `stopped`. */
  signal?: AbortSignal;
}

export function postOnce(url: URL, body: Buffer, options: PostOptions): Promise<PostOutcome> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);

  return new Promise<PostOutcome>((resolve) => {
    let status: number | undefined;
    let settled = false;
    const finish = (outcome: PostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      resolve(outcome);
    };
    const fail = (err: Error): void => {
      // The status decides once it has arrived, even if the body is then cut off.
      if (status !== undefined) return finish({ status });
      if (timedOut) return finish({ error: `no answer within ${options.timeoutMs} ms` });
      if (options.signal?.aborted) return finish({ error: 'stopped' });
      finish({ error: err.message || String(err) });
    };
    let req: http.ClientRequest;
    try {
      req = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        headers: { ...options.headers, 'Content-Length': String(body.length) },
        signal: controller.signal,
        agent: false,
      });
    } catch (err) {
      fail(err as Error);
      return;
    }
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.on('error', fail);
      res.on('close', () => finish({ status: status! }));
      res.resume();
    });
    req.on('error', fail);
    req.end(body);
  });
}
