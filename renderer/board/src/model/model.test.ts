// The board's data model under Node: the Yjs layout, per-user undo between two
// synced docs, change classification, the JSON snapshot, the SVG and hit tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as Y from 'yjs';
import { BoardModel } from './board-model';
import type { ShapeChanges } from './board-model';
import { hitShape, shapeBox, shapePaths } from './geometry';
import { parseSnapshot, SnapshotError, toSnapshot } from './snapshot';
import { boardSvg } from './svg';

/** Two devices whose docs exchange every update, as through the hub. */
function pair() {
  const [d1, d2] = [new Y.Doc(), new Y.Doc()];
  d1.on(
    'update',
    (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(d2, u, 'remote'),
  );
  d2.on(
    'update',
    (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(d1, u, 'remote'),
  );
  let t = 1000;
  const now = () => t++;
  return [new BoardModel(d1, 'alice', now), new BoardModel(d2, 'bob', now)] as const;
}

const pen = { type: 'pen' as const, points: [0, 0, 0.5, 10, 10, 0.5], color: '#000000', width: 4 };

describe('board model', () => {
  test('a stroke grows by appends and reaches the other device whole', () => {
    const [a, b] = pair();
    const id = a.add(pen);
    a.appendPoints(id, [20.04, 5, 0.733]);
    assert.match(id, /^[0-9a-z]+-1$/);
    const shape = b.get(id)!;
    assert.deepEqual(shape.points, [0, 0, 0.5, 10, 10, 0.5, 20, 5, 0.73]);
    assert.equal(shape.author, 'alice');
    assert.notEqual(a.newId(), id);
  });

  test('undo and redo are per user', () => {
    const [a, b] = pair();
    const mine = a.add(pen);
    a.endStep();
    const theirs = b.add({ ...pen, color: '#ff0000' });
    b.endStep();
    b.undo();
    assert.deepEqual(
      a.all().map((s) => s.id),
      [mine],
    );
    a.undo();
    assert.equal(b.all().length, 0);
    a.redo();
    b.redo();
    assert.deepEqual(new Set(b.all().map((s) => s.id)), new Set([mine, theirs]));
  });

  test('a stroke drawn slowly is still one undo step', async () => {
    const [a, b] = pair();
    const id = a.add(pen);
    a.appendPoints(id, [20, 20, 0.5]);
    // Longer than Yjs' default capture window (500 ms): a pause mid-stroke, or a busy machine.
    await new Promise((r) => setTimeout(r, 600));
    a.appendPoints(id, [30, 30, 0.5]);
    a.endStep();
    a.add({ ...pen, color: '#00ff00' });
    a.endStep();
    a.undo();
    a.undo();
    assert.equal(b.all().length, 0, 'two undos take both shapes, the slow stroke whole');
    a.redo();
    assert.deepEqual(b.get(id)!.points, [...pen.points, 20, 20, 0.5, 30, 30, 0.5]);
  });

  test("writtenOnlyBy: a shape someone else moved is no longer only its author's", () => {
    const [a, b] = pair();
    const mine = new Set([a.doc.clientID]);
    const moved = a.add(pen);
    a.appendPoints(moved, [20, 20, 0.5]);
    const kept = a.add(pen);
    a.move([kept], 1, 1);
    b.move([moved], 5, 5);
    assert.equal(a.writtenOnlyBy(kept, mine), true);
    assert.equal(a.writtenOnlyBy(moved, mine), false);
    assert.equal(a.writtenOnlyBy(moved, new Set([a.doc.clientID, b.doc.clientID])), true);
    assert.equal(a.writtenOnlyBy(kept, new Set([b.doc.clientID])), false);
    assert.equal(a.writtenOnlyBy('no-such-shape', mine), false);
  });

  test('moves are offsets, one undo step', () => {
    const [a, b] = pair();
    const id = a.add(pen);
    a.move([id], 5, -3);
    assert.deepEqual([b.get(id)!.dx, b.get(id)!.dy], [5, -3]);
    assert.deepEqual(b.get(id)!.points, pen.points);
    a.undo();
    assert.deepEqual([b.get(id)!.dx, b.get(id)!.dy], [0, 0]);
  });

  test('changes are classified for the renderer', () => {
    const [a, b] = pair();
    const seen: ShapeChanges[] = [];
    b.observe((c) => seen.push(c));
    const id = a.add(pen);
    a.appendPoints(id, [1, 1, 0.5]);
    a.move([id], 1, 1);
    a.remove([id]);
    assert.deepEqual(
      seen.map((c) => [[...c.added], [...c.appended], [...c.modified], [...c.removed], c.local]),
      [
        [[id], [], [], [], false],
        [[], [id], [], [], false],
        [[], [], [id], [], false],
        [[], [], [], [id], false],
      ],
    );
  });

  test("clear deletes every shape, everyone's, in one update; one undo brings them back", () => {
    const [a, b] = pair();
    a.add(pen);
    b.add({ ...pen, color: '#ff0000' });
    let updates = 0;
    b.doc.on('update', () => updates++);
    a.clear();
    assert.equal(b.all().length, 0);
    assert.equal(updates, 1);
    a.undo();
    assert.equal(b.all().length, 2);
  });

  test('a shape a peer wrote wrongly is skipped, not fatal', () => {
    const [a] = pair();
    a.shapes.set('junk', new Y.Map());
    a.add(pen);
    assert.equal(a.all().length, 1);
  });
});

describe('snapshot', () => {
  test('round-trips, and import can replace the board', () => {
    const [a, b] = pair();
    a.add(pen);
    a.add({ type: 'text', points: [5, 5, 0.5], color: '#1971c2', width: 2, text: 'Hi <b>' });
    const text = JSON.stringify(toSnapshot('r', a.all()));
    const back = parseSnapshot(text);
    assert.deepEqual(back.shapes, a.all());
    b.addShapes(back.shapes, { replace: true });
    assert.deepEqual(
      b.all().map(({ author: _a, ...s }) => s),
      a.all().map(({ author: _a, ...s }) => s),
    );
    assert.ok(
      b.all().every((s) => s.author === 'bob'),
      'imported shapes belong to the importer',
    );
  });

  test('a large import goes out in updates of about 2 MiB, and is still one undo step', () => {
    const [a, b] = pair();
    const sizes: number[] = [];
    a.doc.on('update', (u: Uint8Array) => sizes.push(u.length));
    a.add(pen);
    sizes.length = 0;
    const points = Array.from({ length: 120 }, (_, i) => [i * 3.3, i * 1.7, 0.5]).flat();
    const shapes = Array.from({ length: 12_000 }, (_, i) => ({
      ...pen,
      id: `big-${i}`,
      points,
      author: 'x',
      createdAt: i,
      dx: 0,
      dy: 0,
      text: '',
    }));
    a.addShapes(shapes, { replace: true });
    const total = sizes.reduce((x, y) => x + y, 0);
    assert.ok(total > 8 * 1024 * 1024, `${total} bytes in all: more than one update may carry`);
    assert.ok(sizes.length > 1, `${sizes.length} updates`);
    assert.ok(Math.max(...sizes) < 3 * 1024 * 1024, `largest update ${Math.max(...sizes)} bytes`);
    assert.equal(b.all().length, 12_000);
    a.undo();
    assert.deepEqual(
      b.all().map((s) => s.points),
      [pen.points],
      'one undo takes the whole import back, and brings back what it replaced',
    );
  });

  test('refuses what is not a board, naming the problem', () => {
    assert.throws(() => parseSnapshot('nope'), SnapshotError);
    assert.throws(() => parseSnapshot('{"format":"x"}'), /not a Lanboard board/);
    assert.throws(
      () => parseSnapshot('{"format":"lanboard-board","version":2,"shapes":[]}'),
      /version 2/,
    );
    const bad = {
      format: 'lanboard-board',
      version: 1,
      shapes: [{ id: 'a', type: 'pen', points: [1, 2], color: '#000', width: 2, createdAt: 1 }],
    };
    assert.throws(() => parseSnapshot(JSON.stringify(bad)), /shape 1: "points"/);
  });
});

describe('geometry and SVG', () => {
  const base = {
    id: 's',
    author: '',
    createdAt: 0,
    dx: 0,
    dy: 0,
    text: '',
    color: '#000000',
    width: 4,
  };

  test('hit tests follow what is drawn', () => {
    const rect = { ...base, type: 'rect' as const, points: [0, 0, 0.5, 100, 50, 0.5] };
    assert.ok(hitShape(rect, 100, 25, 2));
    assert.ok(!hitShape(rect, 50, 25, 2), 'the inside of an outline is not the shape');
    const moved = { ...base, type: 'pen' as const, points: [0, 0, 0.5, 10, 0, 0.5], dx: 100 };
    assert.ok(hitShape(moved, 105, 0, 1));
    assert.ok(!hitShape(moved, 5, 0, 1));
    assert.deepEqual(shapeBox(moved), { minX: 97, minY: -3, maxX: 113, maxY: 3 });
  });

  test('stylus pressure gives runs of different widths', () => {
    const stroke = {
      ...base,
      type: 'pen' as const,
      points: [0, 0, 0.1, 5, 5, 0.1, 10, 10, 0.9, 15, 15, 0.9],
    };
    assert.equal(new Set(shapePaths(stroke).map((p) => p.width)).size, 2);
  });

  test('the SVG has a path per stroke and escaped text', () => {
    const svg = boardSvg([
      { ...base, type: 'line', points: [0, 0, 0.5, 10, 10, 0.5] },
      { ...base, type: 'text', points: [0, 20, 0.5], text: 'a<b' },
    ]);
    assert.equal(svg.match(/<path /g)?.length, 1);
    assert.match(svg, />a&#60;b</);
  });
});
