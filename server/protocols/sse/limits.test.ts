// SSE signaling limits and hub controls: body size (413), rate (429), the
// session registry (stats, kick, permissions), and what the original leaked:
// per-stream timers and subscriptions, which must all end with the stream.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CredentialThrottle } from '../../auth/credential-throttle';
import { LocalBus } from '../../cluster/local-bus';
import { completeConfig } from '../../config/load';
import { SessionRegistry } from '../../hub/registry';
import { StorageFaults } from '../../hub/storage-faults';
import { createLogger } from '../../log/logger';
import { openStore } from '../../store/open-store';
import type { DocumentStore } from '../../store/types';
import { HttpTransport } from '../../transport/http-server';
import { httpFrom } from '../../test/from-address';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  claims,
  connectPeer,
  getToken,
  joinedPeer,
  peerOf,
  post,
  waitFor,
} from '../../test/sse-client';
import type { Peer, SseClient, Token } from '../../test/sse-client';
import { mountRtcSse } from './mount';
import type { RtcSseMount } from './mount';
import { LimitHits } from '../../transport/limit-hits';

const KEY = 'sse-limits-key-0123456789abcdef';

describe('SSE signaling limits', () => {
  let t: TestHub;
  let base: string;
  let clock = Date.parse('2030-01-01T08:00:00Z');
  const streams: SseClient[] = [];
  const track = (p: Peer) => {
    streams.push(p.sse);
    return p;
  };

  before(async () => {
    t = await startHub(
      { RtcTokenKey: KEY, SignalMaxMessageBytes: 1024, SignalMessagesPerSecond: 2 },
      { now: () => clock }, // a still clock: the rate buckets refill only when a test moves it
    );
    base = `${t.httpUrl}/rtc`;
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.stop();
  });

  test('request bodies over SignalMaxMessageBytes are 413', async () => {
    const a = track(await joinedPeer(base, 'a', 'big'));
    clock += 10_000;
    const b = track(await joinedPeer(base, 'b', 'big'));
    const big = { sdp: 'x'.repeat(1100) };
    const relay = await post(`${base}/relay/${a.id}/session-description`, b.token, big);
    assert.equal(relay.status, 413);
    assert.equal(
      (await post(`${base}/access`, undefined, { username: 'x'.repeat(1100) })).status,
      413,
    );
    assert.equal((await post(`${base}/big/join`, b.token, big)).status, 413);
    const fits = { sdp: 'x'.repeat(900) };
    assert.equal(
      (await post(`${base}/relay/${a.id}/session-description`, b.token, fits)).status,
      200,
    );
    assert.deepEqual((await a.sse.next('session-description')).data, fits);
    assert.equal(
      a.sse.received.filter((r) => r.type === 'session-description').length,
      1,
      'the refused relay was not delivered',
    );
  });

  test('more than SignalMessagesPerSecond requests per token is 429, each token alone', async () => {
    clock += 10_000;
    const a = track(await joinedPeer(base, 'a', 'rate')); // join: 1 of a burst of 4
    const b = track(await joinedPeer(base, 'b', 'rate'));
    const send = (from: Peer, to: Peer) =>
      post(`${base}/relay/${to.id}/ice-candidate`, from.token, {});
    for (let i = 0; i < 3; i++) assert.equal((await send(a, b)).status, 200);
    const limited = await send(a, b);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal((await post(`${base}/rate/join`, a.token)).status, 429);
    assert.equal((await send(b, a)).status, 200, 'another token has its own budget');
    // A refresh keeps the peer id, and so the budget.
    const refreshed = (await (await post(`${base}/access`, a.token)).json()) as Token;
    assert.equal((await send({ ...a, token: refreshed.token }, b)).status, 429);
    clock += 1000; // two more per second
    assert.equal((await send(a, b)).status, 200);
    assert.equal((await send(a, b)).status, 200);
    assert.equal((await send(a, b)).status, 429);
  });
});

