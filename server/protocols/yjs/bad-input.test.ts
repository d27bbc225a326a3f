// Malformed frames and every Yjs limit: each closes only the offending
// connection, with a code and a reason, while a bystander in the same room
// keeps syncing (docs/architecture.md#bad-input-never-crashes-the-hub).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { hex } from '../../test/messages';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { encodeAwareness, encodeSyncStep1, encodeUpdate } from './codec';

const MAX_UPDATE = 4096;
const MAX_ROOM = 64 * 1024;

let t: TestHub;
let writer: TestProvider;
let bystander: TestProvider;
const raws: RawYjsClient[] = [];

async function raw(room = 'shared'): Promise<RawYjsClient> {
  const c = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}`);
  raws.push(c);
  await c.nextOf('sync-step1');
  return c;
}

/** The bystander still receives a fresh edit from the writer. */
async function assertStillServing(): Promise<void> {
  const mark = `ok-${Math.random().toString(36).slice(2, 8)};`;
  writer.doc.getText('t').insert(0, mark);
  await waitFor(
    () => bystander.doc.getText('t').toString().includes(mark),
    10_000,
    'the bystander stopped receiving',
  );
}

before(async () => {
  t = await startHub({
    YjsMaxUpdateBytes: MAX_UPDATE,
    YjsMaxRoomBytes: MAX_ROOM,
    YjsMaxRooms: 4,
  });
  writer = openProvider(t.wsUrl, 'shared');
  bystander = openProvider(t.wsUrl, 'shared');
  await Promise.all([writer.synced(), bystander.synced()]);
});

after(async () => {
  for (const c of raws) c.close();
  writer.destroy();
  bystander.destroy();
  await t.stop();
});

describe('malformed frames', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a truncated varint', '80', 1002, /truncated varint/],
    ['an unknown message type', '07', 1002, /unknown message type 7/],
    ['an unknown sync type', '00 05 00', 1002, /unknown sync message type 5/],
    ['an unknown sync type, no payload', '00 05', 1002, /unknown sync message type 5/],
    ['a length past the end of the frame', '00 02 7f 01', 1002, /runs past the end/],
    ['an update that is not Yjs', '00 02 06 ff ff ff ff ff ff', 1002, /malformed Yjs content/],
    ['a state vector that is not Yjs', '00 00 03 05 ff ff', 1002, /malformed Yjs content/],
  ];
  for (const [what, frame, code, reason] of cases) {
    test(`${what} closes that connection (${code}) and nobody else's`, async () => {
      const c = await raw();
      c.send(new Uint8Array(hex(frame)));
      const closed = await c.closed;
      assert.equal(closed.code, code);
      assert.match(closed.reason, reason);
      await assertStillServing();
    });
  }

  test('a text frame closes with 1003', async () => {
    const c = await raw();
    c.send('{"hello":"world"}');
    const closed = await c.closed;
    assert.equal(closed.code, 1003);
    await assertStillServing();
  });
});

describe('limits', () => {
  test(`an update over YjsMaxUpdateBytes (${MAX_UPDATE}) closes with 1009`, async () => {
    const c = await raw();
    const doc = new Y.Doc();
    let update: Uint8Array = new Uint8Array();
    doc.on('update', (u: Uint8Array) => (update = u));
    doc.getText('t').insert(0, 'x'.repeat(MAX_UPDATE + 1));
    c.send(encodeUpdate(update));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    doc.destroy();
    assert.ok(!bystander.doc.getText('t').toString().includes('xxxx'));
    await assertStillServing();
  });

  test(`a room past YjsMaxRoomBytes (${MAX_ROOM}) refuses the update with 1009`, async () => {
    const c = await raw('filling');
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 40; i++) doc.getText('t').insert(0, 'y'.repeat(MAX_UPDATE - 100));
    for (const u of updates) c.send(encodeUpdate(u));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, /room is full/);
    doc.destroy();
    await assertStillServing();
  });

  test('a full room still takes an update that brings nothing new (a resync), and keeps serving', async () => {
    const filler = await raw('full-resync');
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 40; i++) doc.getText('t').insert(0, 'z'.repeat(MAX_UPDATE - 100));
    for (const u of updates) filler.send(encodeUpdate(u));
    assert.equal((await filler.closed).code, 1009);
    // Another client sends again what the room already holds: no growth, so no refusal.
    const again = await raw('full-resync');
    again.send(encodeUpdate(updates[0]!));
    again.send(encodeSyncStep1(new Uint8Array([0])));
    const answer = await again.nextOf('sync-step2');
    assert.ok(answer.update.length > MAX_UPDATE - 100, 'the stored content comes back');
    again.close(); // the YjsMaxRooms test below needs this room out of memory
    doc.destroy();
    await assertStillServing();
  });

  test('more Yjs rooms than YjsMaxRooms in memory closes the newcomer with 1013', async () => {
    // Only 'shared' stays in memory once the rooms of earlier tests have unloaded.
    await waitFor(() => t.hub.stats().yjsRoomsInMemory === 1, 10_000, 'earlier rooms unloaded');
    const held = [await raw('r-a'), await raw('r-b'), await raw('r-c')];
    assert.equal(t.hub.stats().yjsRoomsInMemory, 4);
    const c = await RawYjsClient.open(`${t.wsUrl}/yjs/r-d`);
    raws.push(c);
    const closed = await c.closed;
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /YjsMaxRooms/);
    for (const h of held) h.close();
    await assertStillServing();
  });

  test('a connection claiming too many awareness client IDs is closed with 1008', async () => {
    const c = await raw();
    const doc = new Y.Doc();
    const ids: number[] = [];
    const awareness = new Awareness(doc);
    const states = awareness.getStates();
    for (let i = 1; i <= 40; i++) {
      states.set(i, { n: i });
      awareness.meta.set(i, { clock: 1, lastUpdated: Date.now() });
      ids.push(i);
    }
    c.send(encodeAwareness(encodeAwarenessUpdate(awareness, ids)));
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /awareness client IDs/);
    // Its IDs are gone from the room: the bystander holds none of them.
    await waitFor(
      () => ids.every((id) => !bystander.provider.awareness.getStates().has(id)),
      10_000,
      'spoofed awareness states left behind',
    );
    awareness.destroy();
    doc.destroy();
  });
});
