// Drawing prepared shapes on a 2D context: Path2D objects are built once per
// shape version (from the same path data the SVG export writes) and reused.
import { shapeBox, shapePaths, textLayout } from '../model/geometry';
import type { Box } from '../model/geometry';
import type { Shape } from '../model/shape';

export interface Prepared {
  shape: Shape;
  box: Box;
  paths: Array<{ path: Path2D; width: number }>;
}

export function prepare(shape: Shape): Prepared {
  return {
    shape,
    box: shapeBox(shape),
    paths: shapePaths(shape).map((p) => ({ path: new Path2D(p.d), width: p.width })),
  };
}

export function drawPrepared(ctx: CanvasRenderingContext2D, p: Prepared): void {
  const s = p.shape;
  if (s.type === 'text') {
    const t = textLayout(s);
    ctx.fillStyle = s.color;
    ctx.font = `${t.size}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    t.lines.forEach((line, i) => ctx.fillText(line, t.x, t.y + i * t.size * 1.25));
    return;
  }
  ctx.strokeStyle = s.color;
  for (const { path, width } of p.paths) {
    ctx.lineWidth = width;
    ctx.stroke(path);
  }
}

export function setupContext(ctx: CanvasRenderingContext2D): void {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
}
