// A page for the SSE signaling rooms, hosted from the folder RtcPageDir names
// (docs/protocols/sse.md#hosting-a-page), the way the original server hosts
// its own: `<base>/` redirects to a new room, `<base>/<room>` is the folder's
// index.html and `<base>/static/<file>` its files (and `/static/<file>`, where
// the original page loads them). Registered after every other
// route, so with RtcBasePath=/ the hub's own pages keep their paths.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger';
import { allowGetOrHead, sendText } from '../../transport/reply';
import type { HttpRoute } from '../../transport/routes';
import { decodePath, fileInside, isFile, sendFile } from '../../transport/static-files';
import { parseRtcPath } from './routes';

const STATIC = 'static/';
/** Room names the redirect makes: 8 characters of a-z and 0-9, about 41 bits. */
const ROOM_NAME_SPACE = 36 ** 8;

const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

export type PagePath =
  { kind: 'new-room' } | { kind: 'page' } | { kind: 'file'; rel: string } | undefined;

/**
 * What a GET path asks of the page; undefined when it is not the page's. Under
 * a base, `/static/<file>` at the root is the page's too: the original page
 * loads its scripts from there.
 */
export function parsePagePath(prefix: string, pathname: string): PagePath {
  if (prefix !== '' && pathname.startsWith(`/${STATIC}`)) {
    return { kind: 'file', rel: pathname.slice(STATIC.length + 1) };
  }
  if (pathname === prefix || pathname === `${prefix}/`) return { kind: 'new-room' };
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const rest = pathname.slice(prefix.length + 1);
  if (rest.startsWith(STATIC)) return { kind: 'file', rel: rest.slice(STATIC.length) };
  // One segment that is not a signaling route: a room.
  if (rest.includes('/') || parseRtcPath(prefix, pathname)) return undefined;
  return { kind: 'page' };
}

export function newRoomName(): string {
  return randomInt(ROOM_NAME_SPACE).toString(36).padStart(8, '0');
}

export function rtcPageRoute(prefix: string, dir: string, log: Logger): HttpRoute {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  if (!isFile(index)) log.warn({ dir: root }, 'RtcPageDir has no index.html: rooms answer 404');
  return {
    name: 'rtc-page',
    path: { matches: (p) => parsePagePath(prefix, p) !== undefined },
    handle(req, res, url) {
      if (!allowGetOrHead(req, res)) return;
      const page = parsePagePath(prefix, url.pathname);
      if (page?.kind === 'new-room') {
        // As the original: the base makes a new room.
        const room = newRoomName();
        res.writeHead(302, {
          ...HEADERS,
          Location: `${prefix}/${room}`,
          'Cache-Control': 'no-store',
        });
        res.end();
        return;
      }
      if (page?.kind === 'file') return sendStatic(root, page.rel, req, res, log);
      if (!isFile(index)) return notFound(req, res, log, 'no index.html in RtcPageDir');
      sendFile(req, res, index, { ...HEADERS, 'Cache-Control': 'no-cache' });
    },
  };
}

/** `rel` is still URL-encoded; anything that resolves outside the folder is a 404. */
function sendStatic(
  root: string,
  rel: string,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): void {
  const decoded = decodePath(rel);
  if (decoded === undefined) {
    log.info({ remote: req.socket.remoteAddress, path: rel }, 'rtc page: malformed path');
    return sendText(res, 400, 'Bad request: malformed path\n', HEADERS);
  }
  const file = fileInside(root, decoded);
  if (!file) return notFound(req, res, log, 'no such file');
  sendFile(req, res, file, { ...HEADERS, 'Cache-Control': 'no-cache' });
}

function notFound(req: IncomingMessage, res: ServerResponse, log: Logger, why: string): void {
  log.debug({ remote: req.socket.remoteAddress, path: req.url }, `rtc page: ${why}`);
  sendText(res, 404, 'Not found\n', HEADERS);
}
