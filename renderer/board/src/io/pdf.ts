// Shapes as a vector PDF (pdf-lib): strokes and outlines become PDF paths from
// the same path data as the canvas and the SVG export, text is set in
// Helvetica. One page per `PdfPage`, each area fitted to an A4 sheet turned
// the way the area is. The board exports the whole drawing or the current
// view with it; worksheets are meant to reuse it with several pages.
//
// Helvetica is one of PDF's standard fonts: nothing is embedded but its name,
// so the file stays small, and it encodes only Windows-1252 (Western European
// letters and common signs). Any other character (Greek, Cyrillic, CJK, emoji,
// a tab) is printed as "?"; `replaced` counts them so the page can say so.
import {
  LineCapStyle,
  LineJoinStyle,
  PDFDocument,
  StandardFonts,
  appendBezierCurve,
  clip,
  endPath,
  lineTo,
  moveTo,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  rotateRadians,
  scale,
  setDashPattern,
  setLineCap,
  setLineJoin,
  setLineWidth,
  setStrokingColor,
  stroke,
  translate,
} from 'pdf-lib';
import type { PDFFont, PDFOperator, PDFPage, RGB } from 'pdf-lib';
import { shapeBox, shapePaths, textLayout, unionBox } from '../model/geometry';
import type { Box } from '../model/geometry';
import type { Shape } from '../model/shape';

export interface PdfPage {
  shapes: readonly Shape[];
  /** The board rectangle the page shows (clipped to it); the shapes' own box when left out. */
  area?: Box;
}

export interface PdfOptions {
  title?: string;
  /** Page size in points, portrait; turned to landscape for a wide area. A4 when left out. */
  pageSize?: [number, number];
}

export interface PdfResult {
  bytes: Uint8Array;
  /** Characters the font cannot show, printed as "?". */
  replaced: number;
}

const A4: [number, number] = [595.28, 841.89];
/** Half an inch: inside what every printer can reach. */
const MARGIN_PT = 36;
/** Board units around a whole-board drawing, as in the PNG and SVG exports. */
const DRAWING_MARGIN = 20;
/** A small drawing is not blown up past this (a dot would fill the sheet). */
const MAX_SCALE = 2;
const LINE_HEIGHT = 1.25;
const EMPTY: Box = { minX: 0, minY: 0, maxX: 400, maxY: 300 };

export async function shapesPdf(
  pages: readonly PdfPage[],
  options: PdfOptions = {},
): Promise<PdfResult> {
  const doc = await PDFDocument.create();
  doc.setTitle(options.title ?? 'Lanboard');
  doc.setCreator('Lanboard');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const encodable = new Set(font.getCharacterSet());
  let replaced = 0;
  const encode = (line: string) =>
    Array.from(line.normalize('NFC'), (c) => {
      if (encodable.has(c.codePointAt(0)!)) return c;
      replaced++;
      return '?';
    }).join('');
  for (const p of pages.length > 0 ? pages : [{ shapes: [] }]) {
    drawPage(doc.addPage(), p, options.pageSize ?? A4, font, encode);
  }
  return { bytes: await doc.save(), replaced };
}

/** Where board point (x, y) lands on the page: (ox + x·k, top − y·k), PDF's y pointing up. */
interface Placement {
  k: number;
  ox: number;
  top: number;
}

function place(page: PDFPage, area: Box, [short, long]: [number, number]): Placement {
  const [w, h] = [Math.max(1, area.maxX - area.minX), Math.max(1, area.maxY - area.minY)];
  const [pw, ph] = w > h ? [long, short] : [short, long];
  page.setSize(pw, ph);
  const k = Math.min(MAX_SCALE, (pw - 2 * MARGIN_PT) / w, (ph - 2 * MARGIN_PT) / h);
  // Centred on the sheet.
  const ox = (pw - w * k) / 2 - area.minX * k;
  const top = ph - (ph - h * k) / 2 + area.minY * k;
  return { k, ox, top };
}

function drawPage(
  page: PDFPage,
  p: PdfPage,
  size: [number, number],
  font: PDFFont,
  encode: (line: string) => string,
): void {
  const area = p.area ?? withMargin(unionBox(p.shapes.map(shapeBox)) ?? EMPTY);
  const at = place(page, area, size);
  const [x0, y1] = [at.ox + area.minX * at.k, at.top - area.maxY * at.k];
  // The view's edge cuts shapes that cross it, as the screen does.
  page.pushOperators(
    pushGraphicsState(),
    rectangle(x0, y1, (area.maxX - area.minX) * at.k, (area.maxY - area.minY) * at.k),
    clip(),
    endPath(),
    setLineJoin(LineJoinStyle.Round),
  );
  for (const s of p.shapes) drawShape(page, s, at, font, encode);
  page.pushOperators(popGraphicsState());
}

