// y-websocket rooms against the real WebsocketProvider and raw sockets
// (docs/protocols/yjs.md#connection-sequence): sync, echo, awareness, the raw
// room name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeAwarenessUpdate, Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import { ZwibblerClient } from '../../test/zwibbler-client';
import type { TestProvider } from '../../test/yjs-client';
import { encodeAwareness, encodeSyncStep1, encodeUpdate, QUERY_AWARENESS } from './codec';

let t: TestHub;
const open: TestProvider[] = [];
const raws: RawYjsClient[] = [];

function provider(room: string, options?: Parameters<typeof openProvider>[2]): TestProvider {
  const p = openProvider(t.wsUrl, room, options);
  open.push(p);
  return p;
}

async function raw(path: string, protocols?: string[]): Promise<RawYjsClient> {
  const client = await RawYjsClient.open(`${t.wsUrl}${path}`, protocols);
  raws.push(client);
  return client;
}

const text = (p: TestProvider): string => p.doc.getText('t').toString();

before(async () => {
  t = await startHub();
});

after(async () => {
  for (const p of open) p.destroy();
  for (const r of raws) r.close();
  await t.stop();
});

describe('sync with the real provider', () => {
  test('two providers on one room converge after concurrent edits', async () => {
    const a = provider('converge');
    const b = provider('converge');
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'left ');
    b.doc.getText('t').insert(0, 'right ');
    await waitFor(() => text(a) === text(b) && text(a).length === 11, 10_000, 'no convergence');
    assert.match(text(a), /left/);
    assert.match(text(a), /right/);
  });

  test('edits made offline are sent on reconnect and reach the other provider', async () => {
    const a = provider('offline');
    const b = provider('offline');
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'online;');
    await waitFor(() => text(b) === 'online;', 10_000, 'first edit not received');
    a.provider.disconnect();
    a.doc.getText('t').insert(text(a).length, 'offline-a;');
    b.doc.getText('t').insert(0, 'meanwhile-b;');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!text(b).includes('offline-a'), 'an offline edit must not arrive while offline');
    a.provider.connect();
    await waitFor(
      () => text(a) === text(b) && text(a).includes('offline-a') && text(a).includes('meanwhile-b'),
      10_000,
      'offline edits did not converge',
    );
  });

  test('awareness propagates, and a disconnected client is removed on the others', async () => {
    const a = provider('presence');
    const b = provider('presence');
    await Promise.all([a.synced(), b.synced()]);
    a.provider.awareness.setLocalStateField('user', { name: 'Ann' });
    const annId = a.doc.clientID;
    await waitFor(
      () => (b.provider.awareness.getStates().get(annId) as { user?: { name: string } })?.user,
      10_000,
      'awareness not received',
    );
    // A socket that drops without saying goodbye: the hub removes its client IDs itself.
    a.provider.ws?.close();
    a.provider.shouldConnect = false;
    await waitFor(
      () => !b.provider.awareness.getStates().has(annId),
      10_000,
      'awareness state not removed',
    );
  });

  test('a late joiner gets the content and the current awareness states', async () => {
    const a = provider('late');
    await a.synced();
    a.doc.getText('t').insert(0, 'before you came');
    a.provider.awareness.setLocalStateField('user', { name: 'Bo' });
    await waitFor(() => t.hub.registry.clients({ room: 'late' }).length === 1, 5000, 'joined');
    const b = provider('late');
    await b.synced();
    assert.equal(text(b), 'before you came');
    await waitFor(
      () => b.provider.awareness.getStates().has(a.doc.clientID),
      10_000,
      'late joiner missed awareness',
    );
  });
});

