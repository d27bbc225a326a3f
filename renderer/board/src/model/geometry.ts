// Geometry of shapes, shared by the canvas renderer and the SVG export: SVG
// path data (Path2D reads the same strings), bounding boxes and hit tests.
import { fontSize, STRIDE } from './shape';
import type { Shape } from './shape';

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface StrokePath {
  d: string;
  width: number;
}

/** Pressure steps: a stylus stroke is drawn as runs of equal width (8 levels). */
const LEVELS = 8;
const n = (v: number) => String(Math.round(v * 10) / 10);

/** A pen's width at a pressure: 0.5 (no stylus) gives the chosen width. */
export const pressureWidth = (width: number, pressure: number): number =>
  width * (0.3 + 1.4 * pressure);

const level = (p: number) => Math.round(p * LEVELS) / LEVELS;

function corners(s: Shape): [number, number, number, number] {
  const p = s.points;
  return [(p[0] ?? 0) + s.dx, (p[1] ?? 0) + s.dy, (p[3] ?? 0) + s.dx, (p[4] ?? 0) + s.dy];
}

/** A smooth polyline through points[from..to] (inclusive, point indices): quadratic curves through midpoints. */
function polyline(s: Shape, from: number, to: number): string {
  const x = (i: number) => (s.points[i * STRIDE] ?? 0) + s.dx;
  const y = (i: number) => (s.points[i * STRIDE + 1] ?? 0) + s.dy;
  let d = `M${n(x(from))} ${n(y(from))}`;
  if (to === from) return `${d}L${n(x(from))} ${n(y(from))}`; // a dot: round caps draw it
  for (let i = from + 1; i < to; i++) {
    d += `Q${n(x(i))} ${n(y(i))} ${n((x(i) + x(i + 1)) / 2)} ${n((y(i) + y(i + 1)) / 2)}`;
  }
  return `${d}L${n(x(to))} ${n(y(to))}`;
}

function penPaths(s: Shape): StrokePath[] {
  const count = Math.floor(s.points.length / STRIDE);
  if (count === 0) return [];
  const p = (i: number) => level(s.points[i * STRIDE + 2] ?? 0.5);
  const uniform = s.points.every((v, i) => i % STRIDE !== 2 || level(v) === p(0));
  if (uniform) return [{ d: polyline(s, 0, count - 1), width: pressureWidth(s.width, p(0)) }];
  // Runs of one pressure level, each overlapping the next by a point so the trace stays joined.
  const byWidth = new Map<number, string>();
  let start = 0;
  for (let i = 1; i <= count; i++) {
    if (i < count && p(i) === p(start)) continue;
    const w = pressureWidth(s.width, p(start));
    byWidth.set(w, (byWidth.get(w) ?? '') + polyline(s, start, Math.min(i, count - 1)));
    start = i;
  }
  return [...byWidth].map(([width, d]) => ({ d, width }));
}

/** Everything a shape strokes (text has none: it is filled by its renderer). */
export function shapePaths(s: Shape): StrokePath[] {
  if (s.type === 'pen') return penPaths(s);
  if (s.type === 'text') return [];
  const [x1, y1, x2, y2] = corners(s);
  if (s.type === 'line') return [{ d: `M${n(x1)} ${n(y1)}L${n(x2)} ${n(y2)}`, width: s.width }];
  if (s.type === 'rect') {
    const [x, y] = [Math.min(x1, x2), Math.min(y1, y2)];
    const [w, h] = [Math.abs(x2 - x1), Math.abs(y2 - y1)];
    return [{ d: `M${n(x)} ${n(y)}h${n(w)}v${n(h)}h${n(-w)}Z`, width: s.width }];
  }
  const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
  const [rx, ry] = [Math.abs(x2 - x1) / 2, Math.abs(y2 - y1) / 2];
  const arc = `A${n(rx)} ${n(ry)} 0 1 0`;
  return [
    {
      d: `M${n(cx - rx)} ${n(cy)}${arc} ${n(cx + rx)} ${n(cy)}${arc} ${n(cx - rx)} ${n(cy)}Z`,
      width: s.width,
    },
  ];
}

