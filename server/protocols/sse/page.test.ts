// RtcPageDir: the hub hosts a page for the SSE signaling rooms as the original
// server hosts its own: the base redirects to a new room, `<base>/<room>` is the
// folder's index.html, `<base>/static/<file>` its files; every other route keeps
// its paths, at RtcBasePath=/ too. Under a base, the original page's absolute
// paths (its scripts, token, stream and relays at the root) are answered too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { pageFolder } from '../../test/page-folder';
import { connectPeer, joinedPeer, post } from '../../test/sse-client';

const INDEX = '<!doctype html><title>rooms</title><script src="/static/load.js"></script>\n';
const SCRIPT = 'console.log("load");\n';

const get = (url: string, init: RequestInit = {}) => fetch(url, { redirect: 'manual', ...init });

describe('RtcPageDir hosts a page for the rooms', () => {
  const folder = pageFolder({ 'index.html': INDEX, 'load.js': SCRIPT });
  const hubs: TestHub[] = [];
  let atRtc: TestHub;
  let atRoot: TestHub;

  before(async () => {
    atRtc = await startHub({ RtcPageDir: folder.dir });
    atRoot = await startHub({ RtcPageDir: folder.dir, RtcBasePath: '/' });
    hubs.push(atRtc, atRoot);
  });
  after(async () => {
    for (const h of hubs) await h.stop();
    folder.remove();
  });

  test('<base>/ redirects to a new room each time', async () => {
    const rooms = new Set<string>();
    for (const p of ['/rtc/', '/rtc', '/rtc/']) {
      const res = await get(`${atRtc.httpUrl}${p}`);
      assert.equal(res.status, 302);
      const location = res.headers.get('location') ?? '';
      assert.match(location, /^\/rtc\/[a-z0-9]{8}$/);
      rooms.add(location);
    }
    assert.equal(rooms.size, 3);
  });

  test('<base>/<room> is index.html, <base>/static/<file> the files; a signaling peer joins that room', async () => {
    const page = await get(`${atRtc.httpUrl}/rtc/k3x9q2m1`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await page.text(), INDEX);
    const script = await get(`${atRtc.httpUrl}/rtc/static/load.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await script.text(), SCRIPT);
    assert.equal((await get(`${atRtc.httpUrl}/rtc/k3x9q2m1`, { method: 'HEAD' })).status, 200);
    // The signaling routes under the same base are unchanged.
    const peer = await joinedPeer(`${atRtc.httpUrl}/rtc`, 'ada', 'k3x9q2m1');
    assert.equal(atRtc.hub.registry.clients({ protocol: 'rtc-sse', room: 'k3x9q2m1' }).length, 1);
    peer.sse.close();
  });

  test('missing files are 404, paths out of the folder 404, other methods 405', async () => {
    assert.equal((await get(`${atRtc.httpUrl}/rtc/static/nope.js`)).status, 404);
    assert.equal((await get(`${atRtc.httpUrl}/rtc/static/..%2f..%2fetc%2fpasswd`)).status, 404);
    assert.equal((await get(`${atRtc.httpUrl}/rtc/static/%E0%A4%A`)).status, 400);
    assert.equal((await get(`${atRtc.httpUrl}/rtc/a/b`)).status, 404);
    const post = await get(`${atRtc.httpUrl}/rtc/k3x9q2m1`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  test("at RtcBasePath=/ the original's layout: /<room>, /static/<file>; the hub's own pages keep theirs", async () => {
    const page = await get(`${atRoot.httpUrl}/k3x9q2m1`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), INDEX);
    assert.equal(await (await get(`${atRoot.httpUrl}/static/load.js`)).text(), SCRIPT);
    // `/` stays the join page, `/socket` Zwibbler's status page, `/healthz` the health check.
    for (const own of ['/', '/socket', '/healthz']) {
      const res = await get(`${atRoot.httpUrl}${own}`);
      assert.notEqual(await res.text(), INDEX, own);
    }
  });

  test("at the default base, the original page's absolute paths: scripts, token, stream and relays at the root, its join under the base", async () => {
    // The page at /rtc/<room> loads /static/load.js ...
    assert.equal(await (await get(`${atRtc.httpUrl}/static/load.js`)).text(), SCRIPT);
    // ... asks /access and /connect at the root, and joins at /rtc/<room>/join
    // (it takes its room from its whole path, "rtc/<room>").
    const [a, b] = [
      await connectPeer(atRtc.httpUrl, 'ada'),
      await connectPeer(atRtc.httpUrl, 'ben'),
    ];
    try {
      for (const peer of [a, b]) {
        assert.equal((await post(`${atRtc.httpUrl}/rtc/k3x9q2m1/join`, peer.token)).status, 200);
      }
      assert.equal(atRtc.hub.registry.clients({ protocol: 'rtc-sse', room: 'k3x9q2m1' }).length, 2);
      await a.sse.next('add-peer');
      // An offer relayed at the root reaches the other peer.
      const relay = await post(`${atRtc.httpUrl}/relay/${b.id}/session-description`, a.token, {
        type: 'offer',
        sdp: 'v=0',
      });
      assert.equal(relay.status, 200);
      const got = await b.sse.next<{ peer: { id: string }; data: unknown }>('session-description');
      assert.equal(got.peer.id, a.id);
      assert.deepEqual(got.data, { type: 'offer', sdp: 'v=0' });
      // Only those: a join at the root is not taken.
      assert.equal((await post(`${atRtc.httpUrl}/k3x9q2m1/join`, a.token)).status, 404);
    } finally {
      a.sse.close();
      b.sse.close();
    }
  });

  test('without RtcPageDir there is no page, and nothing at the root', async () => {
    const plain = await startHub({});
    hubs.push(plain);
    assert.equal((await get(`${plain.httpUrl}/rtc/k3x9q2m1`)).status, 404);
    assert.equal((await get(`${plain.httpUrl}/rtc/`)).status, 404);
    assert.equal((await get(`${plain.httpUrl}/static/load.js`)).status, 404);
    assert.equal((await get(`${plain.httpUrl}/access`, { method: 'POST' })).status, 404);
  });
});
