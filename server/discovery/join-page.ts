// The join page at `/` and its data at GET /api/join. The page is plain HTML
// rendered here (no build step, no script): the join URL, its QR code, the
// other addresses and each protocol's endpoint. The classroom board will take
// the page over later; /api/join stays for it and for the dashboard.
import { allowGetOrHead, send, sendJson } from '../transport/reply';
import type { HttpRoute } from '../transport/routes';
import type { JoinInfo } from './join-info';

export const JOIN_API_PATH = '/api/join';
const PAGE_PATHS = new Set(['/', '/index.html']);

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function joinRoutes(info: () => Promise<JoinInfo>): HttpRoute[] {
  return [
    {
      name: 'join-page',
      path: { matches: (p) => PAGE_PATHS.has(p) },
      handle: async (req, res) => {
        if (!allowGetOrHead(req, res)) return;
        send(res, 200, 'text/html; charset=utf-8', joinPage(await info()), {
          'Content-Security-Policy': CSP,
        });
      },
    },
    {
      name: 'join-api',
      path: { matches: (p) => p === JOIN_API_PATH },
      handle: async (req, res) => {
        if (!allowGetOrHead(req, res)) return;
        sendJson(res, 200, await info()); // never cached: the addresses follow the network
      },
    },
  ];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const link = (url: string) => `<a href="${escape(url)}">${escape(url)}</a>`;

export function joinPage(info: JoinInfo): string {
  const title = info.mdnsName ?? 'Lanboard';
  const others = info.urls.filter((u) => u !== info.preferredUrl);
  if (info.localUrl) others.push(info.localUrl);
  const rows = info.protocols
    .map(
      (p) =>
        `<tr><td>${escape(p.title)}</td><td><code>${escape(p.path)}</code></td><td><code>${escape(p.url)}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Join ${escape(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #222; }
.url { font-size: 1.6rem; font-weight: 600; word-break: break-all; }
.qr svg { width: 16rem; height: 16rem; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; }
</style>
</head>
<body>
<h1>Join ${escape(title)}</h1>
<p>Scan the code, or open this address on a device on the same network:</p>
<p class="url">${link(info.preferredUrl)}</p>
<div class="qr">${info.qrSvg}</div>
<p>Also reachable at: ${others.map(link).join(', ')}
(the <code>.local</code> name works only on devices that resolve mDNS names).</p>
<h2>Endpoints</h2>
<table>
<tr><th>Protocol</th><th>Path</th><th>URL</th></tr>
${rows}
</table>
</body>
</html>
`;
}
