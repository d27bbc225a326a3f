// Built pages served from a folder (the dashboard, the classroom board): one
// MIME table, one check that a requested path stays inside its folder, and
// one way to send a file.
import fs from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Built files with hashed names never change content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A URL path segment decoded, or undefined when its percent-encoding is broken. */
export function decodePath(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/**
 * The file `relative` (decoded) names under `root`, or undefined when there is
 * no such file or the path would leave the folder (`..`, a NUL byte).
 */
export function fileInside(root: string, relative: string): string | undefined {
  if (relative.includes('\0')) return undefined;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${path.posix.normalize(`/${relative}`)}`);
  return file.startsWith(base + path.sep) && isFile(file) ? file : undefined;
}

/** Sends a file with its type and length; a HEAD request gets the headers alone. */
export function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: OutgoingHttpHeaders,
): void {
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': fs.statSync(file).size,
    ...headers,
  });
  if (req.method === 'HEAD') res.end();
  // The file can go between the stat and the read (a rebuild, an upgrade): the
  // response is cut short, and the stream's error must not crash the hub.
  else
    fs.createReadStream(file)
      .on('error', (err) => res.destroy(err))
      .pipe(res);
}
