// The cost budget of one Yjs update (YjsMaxUpdateStructs,
// docs/protocols/yjs.md#update-budgets): an update holding more structs than
// one event-loop turn may apply is cut and applied in steps, and still reaches
// every board and the store; a single struct past the budget is refused with
// 1009 and counted, and a bystander keeps syncing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { createClass, joinClass, openBoard, TEST_ADMIN_TOKEN } from '../../test/class-client';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';

const BUDGET = 1000;
let t: TestHub;
const providers: TestProvider[] = [];

before(async () => {
  t = await startHub({ YjsMaxUpdateStructs: BUDGET, AdminToken: TEST_ADMIN_TOKEN });
});
after(async () => {
  for (const p of providers) p.destroy();
  await t.stop();
});

function open(room: string): TestProvider {
  const p = openProvider(t.wsUrl, room);
  providers.push(p);
  return p;
}

test('an update of more structs than YjsMaxUpdateStructs is applied in steps and reaches every board', async () => {
  const writer = open('many');
  const reader = open('many');
  await Promise.all([writer.synced(), reader.synced()]);
  const entries = 20 * BUDGET;
  // One transaction: one update of 20,000 map entries, the costliest shape for its size.
  writer.doc.transact(() => {
    const m = writer.doc.getMap('m');
    for (let i = 0; i < entries; i++) m.set(`k${i}`, i);
  });
  const got = reader.doc.getMap('m');
  await waitFor(() => got.size === entries, 30_000, `${got.size} entries arrived`);
  assert.equal(got.get(`k${entries - 1}`), entries - 1);
  assert.deepEqual(writer.closes, [], 'the writer was not closed');
  // It was stored: a board opened afterwards gets all of it.
  const late = open('many');
  await late.synced();
  assert.equal(late.doc.getMap('m').size, entries);
});

test('a single struct past YjsMaxUpdateStructs closes its sender with 1009, and a bystander keeps syncing', async () => {
  const a = open('calm');
  const b = open('calm');
  const attacker = open('heavy');
  await Promise.all([a.synced(), b.synced(), attacker.synced()]);
  attacker.provider.shouldConnect = false; // it would only be refused again
  // One array struct of 40,000 numbers: 1 + 40,000 / 32 structs' worth.
  attacker.doc.getArray('points').push(Array.from({ length: 40 * BUDGET }, (_, i) => i % 7));
  await waitFor(() => attacker.closes.length > 0, 10_000, 'the sender was not closed');
  assert.equal(attacker.closes[0]!.code, 1009);
  assert.match(attacker.closes[0]!.reason, /YjsMaxUpdateStructs/);
  const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
  assert.match(metrics, /lanboard_limit_hits_total\{limit="YjsMaxUpdateStructs"\} 1/);
  a.doc.getText('t').insert(0, 'still here');
  await waitFor(() => b.doc.getText('t').toString() === 'still here', 10_000, 'no edit');
  // Nothing of the refused update was kept.
  const late = open('heavy');
  await late.synced();
  assert.equal(late.doc.getArray('points').length, 0);
});

test("in a class room, a student's offline backlog over the budget is judged and applied piece by piece", async () => {
  const { code } = await createClass(t.httpUrl);
  const bea = await joinClass(t.httpUrl, code, 'Bea');
  const cal = await joinClass(t.httpUrl, code, 'Cal');
  // Drawn offline: the board's SyncStep2 on connecting carries all 5,000 entries.
  const offline = new Y.Doc();
  offline.transact(() => {
    const shapes = offline.getMap('shapes');
    for (let i = 0; i < 5 * BUDGET; i++) shapes.set(`bea-${i}`, i);
  });
  const reader = openBoard(t.wsUrl, code, cal.token);
  providers.push(reader);
  await reader.synced();
  const writer = openBoard(t.wsUrl, code, bea.token, offline);
  providers.push(writer);
  const got = reader.doc.getMap('shapes');
  await waitFor(() => got.size === 5 * BUDGET, 30_000, `${got.size} entries arrived`);
  assert.deepEqual(writer.closes, [], 'the student was not refused');
  assert.deepEqual(writer.denied, []);
});
