// Three hubs sharing one real redis-server (Database=redis), then three
// sharing one real PostgreSQL database (Database=postgresql, the bus on
// LISTEN/NOTIFY): clients spread across them see one document, one set of
// keys, one Yjs room and one set of signaling topics, as if there were one hub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChatClient } from '../test/chat-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { postgresUnavailable, startPostgres } from '../test/postgres-server';
import { startRedis } from '../test/redis-server';
import { joinedPeer, post, waitFor } from '../test/sse-client';
import type { Peer } from '../test/sse-client';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import { setKeyMessage, ZwibblerClient } from '../test/zwibbler-client';
import { ZwibblerWriter } from '../test/zwibbler-writer';

/** A shared database for three hubs: their settings, and how to stop it. */
interface Shared {
  settings: Record<string, string>;
  stop(): Promise<void>;
}

const BACKENDS: { name: string; skip?: string; start(): Promise<Shared> }[] = [
  {
    name: 'Redis',
    async start() {
      const redis = await startRedis();
      return { settings: { Database: 'redis', DbServer: redis.server }, stop: () => redis.stop() };
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgresUnavailable(),
    async start() {
      const server = await startPostgres();
      return { settings: { ...server.settings }, stop: () => server.stop() };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`three hubs on one ${backend.name}`, { skip: backend.skip }, () => {
    let shared: Shared;
    const hubs: TestHub[] = [];
    const closers: (() => unknown)[] = [];
    const zwibblerUrl = (i: number) => `${hubs[i % hubs.length]!.wsUrl}/socket`;

    before(async () => {
      shared = await backend.start();
      for (let i = 0; i < 3; i++) hubs.push(await startHub({ ...shared.settings }));
    });

    after(async () => {
      for (const close of closers) await close();
      for (const hub of hubs) await hub.stop();
      await shared?.stop();
    });

    async function writer(i: number, docId: string, initialData?: string) {
      const w = await ZwibblerWriter.join(zwibblerUrl(i), { docId, initialData });
      closers.push(() => w.close());
      return w;
    }

    async function client(i: number, docId: string) {
      const c = await ZwibblerClient.join(zwibblerUrl(i), { docId });
      closers.push(() => c.close());
      return c;
    }

    describe('Zwibbler documents across hubs', () => {
      test('racing appends from every hub: one winner per offset, identical bytes everywhere', async () => {
        const first = await writer(0, 'race', 'start');
        const writers = [first];
        for (let i = 1; i < 6; i++) writers.push(await writer(i, 'race'));
        const perWriter = 15;
        await Promise.all(
          writers.map(async (w, i) => {
            for (let n = 0; n < perWriter; n++) await w.write(`[w${i}:${n}]`);
          }),
        );
        const acked = writers.flatMap((w) => w.acked);
        const total = 5 + acked.reduce((sum, a) => sum + a.data.length, 0);
        await Promise.all(writers.map((w) => w.reach(total)));
        const reference = writers[0]!.bytes();
        assert.equal(reference.length, total);
        for (const w of writers) assert.deepEqual(w.bytes(), reference);
        assert.equal(
          new Set(acked.map((a) => a.offset)).size,
          acked.length,
          'two acks, one offset',
        );
        for (const a of acked) {
          assert.deepEqual(reference.subarray(a.offset, a.offset + a.data.length), a.data);
        }
        // A newcomer on any hub loads the same bytes.
        const late = await writer(2, 'race');
        assert.deepEqual(late.bytes(), reference);
      });

      test('keys of both lifetimes, broadcasts and a leaver’s key removal cross hubs', async () => {
        const a = await client(0, 'keys');
        const b = await client(1, 'keys');
        const c = await client(2, 'keys');
        a.send(setKeyMessage({ name: 'cursor', value: 'a@10,20', newVersion: 1 }));
        await a.nextOf('set-key-ack-nack');
        for (const other of [b, c]) {
          const info = await other.nextOf('key-information');
          assert.equal(Buffer.from(info.keys[0]!.value).toString(), 'a@10,20');
        }
        b.send(setKeyMessage({ name: 'title', value: 'Fractions', lifetime: 1, newVersion: 1 }));
        assert.equal((await b.nextOf('set-key-ack-nack')).accepted, true);
        assert.equal(
          Buffer.from((await c.nextOf('key-information')).keys[0]!.name).toString(),
          'title',
        );

        // Compare-and-set holds across hubs: the client key is at version 1, not 0.
        c.send(setKeyMessage({ name: 'cursor', value: 'stolen', newVersion: 5 }));
        assert.equal((await c.nextOf('set-key-ack-nack')).accepted, false);

        const d = await client(2, 'keys');
        const names = (await d.nextOf('key-information')).keys.map((k) =>
          Buffer.from(k.name).toString(),
        );
        assert.deepEqual(names.sort(), ['cursor', 'title']);

        c.send({ type: 'broadcast', data: Buffer.from('hello from hub 2') });
        for (const other of [a, b]) {
          assert.equal(
            Buffer.from((await other.nextOf('broadcast')).data).toString(),
            'hello from hub 2',
          );
        }

        await a.close();
        const removal = await b.nextOf('key-information');
        assert.deepEqual(
          removal.keys.map((k) => [Buffer.from(k.name).toString(), k.version, k.value.length]),
          [['cursor', 2, 0]],
        );
      });
    });

    describe('Yjs across hubs', () => {
      test('providers on different hubs converge, and awareness crosses and is removed', async () => {
        const providers: TestProvider[] = hubs.map((h) => openProvider(h.wsUrl, 'shared-board'));
        closers.push(() => providers.forEach((p) => p.destroy()));
        await Promise.all(providers.map((p) => p.synced()));
        providers.forEach((p, i) =>
          p.doc.getArray<string>('strokes').push([`stroke from hub ${i}`]),
        );
        const sorted = (p: TestProvider) => [...p.doc.getArray<string>('strokes').toArray()].sort();
        await waitFor(
          () => providers.every((p) => sorted(p).length === 3),
          10_000,
          'strokes did not reach every hub',
        );
        for (const p of providers) assert.deepEqual(sorted(p), sorted(providers[0]!));

        providers[0]!.provider.awareness.setLocalStateField('user', { name: 'Ann' });
        const annId = providers[0]!.doc.clientID;
        await waitFor(
          () => providers[2]!.provider.awareness.getStates().has(annId),
          10_000,
          'awareness did not cross',
        );
        providers[0]!.provider.ws?.close();
        providers[0]!.provider.shouldConnect = false;
        await waitFor(
          () => !providers[2]!.provider.awareness.getStates().has(annId),
          10_000,
          'awareness removal did not cross',
        );
      });

      test('a room loaded later on another hub gets what the first hub has', async () => {
        const early = openProvider(hubs[0]!.wsUrl, 'late-load');
        closers.push(() => early.destroy());
        await early.synced();
        early.doc.getText('t').insert(0, 'written on hub 0');
        await waitFor(() => hubs[0]!.hub.stats().yjsRoomsInMemory > 0, 5000, 'room loaded');
        const late = openProvider(hubs[1]!.wsUrl, 'late-load');
        closers.push(() => late.destroy());
        await late.synced();
        await waitFor(
          () => late.doc.getText('t').toString() === 'written on hub 0',
          10_000,
          'content did not reach the late hub',
        );
      });
    });

    describe('signaling across hubs', () => {
      test('a y-webrtc publish on one hub reaches a subscriber on another', async () => {
        const open = async (i: number) => {
          const c = await ChatClient.open(`${hubs[i]!.wsUrl}/signal`, { protocols: [] });
          closers.push(() => c.ws.close());
          return c;
        };
        const listener = await open(0);
        const speaker = await open(1);
        listener.sendRaw(JSON.stringify({ type: 'subscribe', topics: ['room-7'] }));
        speaker.sendRaw(JSON.stringify({ type: 'subscribe', topics: ['room-7'] }));
        await waitFor(
          () => hubs[0]!.hub.registry.clients({ protocol: 'y-webrtc' }).length > 0,
          5000,
          'not subscribed',
        );
        speaker.sendRaw(JSON.stringify({ type: 'publish', topic: 'room-7', data: 'offer-from-1' }));
        const message = JSON.parse(await listener.next()) as { type: string; data: string };
        assert.equal(message.type, 'publish');
        assert.equal(message.data, 'offer-from-1');
      });

      test('SSE peers on different hubs are offered to each other and relay to each other', async () => {
        const base = (i: number) => `${hubs[i]!.httpUrl}/rtc`;
        const peers: Peer[] = [];
        closers.push(() => peers.forEach((p) => p.sse.close()));
        const alice = await joinedPeer(base(0), 'alice', 'class-3');
        peers.push(alice);
        // Bob joins on another hub once hub 1 has heard of Alice.
        await new Promise((r) => setTimeout(r, 200));
        const bob = await joinedPeer(base(1), 'bob', 'class-3');
        peers.push(bob);
        const offered = (await bob.sse.next('add-peer')) as {
          peer: { id: string };
          offer: boolean;
        };
        assert.equal(offered.peer.id, alice.id);
        assert.equal(offered.offer, true);
        const told = (await alice.sse.next('add-peer')) as { peer: { id: string }; offer: boolean };
        assert.equal(told.peer.id, bob.id);
        assert.equal(told.offer, false);

        const res = await post(`${base(1)}/relay/${alice.id}/session-description`, bob.token, {
          type: 'offer',
          sdp: 'v=0 from bob',
        });
        assert.equal(res.status, 200);
        const relayed = (await alice.sse.next('session-description')) as {
          peer: { id: string };
          data: { sdp: string };
        };
        assert.equal(relayed.peer.id, bob.id);
        assert.equal(relayed.data.sdp, 'v=0 from bob');

        // A peer on another hub looks as a local one does, and leaves once.
        const claims = ['exp', 'iat', 'id', 'username'];
        assert.deepEqual(Object.keys(offered.peer).sort(), claims);
        assert.deepEqual(Object.keys(told.peer).sort(), claims);
        const [aliceClient] = hubs[0]!.hub.registry.clients({
          protocol: 'rtc-sse',
          userId: 'alice',
        });
        assert.ok(hubs[0]!.hub.registry.kick(aliceClient!.id, 'test'));
        const removed = (await bob.sse.next('remove-peer')) as { peer: object; roomId: string };
        assert.deepEqual([removed.peer, removed.roomId], [offered.peer, 'class-3']);
        // A second one would come from Alice's hub or Bob's within a few bus round trips.
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(bob.sse.received.filter((r) => r.type === 'remove-peer').length, 1);
      });

      test('an SSE peer that closes its stream is removed on the other hubs within 1 s', async () => {
        const base = (i: number) => `${hubs[i]!.httpUrl}/rtc`;
        const carol = await joinedPeer(base(0), 'carol', 'class-4');
        await new Promise((r) => setTimeout(r, 200)); // hub 1 hears of Carol
        const dave = await joinedPeer(base(1), 'dave', 'class-4');
        closers.push(() => dave.sse.close());
        assert.equal((await carol.sse.next('add-peer')).offer, false);
        carol.sse.close(); // her tab closes
        // The acceptance criterion is the deadline, through the bus and Redis.
        const removed = await dave.sse.next('remove-peer', () => true, 1000);
        assert.deepEqual(
          [(removed.peer as { id: string }).id, removed.roomId],
          [carol.id, 'class-4'],
        );
      });
    });
  });
}
