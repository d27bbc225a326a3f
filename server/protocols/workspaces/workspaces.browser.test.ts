// The workspaces endpoint from a page on another origin, as the original's page
// always is: Debian's Chromium loads the real Socket.IO 2 client from a page
// server on another port, and with the hub's default settings the client's
// long-polling (credentialed CORS) and its upgrade to WebSocket both get through.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromiumMissing, launchBrowser } from '../../test/browser';
import type { TestBrowser } from '../../test/browser';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';

const CLIENT = createRequire(import.meta.url).resolve('socket.io-client-v2/dist/socket.io.js');

/** What the test uses of the Socket.IO 2 client's socket in the page. */
interface PageSocket {
  on(event: string, listener: (data: never) => void): void;
  emit(event: string, data: unknown): void;
  io: { engine: { transport: { name: string }; once(event: 'upgrade', f: () => void): void } };
}

const skip = chromiumMissing();
let hub: TestHub | undefined;
let browser: TestBrowser | undefined;
let pages: http.Server | undefined;
let pageUrl = '';

function servePages(): Promise<string> {
  const script = fs.readFileSync(CLIENT, 'utf8');
  pages = http.createServer((req, res) => {
    if (req.url === '/socket.io.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>workspaces</title><script src="/socket.io.js"></script>');
    }
  });
  return new Promise((resolve) =>
    pages!.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(pages!.address() as AddressInfo).port}/`);
    }),
  );
}

before(async () => {
  if (skip) return;
  hub = await startHub();
  browser = await launchBrowser();
  pageUrl = await servePages();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
  await new Promise((r) => (pages ? pages.close(r) : r(undefined)));
});

test(
  'the Socket.IO 2 client on another origin creates a workspace with default settings',
  { skip },
  async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const corsErrors: string[] = [];
    page.on('console', (m) => {
      if (/CORS|Access-Control/i.test(m.text())) corsErrors.push(m.text());
    });
    await page.goto(pageUrl);
    const reply = await page.evaluate(
      (hubUrl) =>
        new Promise<{ name: string; transport: string }>((resolve, reject) => {
          // The client's defaults: long-polling first, then the upgrade.
          const io = (globalThis as unknown as { io: (url: string, o: object) => PageSocket }).io;
          const socket = io(hubUrl, { reconnection: false });
          socket.on('connect_error', (e: Error) => reject(new Error(`connect_error ${e}`)));
          socket.on('created', (data: { workspace: { name: string } }) => {
            const done = () =>
              resolve({ name: data.workspace.name, transport: socket.io.engine.transport.name });
            if (socket.io.engine.transport.name === 'websocket') return done();
            socket.io.engine.once('upgrade', done);
          });
          socket.on('connect', () =>
            socket.emit('create', { workspace: { name: 'Class 4B', pin: '' }, attendee: {} }),
          );
        }),
      hub!.httpUrl,
    );
    assert.deepEqual(reply, { name: 'Class 4B', transport: 'websocket' });
    assert.deepEqual(corsErrors, []);
    await context.close();
  },
);
