// The board as an SVG document, built from the shapes (no canvas involved), on
// a white page with a margin around the drawing.
import { shapeBox, shapePaths, textLayout, unionBox } from './geometry';
import type { Shape } from './shape';

const MARGIN = 20;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function shapeSvg(s: Shape): string {
  if (s.type === 'text') {
    const t = textLayout(s);
    const lines = t.lines
      .map(
        (line, i) => `<tspan x="${t.x}" dy="${i === 0 ? 0 : t.size * 1.25}">${esc(line)}</tspan>`,
      )
      .join('');
    return `<text x="${t.x}" y="${t.y}" dominant-baseline="hanging" font-family="system-ui, sans-serif" font-size="${t.size}" fill="${esc(s.color)}">${lines}</text>`;
  }
  return shapePaths(s)
    .map(
      (p) =>
        `<path d="${p.d}" fill="none" stroke="${esc(s.color)}" stroke-width="${p.width}" stroke-linecap="round" stroke-linejoin="round"/>`,
    )
    .join('');
}

export function boardSvg(shapes: readonly Shape[]): string {
  const box = unionBox(shapes.map(shapeBox)) ?? { minX: 0, minY: 0, maxX: 400, maxY: 300 };
  const x = box.minX - MARGIN;
  const y = box.minY - MARGIN;
  const w = box.maxX - box.minX + 2 * MARGIN;
  const h = box.maxY - box.minY + 2 * MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x} ${y} ${w} ${h}" width="${w}" height="${h}">`,
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="#ffffff"/>`,
    ...shapes.map(shapeSvg),
    '</svg>',
    '',
  ].join('\n');
}
