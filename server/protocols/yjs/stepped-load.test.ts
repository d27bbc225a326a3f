// A room's stored state is applied a turn's budget at a time
// (YjsMaxUpdateStructs, docs/protocols/yjs.md#update-budgets): other work runs
// between the steps, and the room a client then opens is whole.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import { startHub, tempDir } from '../../test/hub-fixture';
import { waitFor } from '../../test/sse-client';
import { openProvider } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { applyInSteps } from './stepped-load';

const dir = tempDir();
const providers: TestProvider[] = [];
after(() => {
  for (const p of providers) p.destroy();
  dir.remove();
});

function mapUpdate(doc: Y.Doc, entries: number, prefix: string): Uint8Array {
  let update: Uint8Array = new Uint8Array();
  const take = (u: Uint8Array) => (update = u);
  doc.on('update', take);
  doc.transact(() => {
    for (let i = 0; i < entries; i++) doc.getMap('m').set(`${prefix}${i}`, i);
  });
  doc.off('update', take);
  return update;
}

test('stored updates costlier than a turn are applied in steps, other work running between them', async () => {
  const source = new Y.Doc();
  const updates = [mapUpdate(source, 10, 'small-'), mapUpdate(source, 5000, 'large-')];
  updates.push(mapUpdate(source, 10, 'last-'));
  const doc = new Y.Doc();
  const marks: string[] = [];
  doc.on('afterTransaction', () => marks.push('apply'));
  // Once per event-loop turn, as any other client's work would be.
  let ticking = true;
  const tick = () => {
    marks.push('turn');
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await applyInSteps(doc, updates, 1000);
  ticking = false;
  assert.deepEqual(Y.encodeStateAsUpdate(doc), Y.encodeStateAsUpdate(source));
  assert.equal(doc.store.pendingStructs, null);
  // 5,020 entries at most 1,000 a turn: six turns at least, each applying one step.
  const turns = marks
    .join(' ')
    .split('turn')
    .map((t) => t.trim().split(' ').filter(Boolean).length)
    .filter((applies) => applies > 0);
  assert.ok(turns.length >= 6, `applied in ${turns.length} turns: ${marks.join(' ')}`);
  assert.ok(
    turns.every((applies) => applies === 1),
    `a turn applied more than one step: ${marks.join(' ')}`,
  );
});

test('a stored room costlier than YjsMaxUpdateStructs loads whole', async () => {
  const settings = {
    Database: 'sqlite' as const,
    DbFile: path.join(dir.dir, 'rooms.db'),
    YjsMaxUpdateStructs: 1000,
  };
  let hub = await startHub(settings);
  try {
    const writer = openProvider(hub.wsUrl, 'stored');
    providers.push(writer);
    await writer.synced();
    writer.doc.transact(() => {
      for (let i = 0; i < 6000; i++) writer.doc.getMap('m').set(`k${i}`, i);
    });
    await waitFor(() => hub.hub.stats().yjsRoomsInMemory === 1, 10_000, 'room loaded');
    const reader = openProvider(hub.wsUrl, 'stored');
    providers.push(reader);
    await waitFor(() => reader.doc.getMap('m').size === 6000, 30_000, 'not all stored');
    writer.destroy();
    reader.destroy();
  } finally {
    await hub.stop();
  }
  hub = await startHub(settings);
  try {
    const late = openProvider(hub.wsUrl, 'stored');
    providers.push(late);
    await late.synced();
    assert.equal(late.doc.getMap('m').size, 6000);
    assert.equal(late.doc.getMap('m').get('k5999'), 5999);
  } finally {
    await hub.stop();
  }
});