function drawShape(
  page: PDFPage,
  s: Shape,
  at: Placement,
  font: PDFFont,
  encode: (line: string) => string,
): void {
  const color = pdfColor(s.color);
  if (s.type === 'text') {
    const t = textLayout(s);
    const size = t.size * at.k;
    // The board sets text by the top of its line; PDF by the baseline.
    const ascent = font.heightAtSize(size, { descender: false });
    t.lines.forEach((line, i) => {
      const text = encode(line);
      if (!text) return;
      page.drawText(text, {
        x: at.ox + t.x * at.k,
        y: at.top - (t.y + i * t.size * LINE_HEIGHT) * at.k - ascent,
        size,
        font,
        color,
      });
    });
    return;
  }
  for (const path of shapePaths(s)) {
    // Path data in board units under a transform: widths stay in board units too.
    const style: StrokeStyle = { x: at.ox, y: at.top, scale: at.k, color, width: path.width };
    const written = strokeOperators(path.d, style);
    if (written) page.pushOperators(...written);
    else {
      page.drawSvgPath(cubicsForQuadratics(path.d), {
        x: style.x,
        y: style.y,
        scale: style.scale,
        borderColor: color,
        borderWidth: style.width,
        borderLineCap: LineCapStyle.Round,
      });
    }
  }
}

/** A stroke's placement on the page (board units scaled by `scale`, y flipped) and its pen. */
export interface StrokeStyle {
  x: number;
  y: number;
  scale: number;
  color: RGB;
  width: number;
}

/** How many numbers each command takes, for the commands strokeOperators writes itself. */
const ARGUMENTS: Record<string, number> = { M: 2, L: 2, Q: 4, C: 6 };
const PATH_TOKEN = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]/g;

/**
 * The operators pdf-lib's drawSvgPath writes for a round-capped stroke of
 * `cubicsForQuadratics(d)`, one for one, written here without its SVG path
 * parser, which reads the data a character at a time and took about half of a
 * 5,000-stroke PDF's time (docs/benchmarks.md#the-boards-pdf-export). Only
 * path data of absolute M, L, Q and C with one set of numbers each (a pen
 * trace, a line) is written here; anything else (a rectangle's h/v/Z, an
 * ellipse's arcs) is undefined and goes through drawSvgPath.
 */
export function strokeOperators(d: string, style: StrokeStyle): PDFOperator[] | undefined {
  const tokens = d.match(PATH_TOKEN) ?? [];
  const path: PDFOperator[] = [];
  let [x, y] = [0, 0];
  for (let i = 0; i < tokens.length;) {
    const command = tokens[i++]!;
    const count = ARGUMENTS[command];
    if (count === undefined || i + count > tokens.length) return undefined;
    const v = tokens.slice(i, (i += count)).map(Number);
    if (v.some(Number.isNaN)) return undefined;
    if (command === 'M') path.push(moveTo(v[0]!, v[1]!));
    else if (command === 'L') path.push(lineTo(v[0]!, v[1]!));
    else if (command === 'C')
      path.push(appendBezierCurve(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!));
    else path.push(appendBezierCurve(...cubicForQuadratic([x, y], v)));
    [x, y] = [v[count - 2]!, v[count - 1]!];
  }
  if (path.length === 0) return undefined;
  return [
    pushGraphicsState(),
    translate(style.x, style.y),
    rotateRadians(0),
    // SVG's y points down, PDF's up.
    style.scale ? scale(style.scale, -style.scale) : scale(1, -1),
    setStrokingColor(style.color),
    ...(style.width ? [setLineWidth(style.width)] : []),
    setLineCap(LineCapStyle.Round),
    setDashPattern([], 0),
    ...path,
    stroke(),
    popGraphicsState(),
  ];
}

type Cubic = [number, number, number, number, number, number];

/** The quadratic from (x, y) through control (cx, cy) to (ex, ey) as the same curve's cubic, to 3 decimals. */
function cubicForQuadratic([x, y]: [number, number], q: number[]): Cubic {
  const [cx, cy, ex, ey] = q as [number, number, number, number];
  const f = (v: number) => Math.round(v * 1000) / 1000;
  return [
    f(x + (2 / 3) * (cx - x)),
    f(y + (2 / 3) * (cy - y)),
    f(ex + (2 / 3) * (cx - ex)),
    f(ey + (2 / 3) * (cy - ey)),
    f(ex),
    f(ey),
  ];
}

/**
 * The same curves with Q written as C: pdf-lib draws an SVG Q as PDF's `v`,
 * whose first control point is the start, which is not the quadratic (the
 * trace would sag off the board's). Only pen traces have Q, and they hold
 * nothing but absolute M, Q and L (geometry.ts).
 */
export function cubicsForQuadratics(d: string): string {
  if (!d.includes('Q')) return d;
  let [x, y] = [0, 0];
  return d.replace(/([MLQ])([^MLQ]*)/g, (_, cmd: string, args: string) => {
    const v = args
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if (cmd !== 'Q') {
      [x, y] = [v[0]!, v[1]!];
      return `${cmd}${args}`;
    }
    const cubic = cubicForQuadratic([x, y], v);
    [x, y] = [v[2]!, v[3]!];
    return `C${cubic.join(' ')}`;
  });
}

const withMargin = (b: Box): Box => ({
  minX: b.minX - DRAWING_MARGIN,
  minY: b.minY - DRAWING_MARGIN,
  maxX: b.maxX + DRAWING_MARGIN,
  maxY: b.maxY + DRAWING_MARGIN,
});

/** `#rgb` or `#rrggbb` (what the colour picker gives); anything else prints black. */
function pdfColor(css: string): RGB {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(css.trim());
  if (!m) return rgb(0, 0, 0);
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const v = (i: number) => parseInt(hex.slice(i, i + 2), 16) / 255;
  return rgb(v(0), v(2), v(4));
}