describe('the wire, byte for byte', () => {
  test('SyncStep1 on open, SyncStep2 for every SyncStep1, the subprotocol echoed', async () => {
    const c = await raw('/yjs/wire-empty', ['y-test', 'other']);
    assert.equal(c.protocol, 'y-test');
    assert.equal(Buffer.from(await c.next()).toString('hex'), '00000100');
    c.send(encodeSyncStep1(Uint8Array.of(0)));
    assert.equal(Buffer.from(await c.next()).toString('hex'), '0001020000');
    c.send(encodeSyncStep1(Uint8Array.of(0)));
    assert.equal(Buffer.from(await c.next()).toString('hex'), '0001020000');
  });

  test('an update is echoed to its sender and broadcast to the others', async () => {
    const a = await raw('/yjs/wire-echo');
    const b = await raw('/yjs/wire-echo');
    await a.nextOf('sync-step1');
    await b.nextOf('sync-step1');
    const doc = new Y.Doc();
    let update: Uint8Array | undefined;
    doc.on('update', (u: Uint8Array) => (update = u));
    doc.getText('t').insert(0, 'hello');
    a.send(encodeUpdate(update!));
    assert.deepEqual((await a.nextOf('update')).update, update);
    assert.deepEqual((await b.nextOf('update')).update, update);
    doc.destroy();
  });

  test('awareness is echoed to its sender, and query-awareness is answered', async () => {
    const a = await raw('/yjs/wire-aware');
    await a.nextOf('sync-step1');
    const awareness = new Awareness(new Y.Doc());
    awareness.setLocalState({ user: { name: 'Cy' } });
    const frame = encodeAwareness(encodeAwarenessUpdate(awareness, [awareness.clientID]));
    a.send(frame);
    assert.deepEqual(await a.next(), frame);
    a.send(QUERY_AWARENESS);
    const answer = await a.nextOf('awareness');
    assert.deepEqual(encodeAwareness(answer.update), frame);
    awareness.destroy();
  });

  test('when a socket closes, its client IDs are removed with state null at the last clock', async () => {
    const a = await raw('/yjs/wire-leave');
    const b = await raw('/yjs/wire-leave');
    await a.nextOf('sync-step1');
    await b.nextOf('sync-step1');
    const awareness = new Awareness(new Y.Doc());
    awareness.setLocalState({ n: 1 });
    a.send(encodeAwareness(encodeAwarenessUpdate(awareness, [awareness.clientID])));
    await b.nextOf('awareness');
    a.close();
    const removal = await b.nextOf('awareness');
    // Decoded by y-protocols itself: the entry is the client at clock 1 with state null.
    const entries = decodeAwarenessEntries(removal.update);
    assert.deepEqual(entries, [{ clientId: awareness.clientID, clock: 1, state: 'null' }]);
    awareness.destroy();
  });

  test('the room is the raw path after the mount, not percent-decoded', async () => {
    const p = provider('my room/ä');
    await p.synced();
    const rooms = t.hub.registry.rooms('yjs').map((r) => r.name);
    assert.ok(rooms.includes('my%20room/%C3%A4'), `rooms were ${rooms.join(', ')}`);
  });

  test('a path with no room name is refused with 4400', async () => {
    const c = await raw('/yjs/');
    assert.equal((await c.closed).code, 4400);
  });

  test('a room name over 1024 bytes is refused with 4400 and the reason', async () => {
    const c = await raw(`/yjs/${'x'.repeat(1025)}`);
    assert.deepEqual(await c.closed, {
      code: 4400,
      reason: 'bad room name: the name is longer than 1024 bytes',
    });
    const fits = await raw(`/yjs/${'x'.repeat(1024)}`);
    await fits.nextOf('sync-step1');
  });
});

/** An awareness update's entries, read by hand: count, then (id, clock, JSON) each. */
function decodeAwarenessEntries(update: Uint8Array) {
  let pos = 0;
  const varUint = () => {
    let n = 0;
    let m = 1;
    for (;;) {
      const b = update[pos++]!;
      n += (b & 0x7f) * m;
      if (b < 0x80) return n;
      m *= 128;
    }
  };
  const out: { clientId: number; clock: number; state: string }[] = [];
  for (let count = varUint(); count > 0; count--) {
    const clientId = varUint();
    const clock = varUint();
    const length = varUint();
    const state = Buffer.from(update.subarray(pos, pos + length)).toString();
    pos += length;
    out.push({ clientId, clock, state });
  }
  return out;
}

describe('YjsPath=/', () => {
  test('rooms sit at the root, as with the stock server, and the other protocols keep their paths', async () => {
    const hub = await startHub({ YjsPath: '/' });
    const docs = [new Y.Doc(), new Y.Doc()];
    const providers = docs.map(
      (doc) =>
        new WebsocketProvider(hub.wsUrl, 'root-room', doc, {
          WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
          disableBc: true,
        }),
    );
    try {
      docs[0]!.getText('t').insert(0, 'at the root');
      await waitFor(() => docs[1]!.getText('t').toString() === 'at the root', 10_000, 'no sync');
      assert.deepEqual(
        hub.hub.registry.rooms('yjs').map((r) => r.name),
        ['root-room'],
      );
      const zwibbler = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: 'still-here' });
      assert.equal(zwibbler.messages[0]!.type, 'append');
      await zwibbler.close();
    } finally {
      for (const p of providers) p.destroy();
      for (const d of docs) d.destroy();
      await hub.stop();
    }
  });
});
