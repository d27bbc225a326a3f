// Serves the built dashboard (renderer/dist) under AdminPath with a strict CSP.
// Paths that are not files get index.html, so the page's own routes reload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowGetOrHead, sendText } from '../transport/reply';
import { decodePath, fileInside, IMMUTABLE, isFile, sendFile } from '../transport/static-files';
import { hostName } from './auth';

/** The folder `npm run build` writes, relative to this file. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL('../../renderer/dist/', import.meta.url),
);

/**
 * No inline script or style element, nothing from elsewhere; QR codes are
 * data: images. `connect-src` also allows this host on any port, so that
 * after a restart on a new port the page can see the hub come back there.
 */
export function dashboardCsp(hostName?: string): string {
  const sameHost =
    hostName && !hostName.includes(':') ? ` http://${hostName}:* https://${hostName}:*` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${sameHost}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const SECURITY_HEADERS = {
  'Content-Security-Policy': dashboardCsp(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** `relative` is the path under AdminPath, still URL-encoded. */
export function serveDashboard(
  dir: string,
  relative: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (!allowGetOrHead(req, res)) return;
  const decoded = decodePath(relative) ?? '';
  const root = path.resolve(dir);
  let file = fileInside(root, decoded);
  // A missing asset is a 404; anything else is one of the page's routes.
  if (!file && !/\.[a-z0-9]+$/i.test(decoded)) file = path.join(root, 'index.html');
  if (!file || !isFile(file)) {
    const built = isFile(path.join(root, 'index.html'));
    if (built) sendText(res, 404, 'Not found\n');
    else sendText(res, 503, 'The dashboard is not built: run `npm run build`.\n');
    return;
  }
  sendFile(req, res, file, {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': dashboardCsp(hostName(req.headers.host ?? '')),
    ...(file.includes(`${path.sep}assets${path.sep}`) ? { 'Cache-Control': IMMUTABLE } : {}),
  });
}
