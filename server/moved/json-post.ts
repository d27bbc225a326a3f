// The one body the moved routes read: a small JSON object, sent with POST.
import type { IncomingMessage } from 'node:http';
import { HttpError, readJson } from '../transport/reply';

/** The body's object (null for JSON `null`); throws HttpError 405, 415, 413 or 400. */
export async function postedJson(
  req: IncomingMessage,
  limit: number,
): Promise<Record<string, unknown> | null> {
  if (req.method !== 'POST') throw new HttpError(405, 'use POST', { Allow: 'POST' });
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'send JSON');
  }
  const body = await readJson(req, limit);
  return typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : null;
}
