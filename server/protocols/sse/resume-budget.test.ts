// What SSE signaling keeps for a dropped stream to resume
// (docs/protocols/sse.md#resuming-with-last-event-id): at most
// RtcResumeBytesPerPeer per peer, and RtcResumeBytes for the hub, shared out
// when many peers would pass it; old events go once the resume window has
// passed, and a peer that joins no room is ended. A peer that missed more than
// was kept starts over; the others go on. Real `eventsource` clients.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startBareTransport } from '../../test/bare-transport';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { connectPeer, joinedPeer, post, SseClient, waitFor } from '../../test/sse-client';
import type { Peer } from '../../test/sse-client';
import { mountRtcSse } from './mount';

const KEY = 'sse-resume-budget-key-0123456789';
const streams: SseClient[] = [];
const hubs: { stop(): Promise<void> }[] = [];
after(async () => {
  for (const s of streams) s.close();
  for (const h of hubs) await h.stop();
});

function track(p: Peer): Peer {
  streams.push(p.sse);
  return p;
}

async function hits(t: TestHub, limit: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`lanboard_limit_hits_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * `a`'s stream drops, `b` relays `count` offers of `bytes` to it, and `a`
 * comes back with the id of the last event it saw: resumed or not, and the
 * offers it was given again.
 */
async function missAndReturn(base: string, a: Peer, b: Peer, count: number, bytes: number) {
  const last = a.sse.received.at(-1)!.lastEventId;
  a.sse.cut();
  for (let i = 0; i < count; i++) {
    const offer = { type: 'offer', sdp: `${i}:`.padEnd(bytes, 'x') };
    assert.equal(
      (await post(`${base}/relay/${a.id}/session-description`, b.token, offer)).status,
      200,
    );
  }
  const again = new SseClient(
    `${base}/connect?token=${encodeURIComponent(a.token)}&lastEventId=${encodeURIComponent(last)}`,
  );
  streams.push(again);
  const connected = await again.next('connected');
  // What arrives in the same burst as `connected`: the replay, if any.
  await new Promise((r) => setTimeout(r, 200));
  const replayed = again.received.filter((r) => r.type === 'session-description').length;
  a.sse = again;
  return { resumed: connected.resumed as boolean, replayed };
}

describe('SSE resume buffers', () => {
  test('a peer resumes while what it missed fits RtcResumeBytesPerPeer; past it, it starts over', async () => {
    const t = await startHub({ RtcTokenKey: KEY, RtcResumeBytesPerPeer: 8192 });
    hubs.push(t);
    const base = `${t.httpUrl}/rtc`;
    const a = track(await joinedPeer(base, 'a', 'kept'));
    const b = track(await joinedPeer(base, 'b', 'kept'));
    await a.sse.next('add-peer');

    assert.deepEqual(await missAndReturn(base, a, b, 3, 1000), { resumed: true, replayed: 3 });
    assert.equal(await hits(t, 'RtcResumeBytesPerPeer'), 0);
    // 12 offers of 1000 bytes do not fit in 8 KiB: the oldest went.
    assert.deepEqual(await missAndReturn(base, a, b, 12, 1000), { resumed: false, replayed: 0 });
    assert.ok((await hits(t, 'RtcResumeBytesPerPeer')) > 0);

    // Started over, it joins again as the original client does, and relays reach it.
    assert.equal((await post(`${base}/kept/join`, a.token)).status, 200);
    assert.equal((await post(`${base}/relay/${a.id}/ice-candidate`, b.token, {})).status, 200);
    await a.sse.next('ice-candidate');
  });

  test('many peers share RtcResumeBytes: each keeps its share', async () => {
    // 64 KiB for the hub, 32 KiB per peer: with 4 peers, 16 KiB each.
    const t = await startHub({
      RtcTokenKey: KEY,
      RtcResumeBytes: 64 * 1024,
      RtcResumeBytesPerPeer: 32 * 1024,
    });
    hubs.push(t);
    const base = `${t.httpUrl}/rtc`;
    const a = track(await joinedPeer(base, 'a', 'shared'));
    const b = track(await joinedPeer(base, 'b', 'shared'));
    await a.sse.next('add-peer');
    // Two peers: 32 KiB each. 20 KiB missed fits.
    assert.deepEqual(await missAndReturn(base, a, b, 20, 1000), { resumed: true, replayed: 20 });
    for (const name of ['c', 'd']) track(await joinedPeer(base, name, 'shared'));
    // Four peers: 16 KiB each. The same 20 KiB no longer does.
    assert.deepEqual(await missAndReturn(base, a, b, 20, 1000), { resumed: false, replayed: 0 });
  });

  test('a peer that joins no room is ended; a peer in a room stays, its old events dropped', async () => {
    const bare = await startBareTransport({ RtcTokenKey: KEY }, (transport, context) =>
      mountRtcSse(transport, context, { pingMs: 50, idleMs: 300, resumeWindowMs: 300 }),
    );
    hubs.push(bare);
    const base = `${bare.httpUrl}/rtc`;
    const idle = track(await connectPeer(base, 'idle'));
    const busy = track(await joinedPeer(base, 'busy', 'room'));
    await waitFor(() => bare.mounted.signaling.state.sessions === 1, 5000, 'the idle peer stays');
    idle.sse.close(); // it would reconnect, as a new peer
    // The peer in a room still gets relays.
    const other = track(await joinedPeer(base, 'other', 'room'));
    assert.equal(
      (await post(`${base}/relay/${busy.id}/ice-candidate`, other.token, {})).status,
      200,
    );
    await busy.sse.next('ice-candidate');
    // Past the resume window, nothing is kept for it, though its stream stays open.
    assert.ok(bare.mounted.signaling.state.bufferedBytes > 0);
    await waitFor(() => bare.mounted.signaling.state.bufferedBytes === 0, 5000, 'events kept');
    assert.equal(bare.mounted.signaling.state.streams, 2);
  });
});
