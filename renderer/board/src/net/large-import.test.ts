// The board's own largest edit fits the Yjs defaults (YjsMaxUpdateBytes,
// YjsMaxRoomBytes, InboundBurstBytes): an import of 5,000 pen strokes of 20-60
// points in one transaction, as the board bench makes them (5 MiB), goes from
// one real provider through a hub at its default settings to another.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
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

test(`an import of ${STROKES} strokes in one edit reaches another board at the default limits`, async () => {
  const hub = await startHub();
  try {
    const teacher = openProvider(hub.wsUrl, 'lesson');
    const student = openProvider(hub.wsUrl, 'lesson');
    providers.push(teacher, student);
    await Promise.all([teacher.synced(), student.synced()]);
    let largest = 0;
    teacher.doc.on('update', (u: Uint8Array) => (largest = Math.max(largest, u.length)));
    new BoardModel(teacher.doc, 'teacher').addShapes(strokes(STROKES));
    assert.ok(largest > 4 * 1024 * 1024, `one update of ${largest} bytes`);
    const shapes = student.doc.getMap('shapes');
    await waitFor(() => shapes.size === STROKES, 60_000, `${shapes.size} strokes arrived`);
    assert.deepEqual(teacher.closes, [], 'the importer was not closed');
    assert.deepEqual(student.closes, []);
  } finally {
    for (const p of providers) p.provider.shouldConnect = false;
    await hub.stop();
  }
});
