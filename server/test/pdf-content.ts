// Reading back what a PDF draws, for the board's PDF export tests: each page's
// content streams decoded with pdf-lib, then walked operator by operator with
// the graphics state PDF defines (q/Q, cm, RG, w, re W), so a test can ask
// "which paths were stroked, where on the page, in what colour and width" and
// "which strings were shown where".
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';
import type { PDFPage } from 'pdf-lib';

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m·n: first m, then n (PDF's row-vector convention). */
const times = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

export const apply = (m: Matrix, [x, y]: [number, number]): [number, number] => [
  m[0] * x + m[2] * y + m[4],
  m[1] * x + m[3] * y + m[5],
];

export interface StrokedPath {
  /** Path construction in path space: [operator, ...operands]. */
  ops: Array<[string, ...number[]]>;
  /** Path space to page space. */
  ctm: Matrix;
  color: [number, number, number];
  /** In path space, as the `w` operator set it. */
  width: number;
  /** The line cap (1: round). */
  cap: number;
  join: number;
}

export interface ShownText {
  text: string;
  /** The text matrix's origin: the baseline's start, in page space. */
  at: [number, number];
  size: number;
}

export interface PageContent {
  paths: StrokedPath[];
  texts: ShownText[];
  /** Clipping rectangles (re W n), in page space: [x, y, width, height]. */
  clips: Array<[number, number, number, number]>;
  size: { width: number; height: number };
}

const TOKEN =
  /<[0-9a-fA-F\s]*>|\((?:\\.|[^\\)])*\)|\/[^\s/<>[\]()]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'"*]+|[[\]]/g;

function decodeString(token: string): string {
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s/g, '');
    // Helvetica's WinAnsi: the Latin-1 range reads the same.
    return Buffer.from(hex, 'hex').toString('latin1');
  }
  return token.slice(1, -1).replace(/\\(.)/g, '$1');
}

function streamText(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  return streams
    .map((ref) => page.doc.context.lookup(ref))
    .map((s) => {
      if (!(s instanceof PDFRawStream)) throw new Error('a content stream that is not raw');
      return Buffer.from(decodePDFRawStream(s).decode()).toString('latin1');
    })
    .join('\n');
}

export function readPage(page: PDFPage): PageContent {
  const out: PageContent = { paths: [], texts: [], clips: [], size: page.getSize() };
  interface State {
    ctm: Matrix;
    color: [number, number, number];
    width: number;
    cap: number;
    join: number;
  }
  let g: State = { ctm: IDENTITY, color: [0, 0, 0], width: 1, cap: 0, join: 0 };
  const stack: State[] = [];
  let path: Array<[string, ...number[]]> = [];
  let text = { font: 0, at: [0, 0] as [number, number] };
  let operands: string[] = [];
  const nums = () => operands.map(Number);
  for (const token of streamText(page).match(TOKEN) ?? []) {
    if (!/^[A-Za-z'"*]+$/.test(token)) {
      if (token !== '[' && token !== ']') operands.push(token);
      continue;
    }
    const n = nums();
    switch (token) {
      case 'q':
        stack.push({ ...g });
        break;
      case 'Q':
        g = stack.pop() ?? g;
        break;
      case 'cm':
        g.ctm = times(n as Matrix, g.ctm);
        break;
      case 'RG':
        g.color = n as [number, number, number];
        break;
      case 'w':
        g.width = n[0]!;
        break;
      case 'J':
        g.cap = n[0]!;
        break;
      case 'j':
        g.join = n[0]!;
        break;
      case 'm':
      case 'l':
      case 'c':
      case 'v':
      case 'y':
      case 'h':
      case 're':
        path.push([token, ...n]);
        break;
      case 'W': {
        const r = path.find((p) => p[0] === 're');
        if (r) {
          const [x, y] = apply(g.ctm, [r[1]!, r[2]!]);
          out.clips.push([x, y, r[3]! * g.ctm[0], r[4]! * g.ctm[3]]);
        }
        break;
      }
      case 'n':
        path = [];
        break;
      case 'S':
        out.paths.push({
          ops: path,
          ctm: g.ctm,
          color: g.color,
          width: g.width,
          cap: g.cap,
          join: g.join,
        });
        path = [];
        break;
      case 'BT':
        text = { font: 0, at: [0, 0] };
        break;
      case 'Tf':
        text.font = n[1]!;
        break;
      case 'Tm':
        text.at = apply(g.ctm, [n[4]!, n[5]!]);
        break;
      case 'Tj':
        out.texts.push({ text: decodeString(operands[0]!), at: text.at, size: text.font });
        break;
    }
    operands = [];
  }
  return out;
}

/** Every page of a PDF file, read back. */
export async function readPdf(bytes: Uint8Array): Promise<PageContent[]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map(readPage);
}
