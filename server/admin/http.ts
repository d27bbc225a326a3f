// JSON in and out for the admin API: the shared replies, with the dashboard's
// security headers on every answer.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { readJson as readJsonBody, sendJson as sendJsonReply } from '../transport/reply';
import { SECURITY_HEADERS } from './static';

const MAX_BODY_BYTES = 256 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJsonReply(res, status, body, { ...SECURITY_HEADERS, ...headers });
}

/** Throws HttpError 413 or 400. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return readJsonBody(req, MAX_BODY_BYTES);
}
