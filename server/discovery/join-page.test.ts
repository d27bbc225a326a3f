// `/` and GET /api/join on a real hub (mDNS off, bound to loopback).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { JoinInfo } from './join-info';

let hub: TestHub;
before(async () => {
  // No board build here: the plain page is what `/` serves until the board is built.
  hub = await startHub({}, { boardDir: new URL('./no-board-build/', import.meta.url).pathname });
});
after(() => hub.stop());

describe('join routes', () => {
  test('GET /api/join: the hub URL, no .local URL without mDNS or off loopback, QR code and endpoints', async () => {
    const res = await fetch(`${hub.httpUrl}/api/join`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const info = (await res.json()) as JoinInfo;
    assert.deepEqual(info.urls, [`${hub.httpUrl}/`], 'bound to 127.0.0.1: only that address');
    assert.equal(info.preferredUrl, `${hub.httpUrl}/`);
    assert.equal(info.localUrl, null, 'mDNS off and bound to loopback: no .local name works');
    assert.equal(info.loopbackOnly, true);
    assert.match(info.qrSvg, /^<svg /);
    assert.equal(info.mdnsName, null, 'mDNS is off');
    assert.deepEqual(
      info.protocols.map((p) => [p.name, p.url]),
      [
        ['zwibbler', `${hub.wsUrl}/socket`],
        ['yjs', `${hub.wsUrl}/yjs`],
        ['signal', `${hub.wsUrl}/signal`],
        ['workspace', `${hub.httpUrl}/socket.io`],
        ['rtc', `${hub.httpUrl}/rtc`],
        ['chat', `${hub.wsUrl}/chat`],
      ],
    );
    assert.deepEqual(await hub.hub.joinInfo(), info, 'hub.joinInfo() is the same');
  });

  test('GET / is the join page, with a CSP; /index.html too', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await fetch(`${hub.httpUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await res.text();
      assert.ok(html.includes(`${hub.httpUrl}/`), 'the join URL');
      assert.ok(html.includes('<svg '), 'the QR code');
      assert.ok(html.includes(`${hub.wsUrl}/socket`), 'the endpoints');
    }
  });

  test('HEAD has no body; other methods get 405; other paths stay 404', async () => {
    const head = await fetch(`${hub.httpUrl}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await fetch(`${hub.httpUrl}/api/join`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.text();
    for (const path of ['/api/join/x', '/api', '/index.htm', '/nothing']) {
      const res = await fetch(`${hub.httpUrl}${path}`);
      assert.equal(res.status, 404, path);
      await res.text();
    }
  });
});
