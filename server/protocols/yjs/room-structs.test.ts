// The rooms' heap budgets (YjsMaxRoomStructs, YjsMaxLiveStructs,
// docs/protocols/yjs.md#limits): a room, and the rooms in memory together,
// never hold more structs than their limits. The update that would pass one is
// refused whole with 1009, logged with the sender's address and counted;
// nothing the room held is lost, and small edits still go through.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { captureLog } from '../../test/captured-log';
import type { CapturedLog } from '../../test/captured-log';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { encodeUpdate } from './codec';

const ROOM_STRUCTS = 5000;
const LIVE_STRUCTS = 12_000;
let t: TestHub;
let log: CapturedLog;
const raws: RawYjsClient[] = [];
const providers: TestProvider[] = [];

before(async () => {
  log = captureLog('info');
  t = await startHub(
    {
      YjsMaxRoomStructs: ROOM_STRUCTS,
      YjsMaxLiveStructs: LIVE_STRUCTS,
      // Updates of thousands of entries are cut and applied in steps: refused whole all the same.
      YjsMaxUpdateStructs: 1000,
    },
    { logger: log.logger },
  );
});
after(async () => {
  for (const c of raws) c.close();
  for (const p of providers) p.destroy();
  await t.stop();
});

function open(room: string): TestProvider {
  const p = openProvider(t.wsUrl, room);
  providers.push(p);
  return p;
}

/** One update of `entries` map entries (one struct each), under keys starting with `prefix`. */
function mapUpdate(entries: number, prefix: string): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const m = doc.getMap('m');
    for (let i = 0; i < entries; i++) m.set(`${prefix}${i}`, i);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** A raw client in `room` that sends one update of `entries` map entries, and stays. */
async function writeTo(room: string, entries: number): Promise<RawYjsClient> {
  const c = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}`);
  raws.push(c);
  c.send(encodeUpdate(mapUpdate(entries, `${room}-`)));
  return c;
}

async function limitHits(limit: string): Promise<number> {
  const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.includes(`{limit="${limit}"}`));
  return Number(line?.split(' ').pop() ?? 0);
}

test('an update that would take a room past YjsMaxRoomStructs is refused whole with 1009', async () => {
  const writer = open('full');
  const reader = open('full');
  await Promise.all([writer.synced(), reader.synced()]);
  writer.doc.transact(() => {
    const m = writer.doc.getMap('m');
    for (let i = 0; i < 3000; i++) m.set(`own-${i}`, i);
  });
  const got = reader.doc.getMap('m');
  await waitFor(() => got.size === 3000, 30_000, `${got.size} entries arrived`);

  // 3,000 more would make 6,000 of 5,000: refused before any of its steps is applied.
  const over = await writeTo('full', 3000);
  const closed = await over.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'the room is full (YjsMaxRoomStructs)');
  assert.equal(await limitHits('YjsMaxRoomStructs'), 1);
  const line = log.lines().find((l) => l.limit === 'YjsMaxRoomStructs');
  assert.ok(line, 'no log line for the refusal');
  assert.equal(line.remote, '127.0.0.1');
  assert.equal(line.updateStructs, 3000);

  // A small edit still fits and reaches the other board; nothing of the refused update is kept.
  writer.doc.getMap('m').set('small', 1);
  await waitFor(() => got.get('small') === 1, 10_000, 'the small edit did not arrive');
  const late = open('full');
  await late.synced();
  assert.equal(late.doc.getMap('m').size, 3001);
  assert.equal(late.doc.getMap('m').get('full-0'), undefined);
  assert.deepEqual(writer.closes, [], 'the writer was not closed');
});

test('an update that would take the rooms in memory past YjsMaxLiveStructs closes with 1009', async () => {
  // With the 3,001 of the first test: 11,001 structs of 12,000 in rooms held by their writers.
  await writeTo('second', 4000);
  await writeTo('third', 4000);
  await waitFor(() => t.hub.stats().yjsRoomsInMemory === 3, 10_000, 'rooms loaded');
  // Each room's count is there once its writer's update is applied: read back through a new reader.
  for (const room of ['second', 'third']) {
    const check = open(room);
    await check.synced();
    assert.equal(check.doc.getMap('m').size, 4000);
  }
  const over = await writeTo('fourth', 2000);
  const closed = await over.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, "the hub's rooms are full (YjsMaxLiveStructs)");
  assert.equal(await limitHits('YjsMaxLiveStructs'), 1);
  const line = log.lines().find((l) => l.limit === 'YjsMaxLiveStructs');
  assert.equal(line?.remote, '127.0.0.1');

  // Room "full" still takes a small edit: the hub is full for large ones only.
  const [writer, reader] = providers;
  writer!.doc.getMap('m').set('after', 2);
  await waitFor(() => reader!.doc.getMap('m').get('after') === 2, 10_000, 'no edit');
  const late = open('fourth');
  await late.synced();
  assert.equal(late.doc.getMap('m').size, 0);
});