describe('SSE signaling in the session registry', () => {
  let t: TestHub;
  let base: string;
  const streams: SseClient[] = [];
  const track = (p: Peer) => {
    streams.push(p.sse);
    return p;
  };
  const entryOf = (p: Peer, room: string) => {
    const entry = t.hub.registry
      .clients({ protocol: 'rtc-sse', room })
      .find((c) => c.userId === claims(p.token).username);
    assert.ok(entry, `no registry entry for ${p.id} in ${room}`);
    return entry;
  };

  before(async () => {
    t = await startHub({ RtcTokenKey: KEY });
    base = `${t.httpUrl}/rtc`;
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.stop();
  });

  test('stats count rtc-sse rooms and peers; a peer in two rooms counts in each', async () => {
    const before = t.hub.stats().byProtocol['rtc-sse'] ?? { rooms: 0, clients: 0 };
    track(await joinedPeer(base, 'stats-a', 'stats-1'));
    const b = track(await joinedPeer(base, 'stats-b', 'stats-1'));
    assert.equal((await post(`${base}/stats-2/join`, b.token)).status, 200);
    const stats = t.hub.stats().byProtocol['rtc-sse'];
    assert.deepEqual(stats, { rooms: before.rooms + 2, clients: before.clients + 3 });
    const entry = entryOf(b, 'stats-2');
    assert.equal(entry.remoteAddress, '127.0.0.1');
    assert.deepEqual(
      t.hub.registry
        .rooms('rtc-sse')
        .map((r) => r.name)
        .filter((n) => n.startsWith('stats'))
        .sort(),
      ['stats-1', 'stats-2'],
    );
  });

  test('kick ends the stream, tells the room, and refuses the token afterwards', async () => {
    const a = track(await joinedPeer(base, 'kick-a', 'kick'));
    const b = track(await joinedPeer(base, 'kick-b', 'kick'));
    assert.equal(t.hub.registry.kick(entryOf(a, 'kick').id, 'disruptive'), true);
    assert.deepEqual(await a.sse.next('kicked'), { reason: 'disruptive', _id: '' });
    const removed = await b.sse.next('remove-peer');
    assert.deepEqual(removed.peer, peerOf(a.token));
    assert.equal(removed.roomId, 'kick');
    // The stream ended; the client's own reconnection is refused, so it stops.
    await a.sse.until(() => a.sse.errors.find((e) => e.code === 403), 15_000);
    assert.equal(a.sse.es.readyState, a.sse.es.CLOSED);
    assert.equal(t.hub.registry.clients({ protocol: 'rtc-sse', room: 'kick' }).length, 1);
    assert.equal((await post(`${base}/access`, a.token)).status, 403);
    assert.equal((await post(`${base}/kick/join`, a.token)).status, 403);
    assert.equal((await post(`${base}/relay/${b.id}/x`, a.token, {})).status, 403);
    // A kick is not a ban: a new token is a new peer.
    const fresh = track(await joinedPeer(base, 'kick-a', 'kick'));
    const announced = await b.sse.next<{ offer: boolean; peer: unknown }>(
      'add-peer',
      (d) => !d.offer,
    );
    assert.deepEqual(announced.peer, peerOf(fresh.token));
  });

  test('kicking a room ends every member stream', async () => {
    const a = track(await joinedPeer(base, 'room-a', 'kick-room'));
    const b = track(await joinedPeer(base, 'room-b', 'kick-room'));
    assert.equal(t.hub.registry.kickRoom('rtc-sse', 'kick-room', 'lesson over'), 2);
    await a.sse.next('kicked');
    await b.sse.next('kicked');
    assert.equal(t.hub.registry.rooms('rtc-sse').filter((r) => r.name === 'kick-room').length, 0);
  });

  test('without write permission a peer cannot relay in that room; without read it is kicked', async () => {
    const a = track(await joinedPeer(base, 'perm-a', 'perm'));
    const b = track(await joinedPeer(base, 'perm-b', 'perm'));
    const readOnly = { read: true, write: false, admin: false };
    assert.equal(t.hub.registry.setClientPermissions(entryOf(b, 'perm').id, readOnly), true);
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`, b.token, {})).status, 403);
    assert.equal((await post(`${base}/relay/${b.id}/ice-candidate`, a.token, {})).status, 200);
    const none = { read: false, write: false, admin: false };
    t.hub.registry.setClientPermissions(entryOf(b, 'perm').id, none);
    await b.sse.next('kicked');
    await a.sse.next('remove-peer');
  });

  test('hub stop ends open streams', async () => {
    const other = await startHub({ RtcTokenKey: KEY });
    const peer = await connectPeer(`${other.httpUrl}/rtc`, 'stopping');
    streams.push(peer.sse);
    await other.stop();
    await peer.sse.until(() => peer.sse.errors.length > 0);
    peer.sse.close();
  });
});

describe('SSE signaling leaves nothing behind', () => {
  const clock = { now: Date.parse('2030-01-01T08:00:00Z') };
  let transport: HttpTransport;
  let store: DocumentStore;
  let mount: RtcSseMount;
  let bus: LocalBus;
  let registry: SessionRegistry;
  let base: string;
  const streams: SseClient[] = [];

  before(async () => {
    const config = completeConfig({
      Database: 'memory',
      RtcTokenKey: KEY,
      RtcTokenSeconds: 60,
      LogLevel: 'silent',
    });
    const log = createLogger({ level: 'silent' });
    transport = new HttpTransport({
      compression: false,
      maxMessageBytes: config.MaxMessageBytes,
      maxQueuedBytes: config.MaxQueuedBytes,
      keepaliveMs: 0,
      log,
    });
    const now = () => clock.now;
    store = openStore(config, now);
    bus = new LocalBus();
    registry = new SessionRegistry();
    mount = mountRtcSse(
      transport,
      {
        config,
        store,
        registry,
        bus,
        log,
        now,
        faults: new StorageFaults(now),
        credentials: new CredentialThrottle(config.TokenFailuresPerMinute, log, now),
        limitHits: new LimitHits(),
      },
      { pingMs: 50, resumeWindowMs: 1000 },
    );
    const address: AddressInfo = await transport.listen('127.0.0.1', 0);
    base = `http://127.0.0.1:${address.port}/rtc`;
  });
  after(async () => {
    for (const s of streams) s.close();
    await mount.stop?.();
    await transport.close();
    await store.close();
  });

  test('pings carry JSON data and no id, so they are never replayed', async () => {
    const { token } = await getToken(base, 'pinged');
    const controller = new AbortController();
    const res = await fetch(`${base}/connect?token=${token}`, {
      headers: { Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: ping')) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString('utf8');
    }
    while (!text.endsWith('\n\n')) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString('utf8');
    }
    const frames = text.split('\n\n').filter(Boolean);
    assert.match(frames[0]!, /^id: .+\nevent: connected\ndata: \{/);
    assert.equal(frames.at(-1), 'event: ping\ndata: {}');
    controller.abort();
  });

  test('the timer pushes a new token once the current one nears expiry', async () => {
    const peer = await connectPeer(base, 'timer');
    streams.push(peer.sse);
    assert.equal(peer.sse.received.filter((r) => r.type === 'token').length, 0);
    clock.now += 50_000; // 10 s left of 60: inside the last fifth
    const pushed = await peer.sse.next<{ token: string }>('token');
    assert.equal(claims(pushed.token).id, peer.id);
    assert.equal(Number(claims(pushed.token).exp), Math.floor(clock.now / 1000) + 60);
    peer.sse.close();
  });

  test('a stream that does not come back leaves its rooms; then no timer, subscription or entry is left', async () => {
    const a = await joinedPeer(base, 'gone', 'leak');
    const b = await joinedPeer(base, 'stays', 'leak');
    streams.push(a.sse, b.sse);
    assert.equal(mount.signaling.state.ticking, true);
    a.sse.cut(); // dropped, not closed: only the resume window ends it
    // Only the resume window decides: move the clock past it.
    await waitFor(() => mount.signaling.state.streams === 1);
    clock.now += 1000;
    const removed = await b.sse.next('remove-peer');
    assert.deepEqual(removed.peer, peerOf(a.token));
    b.sse.close();
    await waitFor(() => mount.signaling.state.streams === 0);
    clock.now += 1000;
    await waitFor(() => mount.signaling.state.sessions === 0);
    assert.deepEqual(mount.signaling.state, {
      sessions: 0,
      streams: 0,
      ticking: false,
      bufferedBytes: 0,
    });
    assert.equal(bus.topicCount, 0, 'every peer topic subscription ended');
    assert.deepEqual(registry.stats(), { rooms: 0, clients: 0, byProtocol: {} });
  });

  test('many streams opened and closed leave nothing running', async () => {
    for (let i = 0; i < 20; i++) {
      const p = await joinedPeer(base, `churn-${i}`, 'churn');
      streams.push(p.sse);
      p.sse.close();
    }
    await waitFor(() => mount.signaling.state.streams === 0);
    clock.now += 1000; // past the resume window: the timer sweeps them all
    await waitFor(() => mount.signaling.state.sessions === 0);
    assert.deepEqual(mount.signaling.state, {
      sessions: 0,
      streams: 0,
      ticking: false,
      bufferedBytes: 0,
    });
    assert.equal(bus.topicCount, 0);
  });
});

// docs/protocols/sse.md#limits
describe('SSE signaling: peers per address and per room', () => {
  let t: TestHub;
  let base: string;
  const streams: SseClient[] = [];
  before(async () => {
    t = await startHub({ RtcTokenKey: KEY, RtcPeersPerMinute: 3, RtcMaxPeersPerRoom: 2 });
    base = `${t.httpUrl}/rtc`;
  });
  after(async () => {
    for (const s of streams) s.close();
    await t.stop();
  });

  const access = (from: string, token?: string) =>
    httpFrom(from, `${base}/access`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ username: 'student' }),
    });

  test('new peers from one address past RtcPeersPerMinute get 429 with Retry-After; refreshes and other addresses do not count', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await access('127.0.0.2');
      assert.equal(ok.status, 200, `peer ${i + 1}`);
      tokens.push((JSON.parse(ok.text) as Token).token);
    }
    const refused = await access('127.0.0.2');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '20', 'one peer a minute / 3');
    assert.match(refused.text, /too many new peers from this address/);
    assert.equal((await access('127.0.0.2', tokens[0])).status, 200, 'a refresh');
    assert.equal((await access('127.0.0.3')).status, 200, 'another address');
  });

  test('a room holds RtcMaxPeersPerRoom peers: one more gets 403, and another room still takes it', async () => {
    for (const name of ['a', 'b']) streams.push((await joinedPeer(base, name, 'small')).sse);
    const c = await connectPeer(base, 'c');
    streams.push(c.sse);
    const full = await post(`${base}/small/join`, c.token);
    assert.equal(full.status, 403);
    assert.match(await full.text(), /the room is full/);
    assert.equal((await post(`${base}/other/join`, c.token)).status, 200);
  });
});
