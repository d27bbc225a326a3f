// SSE/HTTP WebRTC signaling (docs/protocols/sse.md#routes) through a real hub,
// with the real `eventsource` client and fetch: every endpoint, the original's
// payload shapes, the SSE framing (docs/protocols/sse.md#framing), and each
// error (401, 403, 404, 405, 409, 400).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  SseClient,
  claims,
  connectPeer,
  getToken,
  joinedPeer,
  peerOf,
  post,
} from '../../test/sse-client';
import type { Peer } from '../../test/sse-client';

const KEY = 'sse-test-key-0123456789abcdef';
const ICE = [{ urls: 'stun:127.0.0.1:3478' }];

describe('SSE signaling endpoints', () => {
  let t: TestHub;
  let base: string;
  const streams: SseClient[] = [];
  const track = (p: Peer) => {
    streams.push(p.sse);
    return p;
  };

  before(async () => {
    t = await startHub({ RtcTokenKey: KEY, RtcTokenSeconds: 600, IceServers: ICE });
    base = `${t.httpUrl}/rtc`;
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.stop();
  });

  test('POST /access returns an HS256 JWT for a new peer, expiring after RtcTokenSeconds', async () => {
    const res = await post(`${base}/access`, undefined, { username: 'ada' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { token: string; expiresAt: number };
    assert.equal(decodeProtectedHeader(body.token).alg, 'HS256');
    const { payload } = await jwtVerify(body.token, Buffer.from(KEY), { algorithms: ['HS256'] });
    assert.match(String(payload.id), /^[0-9a-f-]{36}$/);
    assert.equal(payload.username, 'ada');
    assert.equal(Number(payload.exp) - Number(payload.iat), 600);
    assert.equal(body.expiresAt, payload.exp);
    const other = await getToken(base, 'ada');
    assert.notEqual(claims(other.token).id, payload.id, 'each access is a new peer');
  });

  test('POST /access without a username is 403 (as the original), a non-JSON body 400', async () => {
    assert.equal((await post(`${base}/access`, undefined, {})).status, 403);
    assert.equal((await post(`${base}/access`, undefined, { username: '' })).status, 403);
    assert.equal((await post(`${base}/access`)).status, 403);
    const res = await fetch(`${base}/access`, { method: 'POST', body: '{not json' });
    assert.equal(res.status, 400);
    const long = await post(`${base}/access`, undefined, { username: 'x'.repeat(129) });
    assert.equal(long.status, 400);
  });

  test('GET /connect without a token is 401, with a forged or malformed token 401', async () => {
    const sse = { Accept: 'text/event-stream' };
    const none = await fetch(`${base}/connect`, { headers: sse });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const forged = await new SignJWT({ id: 'x', username: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .setAudience('lanboard-rtc')
      .sign(Buffer.from('some other key'));
    for (const token of [forged, 'garbage', 'a.b.c']) {
      const res = await fetch(`${base}/connect?token=${token}`, { headers: sse });
      assert.equal(res.status, 401, token);
      assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
      const bearer = await fetch(`${base}/connect`, {
        headers: { ...sse, Authorization: `Bearer ${token}` },
      });
      assert.equal(bearer.status, 401);
    }
  });

  test('GET /connect without Accept: text/event-stream is 404', async () => {
    const { token } = await getToken(base);
    const res = await fetch(`${base}/connect?token=${token}`);
    assert.equal(res.status, 404);
    const json = await fetch(`${base}/connect?token=${token}`, {
      headers: { Accept: 'application/json' },
    });
    assert.equal(json.status, 404);
  });

  test('every event is framed as id, event, data and a blank line', async () => {
    const { token } = await getToken(base, 'framing');
    const controller = new AbortController();
    const res = await fetch(`${base}/connect`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      assert.equal(done, false);
      text += Buffer.from(value!).toString('utf8');
    }
    const match = /^id: ([\w-]+)\.0\nevent: connected\ndata: (\{.*\})\n\n$/.exec(text);
    assert.ok(match, `unexpected framing: ${JSON.stringify(text)}`);
    const data = JSON.parse(match[2]!) as { user: Record<string, unknown> };
    assert.deepEqual(data.user, peerOf(token));
    controller.abort();
  });

  test('connected carries the user (the token payload) and the ICE servers', async () => {
    const peer = track(await connectPeer(base, 'grace'));
    assert.deepEqual(peer.connected.user, peerOf(peer.token));
    assert.deepEqual(peer.connected.iceServers, ICE);
    assert.equal(peer.connected.resumed, false);
  });

  test('GET /ice-servers serves IceServers', async () => {
    const res = await fetch(`${base}/ice-servers`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { iceServers: ICE });
  });

  test('join fans out add-peer in the original shapes: the joiner offers', async () => {
    const a = track(await joinedPeer(base, 'alice', 'room-join'));
    const b = track(await connectPeer(base, 'bob'));
    const res = await post(`${base}/room-join/join`, b.token);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'OK');
    const toA = await a.sse.next('add-peer');
    assert.deepEqual(
      { peer: toA.peer, roomId: toA.roomId, offer: toA.offer },
      { peer: peerOf(b.token), roomId: 'room-join', offer: false },
    );
    const toB = await b.sse.next('add-peer');
    assert.deepEqual(
      { peer: toB.peer, roomId: toB.roomId, offer: toB.offer },
      { peer: { id: a.id, username: 'alice' }, roomId: 'room-join', offer: true },
    );
  });

  test('joining a room again (as the original client does on every connected) sends nothing', async () => {
    const a = track(await joinedPeer(base, 'a', 'room-again'));
    const b = track(await joinedPeer(base, 'b', 'room-again'));
    await a.sse.next('add-peer');
    assert.equal((await post(`${base}/room-again/join`, b.token)).status, 200);
    assert.equal(
      (await post(`${base}/relay/${a.id}/session-description`, b.token, {})).status,
      200,
    );
    await a.sse.next('session-description');
    assert.deepEqual(
      a.sse.received.filter((r) => r.type === 'add-peer').length,
      1,
      'a second join must not announce the peer again',
    );
  });

  test('join needs a token (401) and an open stream (409)', async () => {
    assert.equal((await post(`${base}/r/join`)).status, 401);
    assert.equal((await post(`${base}/r/join`, 'bad')).status, 401);
    const { token } = await getToken(base);
    assert.equal((await post(`${base}/r/join`, token)).status, 409);
  });

  test('relay delivers session-description and ice-candidate with the sender payload', async () => {
    const a = track(await joinedPeer(base, 'caller', 'room-relay'));
    const b = track(await joinedPeer(base, 'callee', 'room-relay'));
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    const res = await post(`${base}/relay/${a.id}/session-description`, b.token, offer);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'OK');
    const sd = await a.sse.next('session-description');
    assert.deepEqual({ peer: sd.peer, data: sd.data }, { peer: peerOf(b.token), data: offer });
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    };
    assert.equal(
      (await post(`${base}/relay/${b.id}/ice-candidate`, a.token, candidate)).status,
      200,
    );
    const ice = await b.sse.next('ice-candidate');
    assert.deepEqual(
      { peer: ice.peer, data: ice.data },
      { peer: peerOf(a.token), data: candidate },
    );
  });

  test('relay to an unknown peer is 404, to a peer outside your rooms 403', async () => {
    const a = track(await joinedPeer(base, 'a', 'room-x'));
    const c = track(await joinedPeer(base, 'c', 'room-y'));
    const lone = track(await connectPeer(base, 'lone'));
    const unknown = await post(`${base}/relay/00000000-0000-4000-8000-000000000000/x`, a.token, {});
    assert.equal(unknown.status, 404);
    assert.equal(
      (await post(`${base}/relay/${c.id}/session-description`, a.token, {})).status,
      403,
    );
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`, lone.token, {})).status, 403);
    const { token: stranger } = await getToken(base, 'no-stream');
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`, stranger, {})).status, 403);
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`)).status, 401);
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`, 'bad', {})).status, 401);
    assert.equal(
      c.sse.received.filter((r) => r.type === 'session-description').length,
      0,
      'a refused relay must not be delivered',
    );
  });

  test('relay refuses server event names and malformed ones (400), and non-JSON bodies', async () => {
    const a = track(await joinedPeer(base, 'a', 'room-names'));
    const b = track(await joinedPeer(base, 'b', 'room-names'));
    for (const event of ['add-peer', 'remove-peer', 'connected', 'ping', 'token', 'kicked']) {
      assert.equal((await post(`${base}/relay/${a.id}/${event}`, b.token, {})).status, 400, event);
    }
    // A decoded newline would let a peer write its own SSE fields.
    const injected = await post(`${base}/relay/${a.id}/x%0Adata%3A%20evil`, b.token, {});
    assert.equal(injected.status, 400);
    const notJson = await fetch(`${base}/relay/${a.id}/session-description`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${b.token}` },
      body: 'not json',
    });
    assert.equal(notJson.status, 400);
    // Other names pass, as in the original.
    assert.equal((await post(`${base}/relay/${a.id}/drawing`, b.token, { x: 1 })).status, 200);
  });

  test('a second stream for a peer that does not resume the first is 409', async () => {
    const a = track(await connectPeer(base, 'twice'));
    const second = new SseClient(`${base}/connect?token=${a.token}`);
    streams.push(second);
    await second.until(() => second.errors.length > 0);
    assert.equal(second.errors[0]!.code, 409);
    assert.equal(second.es.readyState, second.es.CLOSED);
  });

  test('wrong methods are 405; other paths under the base are not ours', async () => {
    const res = await fetch(`${base}/access`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${base}/room/join`)).status, 405);
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
    assert.equal((await fetch(`${base}/a/b/c/d`)).status, 404);
    assert.equal((await post(`${t.httpUrl}/access`, undefined, { username: 'x' })).status, 404);
  });
});