/** Text lines and their font size; the anchor is the top left of the first line. */
export function textLayout(s: Shape): { x: number; y: number; size: number; lines: string[] } {
  return {
    x: (s.points[0] ?? 0) + s.dx,
    y: (s.points[1] ?? 0) + s.dy,
    size: fontSize(s.width),
    lines: s.text.split('\n'),
  };
}

export function shapeBox(s: Shape): Box {
  if (s.type === 'text') {
    const t = textLayout(s);
    // An estimate (no font metrics here): generous, so culling never clips text.
    const longest = Math.max(1, ...t.lines.map((l) => l.length));
    return {
      minX: t.x,
      minY: t.y,
      maxX: t.x + longest * t.size * 0.65,
      maxY: t.y + t.lines.length * t.size * 1.25,
    };
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let widest = s.width;
  for (let i = 0; i + 1 < s.points.length; i += STRIDE) {
    const x = (s.points[i] ?? 0) + s.dx;
    const y = (s.points[i + 1] ?? 0) + s.dy;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
    if (s.type === 'pen') widest = Math.max(widest, pressureWidth(s.width, s.points[i + 2] ?? 0.5));
  }
  if (minX === Infinity) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  const pad = widest / 2 + 1;
  return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad };
}

export const intersects = (a: Box, b: Box): boolean =>
  a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;

export function unionBox(boxes: Iterable<Box>): Box | undefined {
  let out: Box | undefined;
  for (const b of boxes) {
    out = out
      ? {
          minX: Math.min(out.minX, b.minX),
          minY: Math.min(out.minY, b.minY),
          maxX: Math.max(out.maxX, b.maxX),
          maxY: Math.max(out.maxY, b.maxY),
        }
      : { ...b };
  }
  return out;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number) {
  const [vx, vy] = [bx - ax, by - ay];
  const len = vx * vx + vy * vy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

function ellipseDistance(px: number, py: number, s: Shape): number {
  const [x1, y1, x2, y2] = corners(s);
  const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
  const [rx, ry] = [Math.max(Math.abs(x2 - x1) / 2, 0.5), Math.max(Math.abs(y2 - y1) / 2, 0.5)];
  // Distance to the outline, scaled by the nearer radius: good enough for picking.
  const k = Math.hypot((px - cx) / rx, (py - cy) / ry);
  return Math.abs(k - 1) * Math.min(rx, ry);
}

/** True when (x, y) is within `tolerance` of what the shape draws (text: inside its box). */
export function hitShape(s: Shape, x: number, y: number, tolerance: number): boolean {
  const box = shapeBox(s);
  const near = {
    minX: x - tolerance,
    minY: y - tolerance,
    maxX: x + tolerance,
    maxY: y + tolerance,
  };
  if (!intersects(box, near)) return false;
  const reach = tolerance + s.width / 2;
  if (s.type === 'text') return true;
  if (s.type === 'ellipse') return ellipseDistance(x, y, s) <= reach;
  const [x1, y1, x2, y2] = corners(s);
  if (s.type === 'line') return segmentDistance(x, y, x1, y1, x2, y2) <= reach;
  if (s.type === 'rect') {
    const edges: Array<[number, number, number, number]> = [
      [x1, y1, x2, y1],
      [x2, y1, x2, y2],
      [x2, y2, x1, y2],
      [x1, y2, x1, y1],
    ];
    return edges.some(([ax, ay, bx, by]) => segmentDistance(x, y, ax, ay, bx, by) <= reach);
  }
  const p = s.points;
  for (let i = 0; i < p.length; i += STRIDE) {
    const j = Math.min(i + STRIDE, p.length - STRIDE);
    const d = segmentDistance(x, y, p[i]! + s.dx, p[i + 1]! + s.dy, p[j]! + s.dx, p[j + 1]! + s.dy);
    if (d <= tolerance + pressureWidth(s.width, p[i + 2] ?? 0.5) / 2) return true;
  }
  return false;
}
