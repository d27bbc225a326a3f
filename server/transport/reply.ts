// What every HTTP route shares: reading a request body within a size limit,
// JSON and text replies, the GET/HEAD guard, and HttpError, which a handler
// throws to answer with a status, a message and headers.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
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

/** The whole body, refused as soon as it is known to pass `limit` (declared or sent). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The body parsed as JSON; an empty body is `empty`. Throws HttpError 413 (with
 * `Connection: close`: the rest of the body is never read, so the connection
 * cannot be reused) or 400.
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
