// The PDF exporter under Node: it writes a stroke's path operators itself
// (strokeOperators) instead of handing SVG path data to pdf-lib's parser, and
// those operators must be exactly the ones pdf-lib's drawSvgPath writes for
// the same path, so that the PDF looks the same to the last digit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { degrees, drawSvgPath, LineCapStyle, PDFDocument, rgb } from 'pdf-lib';
import { shapePaths } from '../model/geometry';
import type { Shape } from '../model/shape';
import { cubicsForQuadratics, shapesPdf, strokeOperators } from './pdf';
import type { StrokeStyle } from './pdf';

/** Seeded shapes: pen traces with steady and changing pressure, dots, lines, moved shapes, negative coordinates. */
function sampleShapes(count: number): Shape[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const points: number[] = [];
    let [x, y] = [rand() * 2000 - 500, rand() * 1500 - 500];
    const n = i % 7 === 0 ? 1 : 2 + Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) {
      x += (rand() - 0.5) * 40;
      y += (rand() - 0.5) * 40;
      const pressure = i % 2 === 0 ? 0.5 : rand();
      points.push(Math.round(x * 100) / 100, Math.round(y * 100) / 100, pressure);
    }
    const type = i % 5 === 4 ? 'line' : 'pen';
    shapes.push({
      id: `s-${i}`,
      type,
      points:
        type === 'line'
          ? points.slice(0, 6).concat(points.length < 6 ? [x + 9, y, 0] : [])
          : points,
      color: '#1971c2',
      width: [1, 2.5, 8][i % 3]!,
      author: 'test',
      createdAt: i,
      dx: i % 3 === 0 ? rand() * 50 - 25 : 0,
      dy: 0,
      text: '',
    });
  }
  return shapes;
}

test("a stroke's operators are those pdf-lib's drawSvgPath writes for its path", () => {
  let compared = 0;
  for (const [k, s] of sampleShapes(400).entries()) {
    for (const path of shapePaths(s)) {
      const style: StrokeStyle = {
        x: 36.5 + k,
        y: 800.25,
        scale: [0.137, 1, 2][k % 3]!,
        color: rgb(0.1, 0.44, 0.76),
        width: path.width,
      };
      const ours = strokeOperators(path.d, style);
      assert.ok(ours, `written directly: ${path.d}`);
      const theirs = drawSvgPath(cubicsForQuadratics(path.d), {
        x: style.x,
        y: style.y,
        scale: style.scale,
        rotate: degrees(0),
        color: undefined,
        borderColor: style.color,
        borderWidth: style.width,
        borderLineCap: LineCapStyle.Round,
      });
      assert.deepEqual(ours.map(String), theirs.map(String), path.d);
      compared++;
    }
  }
  assert.ok(compared > 400, `${compared} paths compared`);
});

test('a rectangle and an ellipse are left to drawSvgPath, and a PDF with both kinds of path is written', async () => {
  const corners = [10, 20, 0, 110, 90, 0];
  const shape = (type: Shape['type']): Shape => ({
    ...sampleShapes(1)[0]!,
    id: type,
    type,
    points: corners,
  });
  for (const type of ['rect', 'ellipse'] as const) {
    for (const path of shapePaths(shape(type))) {
      assert.equal(
        strokeOperators(path.d, { x: 0, y: 0, scale: 1, color: rgb(0, 0, 0), width: 2 }),
        undefined,
      );
    }
  }
  const { bytes } = await shapesPdf([
    { shapes: [...sampleShapes(20), shape('rect'), shape('ellipse')] },
  ]);
  const doc = await PDFDocument.load(bytes);
  assert.equal(doc.getPageCount(), 1);
});
