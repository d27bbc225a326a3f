// The hub-wide budget for live Yjs rooms (YjsMaxLiveBytes,
// docs/protocols/yjs.md#limits): the rooms in memory together never pass it.
// The update that would is refused with 1009 and counted; nothing stored is
// lost, and small edits elsewhere still go through.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { encodeUpdate } from './codec';

const KiB = 1024;
let t: TestHub;
const raws: RawYjsClient[] = [];
const providers: TestProvider[] = [];

before(async () => {
  t = await startHub({ YjsMaxLiveBytes: 200 * KiB });
});
after(async () => {
  for (const c of raws) c.close();
  for (const p of providers) p.destroy();
  await t.stop();
});

/** A raw client in `room` that sends one update of about `bytes`. */
async function writeTo(room: string, bytes: number): Promise<RawYjsClient> {
  const c = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}`);
  raws.push(c);
  const doc = new Y.Doc();
  let update: Uint8Array = new Uint8Array();
  doc.on('update', (u: Uint8Array) => (update = u));
  doc.getText('t').insert(0, 'z'.repeat(bytes));
  c.send(encodeUpdate(update));
  doc.destroy();
  return c;
}

test('an update that would take the rooms in memory past YjsMaxLiveBytes closes with 1009', async () => {
  const small = openProvider(t.wsUrl, 'small');
  const reader = openProvider(t.wsUrl, 'small');
  providers.push(small, reader);
  await Promise.all([small.synced(), reader.synced()]);
  // Three rooms of 60 KiB, each held by its writer: 180 KiB of 200.
  for (const room of ['a', 'b', 'c']) await writeTo(room, 60 * KiB);
  await waitFor(() => t.hub.stats().yjsRoomsInMemory === 4, 10_000, 'rooms loaded');
  const over = await writeTo('d', 60 * KiB);
  const closed = await over.closed;
  assert.equal(closed.code, 1009);
  assert.match(closed.reason, /YjsMaxLiveBytes/);
  const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
  assert.match(metrics, /lanboard_limit_hits_total\{limit="YjsMaxLiveBytes"\} 1/);
  // A small edit still fits, and reaches the other board.
  small.doc.getText('t').insert(0, 'still here');
  await waitFor(() => reader.doc.getText('t').toString() === 'still here', 10_000, 'no edit');
  // What was stored is kept: a new reader of room a gets its 60 KiB.
  const late = openProvider(t.wsUrl, 'a');
  providers.push(late);
  await late.synced();
  assert.equal(late.doc.getText('t').length, 60 * KiB);
});
