// The board's own large edits fit the Yjs defaults (YjsMaxUpdateBytes,
// YjsMaxRoomBytes, InboundBurstBytes): an import of 5,000 pen strokes of 20-60
// points, as the board bench makes them (5 MiB, sent in pieces of about 2 MiB),
// goes from one real provider through a hub at its default settings to another,
// and so does a board that drew as much offline (one 5 MiB SyncStep2).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import { BoardModel } from '../model/board-model';
import type { Shape } from '../model/shape';
import { startHub } from '../../../../server/test/hub-fixture';
import { waitFor } from '../../../../server/test/sse-client';
import { openProvider } from '../../../../server/test/yjs-client';
import type { TestProvider } from '../../../../server/test/yjs-client';

const STROKES = 5000;
const providers: TestProvider[] = [];
after(() => {
  for (const p of providers) p.destroy();
});

function strokes(count: number): Shape[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, i) => {
    let [x, y] = [rand() * 4000, rand() * 3000];
    const points: number[] = [];
    for (let j = 0, n = 20 + Math.floor(rand() * 40); j < n; j++) {
      x += (rand() - 0.5) * 30;
      y += (rand() - 0.5) * 30;
      points.push(Math.round(x * 10) / 10, Math.round(y * 10) / 10, 0.5);
    }
    return {
      id: `import-${i}`,
      type: 'pen',
      points,
      color: '#1e1e1e',
      width: 4,
      author: 'teacher',
      createdAt: i,
      dx: 0,
      dy: 0,
      text: '',
    } satisfies Shape;
  });
}

test(`an import of ${STROKES} strokes reaches another board at the default limits`, async () => {
  const hub = await startHub();
  try {
    const teacher = openProvider(hub.wsUrl, 'lesson');
    const student = openProvider(hub.wsUrl, 'lesson');
    providers.push(teacher, student);
    await Promise.all([teacher.synced(), student.synced()]);
    const sizes: number[] = [];
    teacher.doc.on('update', (u: Uint8Array) => sizes.push(u.length));
    new BoardModel(teacher.doc, 'teacher').addShapes(strokes(STROKES));
    assert.ok(sizes.reduce((a, b) => a + b, 0) > 4 * 1024 * 1024, `${sizes.length} updates`);
    const shapes = student.doc.getMap('shapes');
    await waitFor(() => shapes.size === STROKES, 60_000, `${shapes.size} strokes arrived`);
    assert.deepEqual(teacher.closes, [], 'the importer was not closed');
    assert.deepEqual(student.closes, []);

    // The same strokes drawn offline: the board's SyncStep2 on connecting carries them all.
    const offline = new Y.Doc();
    new BoardModel(offline, 'student').addShapes(
      strokes(STROKES).map((s) => ({ ...s, id: `o-${s.id}` })),
    );
    assert.ok(Y.encodeStateAsUpdate(offline).length > 4 * 1024 * 1024);
    const back = openProvider(hub.wsUrl, 'lesson', { doc: offline });
    providers.push(back);
    await waitFor(() => shapes.size === 2 * STROKES, 60_000, `${shapes.size} strokes arrived`);
    assert.deepEqual(back.closes, [], 'the offline board was not closed');
  } finally {
    for (const p of providers) p.provider.shouldConnect = false;
    await hub.stop();
  }
});
