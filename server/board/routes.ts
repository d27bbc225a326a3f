// Serves the classroom board (renderer/board/dist): `/` is its join page and
// `/board/<room>` the board, both the same index.html, with the hub's YjsPath and ChatPath
// written into it; `/board/assets/*` are the built files. Until the board is
// built, `/` is left to discovery's plain join page (registered after these
// routes) and `/board/*` answers 503 with what to run. With ClassOpenRooms
// off, `/board/<name>` for a name that cannot be a class code answers 404 with
// the page, which says why (docs/protocols/classroom.md#open-rooms).
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HubConfig } from '../config/schema';
import { allowGetOrHead, send, sendText } from '../transport/reply';
import type { HttpRoute } from '../transport/routes';
import { decodePath, fileInside, IMMUTABLE, isFile, sendFile } from '../transport/static-files';

/** The folder `npm run build` writes, relative to this file. */
export const DEFAULT_BOARD_DIR = fileURLToPath(
  new URL('../../renderer/board/dist/', import.meta.url),
);

const BOARD_PREFIX = '/board/';
const PAGE_PATHS = new Set(['/', '/index.html']);
const YJS_META = '<meta name="lanboard-yjs-path" content="/yjs" />';
const CHAT_META = '<meta name="lanboard-chat-path" content="/chat" />';
/** The page shows open rooms as refused when this says "off" (renderer/board/src/join/open-rooms.ts). */
const OPEN_ROOMS_META = 'lanboard-open-rooms';
const OPEN_ROOMS_TAG = `<meta name="${OPEN_ROOMS_META}" content="on" />`;

export interface BoardRouteOptions {
  /**
   * With ClassOpenRooms off: whether `/board/<name>` may still be a class (the
   * page looks it up); any other name answers 404. The classroom's rule, given
   * by the hub, since this layer knows nothing of classes.
   */
  maybeClass?(name: string): boolean;
}

/**
 * Scripts and styles only from the hub; WebSockets to any host (`'self'` does
 * not cover ws: everywhere, and the board connects to the page's own host);
 * exports are blob: downloads, the QR code a data: image.
 */
export const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS = {
  'Content-Security-Policy': BOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function boardRoutes(
  config: HubConfig,
  dir: string = DEFAULT_BOARD_DIR,
  options: BoardRouteOptions = {},
): HttpRoute[] {
  const maybeClass = options.maybeClass ?? (() => true);
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  return [
    {
      name: 'board',
      // `/` only once the board is built: before that, discovery's page answers there.
      path: {
        matches: (p) =>
          p.startsWith(BOARD_PREFIX) || p === '/board' || (PAGE_PATHS.has(p) && isFile(index)),
      },
      handle: (req, res, url) => {
        if (!allowGetOrHead(req, res)) return;
        if (!isFile(index)) {
          return text(res, 503, 'The board is not built: run `npm run build`.\n');
        }
        const rel = url.pathname.startsWith(BOARD_PREFIX)
          ? url.pathname.slice(BOARD_PREFIX.length)
          : '';
        if (rel.startsWith('assets/')) return sendAsset(root, rel, req, res);
        const name = decodePath(rel);
        const refused = !config.ClassOpenRooms && rel !== '' && !(name && maybeClass(name));
        sendPage(index, config, res, refused ? 404 : 200);
      },
    },
  ];
}

function sendPage(index: string, config: HubConfig, res: ServerResponse, status: number): void {
  const attr = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = fs
    .readFileSync(index, 'utf8')
    .replace(YJS_META, `<meta name="lanboard-yjs-path" content="${attr(config.YjsPath)}" />`)
    .replace(CHAT_META, `<meta name="lanboard-chat-path" content="${attr(config.ChatPath)}" />`)
    .replace(
      OPEN_ROOMS_TAG,
      `<meta name="${OPEN_ROOMS_META}" content="${config.ClassOpenRooms ? 'on' : 'off'}" />`,
    );
  send(res, status, 'text/html; charset=utf-8', body, HEADERS);
}

/** `rel` is still URL-encoded; anything that resolves outside the folder is a 404. */
function sendAsset(root: string, rel: string, req: IncomingMessage, res: ServerResponse): void {
  const decoded = decodePath(rel);
  if (decoded === undefined) return text(res, 400, 'Bad request\n');
  const file = fileInside(root, decoded);
  if (!file) return text(res, 404, 'Not found\n');
  sendFile(req, res, file, { ...HEADERS, 'Cache-Control': IMMUTABLE });
}

function text(res: ServerResponse, status: number, body: string): void {
  sendText(res, status, body, HEADERS);
}
