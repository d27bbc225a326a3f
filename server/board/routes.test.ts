// The board's routes on a plain HTTP server, with a fake build: content types,
// the CSP, the YjsPath in the page, no way out of the folder, and `/` left to
// discovery's page until the board is built.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { completeConfig } from '../config/load';
import { tempDir } from '../test/hub-fixture';
import { boardRoutes } from './routes';

const INDEX =
  '<html><head><meta name="lanboard-yjs-path" content="/yjs" /></head><body></body></html>\n';

describe('board routes', () => {
  const dir = tempDir('lanboard-board-routes-');
  const built = path.join(dir.dir, 'dist');
  const config = completeConfig({ YjsPath: '/rooms/yjs', DataDir: dir.dir });
  let server: http.Server;
  let base = '';
  let routes = boardRoutes(config, built);

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes.find((r) => r.path.matches(url.pathname));
      if (!route) return res.writeHead(404).end('fallthrough');
      void route.handle(req, res, url);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    dir.remove();
  });

  test('before the build: `/` falls through to discovery, /board/* says what to run', async () => {
    assert.equal(await (await fetch(`${base}/`)).text(), 'fallthrough');
    const r = await fetch(`${base}/board/maths`);
    assert.equal(r.status, 503);
    assert.match(await r.text(), /npm run build/);
  });

  test('once built: the page with the hub YjsPath at / and /board/<room>, assets by type', async () => {
    fs.mkdirSync(path.join(built, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(built, 'index.html'), INDEX);
    fs.writeFileSync(path.join(built, 'assets', 'app-1.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir.dir, 'secret.txt'), 'secret');
    routes = boardRoutes(config, built);
    for (const p of ['/', '/board/maths-7b', '/board/x?debug']) {
      const r = await fetch(`${base}${p}`);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(
        r.headers.get('content-security-policy') ?? '',
        /script-src 'self'; .*connect-src 'self' ws: wss:/,
      );
      assert.match(await r.text(), /content="\/rooms\/yjs"/);
    }
    const js = await fetch(`${base}/board/assets/app-1.js`);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    for (const p of [
      '/board/assets/missing.js',
      '/board/assets/../../secret.txt',
      '/board/assets/%2e%2e/%2e%2e/secret.txt',
      '/board/assets/..%2f..%2fsecret.txt',
    ]) {
      assert.equal((await fetch(`${base}${p}`)).status, 404, p);
    }
    assert.equal((await fetch(`${base}/board/assets/%E0%A4%A`)).status, 400);
    const post = await fetch(`${base}/board/x`, { method: 'POST' });
    assert.equal(post.status, 405);
  });
});