describe('SSE signaling with RtcBasePath=/', () => {
  let t: TestHub;
  const streams: SseClient[] = [];

  before(async () => {
    t = await startHub({ RtcTokenKey: KEY, RtcBasePath: '/' });
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.stop();
  });

  test("the original client's absolute paths work unchanged", async () => {
    const base = t.httpUrl;
    const a = await joinedPeer(base, 'a', '19xtf1ts');
    const b = await joinedPeer(base, 'b', '19xtf1ts');
    streams.push(a.sse, b.sse);
    assert.equal((await b.sse.next('add-peer')).offer, true);
    assert.equal(
      (await post(`${base}/relay/${a.id}/session-description`, b.token, {})).status,
      200,
    );
    assert.deepEqual((await a.sse.next('session-description')).data, {});
    assert.deepEqual(await (await fetch(`${base}/ice-servers`)).json(), { iceServers: [] });
  });

  test('only the signaling shapes are taken: the rest of / stays with other routes', async () => {
    const status = await fetch(`${t.httpUrl}/socket`);
    assert.equal(status.status, 200);
    assert.match(await status.text(), /Zwibbler/);
    assert.equal((await fetch(`${t.httpUrl}/somewhere`)).status, 404);
    assert.equal((await fetch(`${t.httpUrl}/rtc/access`, { method: 'POST' })).status, 404);
  });
});
