// The sizes of the board's own large Yjs edits, which YjsMaxUpdateBytes and
// YjsMaxRoomBytes must admit (docs/benchmarks.md#the-boards-large-edits): an
// import of 5,000 pen strokes (as `bench:board` makes them; the board sends an
// import in pieces), a Replace by as many, the SyncStep2 of an offline client
// that drew them one by one, and an import of 20,000. Strokes of 20-60 points.
// `node --import tsx bench/yjs-edit-sizes.ts`. No assertions.
import * as Y from 'yjs';
import { BoardModel } from '../renderer/board/src/model/board-model';
import type { Shape } from '../renderer/board/src/model/shape';
import { docStructs } from '../server/protocols/yjs/doc-structs';
import { updateSize } from '../server/protocols/yjs/update-size';
import { markdownTable } from './markdown';

function strokes(count: number, prefix: string): Shape[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    let [x, y] = [rand() * 4000, rand() * 3000];
    const points: number[] = [];
    for (let j = 0, n = 20 + Math.floor(rand() * 40); j < n; j++) {
      x += (rand() - 0.5) * 30;
      y += (rand() - 0.5) * 30;
      points.push(Math.round(x * 10) / 10, Math.round(y * 10) / 10, 0.5);
    }
    shapes.push({
      id: `${prefix}-${i}`,
      type: 'pen',
      points,
      color: '#1e1e1e',
      width: 4,
      author: 'bench',
      createdAt: i,
      dx: 0,
      dy: 0,
      text: '',
    });
  }
  return shapes;
}

interface Sizes {
  /** The largest update's bytes and structs. */
  update: number;
  updateStructs: number;
  /** The board's encoded state after, and the structs a hub holds for it. */
  state: number;
  structs: number;
}

/** The largest update `edit` makes on a fresh board, and the board after, as a hub holds it. */
function measure(edit: (model: BoardModel) => void): Sizes {
  const doc = new Y.Doc();
  let update = 0;
  let updateStructs = 0;
  doc.on('update', (u: Uint8Array) => {
    update = Math.max(update, u.length);
    updateStructs = Math.max(updateStructs, updateSize(u).structs);
  });
  edit(new BoardModel(doc, 'bench'));
  const state = Y.encodeStateAsUpdate(doc);
  // The hub applies what it is sent to a doc of its own (with gc): count there.
  const hub = new Y.Doc({ gc: true });
  Y.applyUpdate(hub, state);
  return { update, updateStructs, state: state.length, structs: docStructs(hub) };
}

const MiB = 1024 * 1024;
const rows: [string, Sizes][] = [
  ['import 5,000 strokes', measure((m) => m.addShapes(strokes(5000, 'a')))],
  [
    'Replace 5,000 strokes by 5,000 others',
    measure((m) => {
      m.addShapes(strokes(5000, 'a'));
      m.addShapes(strokes(5000, 'b'), { replace: true });
    }),
  ],
  [
    'an offline client that drew 5,000 strokes one by one (its SyncStep2)',
    (() => {
      const r = measure((m) => strokes(5000, 'o').forEach((s) => m.addShapes([s])));
      return { ...r, update: r.state, updateStructs: r.structs };
    })(),
  ],
  [
    '5,000 strokes drawn live (points sent 3 at a time)',
    measure((m) =>
      strokes(5000, 'l').forEach(({ points, ...shape }) => {
        const id = m.add({ ...shape, points: points.slice(0, 3) });
        for (let i = 3; i < points.length; i += 3) m.appendPoints(id, points.slice(i, i + 3));
        m.endStep();
      }),
    ),
  ],
  ['import 20,000 strokes', measure((m) => m.addShapes(strokes(20000, 'a')))],
];
console.log(
  markdownTable(
    ['Edit', 'Largest message (MiB)', 'Its structs', 'Room after (MiB)', 'Room after, structs'],
    rows.map(([name, r]) => [
      name,
      (r.update / MiB).toFixed(2),
      r.updateStructs.toLocaleString('en'),
      (r.state / MiB).toFixed(2),
      r.structs.toLocaleString('en'),
    ]),
  ),
);
