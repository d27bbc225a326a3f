// Serves the built dashboard (renderer/dist) under AdminPath with a strict CSP.
// Paths that are not files get index.html, so the page's own routes reload.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostName } from './auth';

/** The folder `npm run build` writes, relative to this file. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL('../../renderer/dist/', import.meta.url),
);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

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
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method not allowed\n');
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    decoded = '';
  }
  const root = path.resolve(dir);
  const wanted = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  let file = wanted.startsWith(root + path.sep) && isFile(wanted) ? wanted : undefined;
  // A missing asset is a 404; anything else is one of the page's routes.
  if (!file && !/\.[a-z0-9]+$/i.test(decoded)) file = path.join(root, 'index.html');
  if (!file || !isFile(file)) {
    const built = isFile(path.join(root, 'index.html'));
    res.writeHead(built ? 404 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(built ? 'Not found\n' : 'The dashboard is not built: run `npm run build`.\n');
    return;
  }
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': dashboardCsp(hostName(req.headers.host ?? '')),
    'Content-Type': type,
    'Content-Length': fs.statSync(file).size,
  };
  // Hashed asset names never change content: cache them.
  if (file.includes(`${path.sep}assets${path.sep}`)) {
    headers['Cache-Control'] = 'public, max-age=31536000, immutable';
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
