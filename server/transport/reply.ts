// What every HTTP route shares: reading a request body within a size limit and
// a deadline, JSON and text replies, the GET/HEAD guard, and HttpError, which a
// handler throws to answer with a status, a message and headers.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class BodyTimeoutError extends Error {
  constructor() {
    super('the body did not arrive in time');
    this.name = 'BodyTimeoutError';
  }
}

/** When each request's body must be in (Unix ms), as the transport set it. */
const deadlines = new WeakMap<IncomingMessage, number>();

/** The transport sets it from RequestTimeoutSeconds (docs/operating.md#timeouts). */
export function setBodyDeadline(req: IncomingMessage, at: number): void {
  deadlines.set(req, at);
}

/** A refusal a handler throws; the route turns it into its own reply shape (JSON or text). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The whole body, refused as soon as it is known to pass `limit` (declared or
 * sent), or once the request's deadline passes: a body trickled a byte at a
 * time would otherwise hold the connection for as long as the client likes.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = deadlines.get(req);
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => finish(new BodyTimeoutError()), Math.max(0, deadline - Date.now()));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(new BodyTooLargeError(limit));
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onClose = () => finish(new Error('the request was aborted'));
    function finish(err?: Error) {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (!err) return resolve(Buffer.concat(chunks, size));
      req.pause(); // the rest is never read: the reply closes the connection
      reject(err);
    }
    req.on('data', onData).on('end', onEnd).on('error', finish).on('close', onClose);
  });
}

/**
 * The body parsed as JSON; an empty body is `empty`. Throws HttpError 413 or
 * 408 (with `Connection: close`: the rest of the body is never read, so the
 * connection cannot be reused) or 400.
 */
export async function readJson(
  req: IncomingMessage,
  limit: number,
  empty: unknown = undefined,
): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      throw new HttpError(413, err.message, { Connection: 'close' });
    }
    if (err instanceof BodyTimeoutError) {
      throw new HttpError(408, err.message, { Connection: 'close' });
    }
    throw err;
  }
  if (body.length === 0 && empty !== undefined) return empty;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

/** Never cached, never sniffed as another type. */
const PLAIN_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/** `body` as JSON with a final newline; a HEAD request gets the headers alone. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  send(res, status, 'text/plain; charset=utf-8', text, headers);
}

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    ...PLAIN_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** True for GET and HEAD; anything else is answered 405 here. */
export function allowGetOrHead(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
  return false;
}
