// What one step of a large Yjs update costs the hub's thread, for choosing
// YjsMaxUpdateStructs (docs/benchmarks.md#one-step-of-a-large-update-2026-12-07): the
// costliest update a room admits (one map of YjsMaxRoomStructs entries) is cut
// as the hub cuts it and applied piece by piece to a room's doc, with the
// doc's `update` event encoded as the hub's does, beside rooms already full
// (the heap the collector walks). Per step size: the worst and median step in
// CPU and wall milliseconds, and the longest GC pause.
// `node --expose-gc --import tsx bench/yjs-steps.ts [full rooms beside, default 3]`. No assertions.
import { PerformanceObserver } from 'node:perf_hooks';
import * as Y from 'yjs';
import { splitByCost, VALUES_PER_STRUCT } from '../server/protocols/yjs/update-size';
import { markdownTable } from './markdown';

const ROOM_STRUCTS = 250_000;
const besides = Number(process.argv[2] ?? 3);

function mapUpdate(n: number, prefix: string): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const m = doc.getMap('m');
    for (let i = 0; i < n; i++) m.set(`${prefix}${i}`, i);
  });
  return Y.encodeStateAsUpdate(doc);
}

let gcMax = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMax = Math.max(gcMax, entry.duration);
}).observe({ entryTypes: ['gc'] });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// Full rooms beside the one being written, as the hub may hold them (YjsMaxLiveStructs).
const full: Y.Doc[] = [];
for (let i = 0; i < besides; i++) {
  const doc = new Y.Doc({ gc: true });
  Y.applyUpdate(doc, mapUpdate(ROOM_STRUCTS - 2, `full${i}-`));
  full.push(doc);
}
const update = mapUpdate(ROOM_STRUCTS - 2, 'k');
const rows: string[][] = [];
for (const step of [10_000, 20_000, 40_000]) {
  globalThis.gc?.();
  gcMax = 0;
  const doc = new Y.Doc({ gc: true });
  let encoded = 0;
  doc.on('update', (u: Uint8Array) => (encoded += u.length));
  const cpu: number[] = [];
  const wall: number[] = [];
  const pieces = splitByCost(update, step, VALUES_PER_STRUCT)!;
  for (const piece of pieces) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    Y.applyUpdate(doc, piece.update);
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    // The next step comes a turn later: the collector's pauses in between count too.
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 100));
  rows.push([
    step.toLocaleString('en'),
    String(pieces.length),
    Math.max(...cpu).toFixed(0),
    median(cpu).toFixed(0),
    Math.max(...wall).toFixed(0),
    median(wall).toFixed(0),
    gcMax.toFixed(0),
  ]);
  doc.destroy();
}
console.log(
  `${besides} full rooms beside; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
);
console.log(
  markdownTable(
    [
      'Step (structs)',
      'Steps',
      'Worst step CPU ms',
      'Median CPU ms',
      'Worst step wall ms',
      'Median wall ms',
      'Longest GC pause ms',
    ],
    rows,
  ),
);
