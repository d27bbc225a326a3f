// What a board holds: shapes, as plain data. The Yjs layout (board-model.ts),
// the renderers, the SVG export and the JSON snapshot all read this one shape,
// so this file has no DOM and no Yjs in it (the unit tests run it under Node).

export type ShapeType = 'pen' | 'line' | 'rect' | 'ellipse' | 'text';
export const SHAPE_TYPES: readonly ShapeType[] = ['pen', 'line', 'rect', 'ellipse', 'text'];

/** Points are flat triplets `x, y, pressure` in board units; pressure is 0..1 (0.5 without a stylus). */
export const STRIDE = 3;

export interface Shape {
  /** `<Y.Doc clientID in base 36>-<counter>`: unique without crypto.randomUUID. */
  id: string;
  type: ShapeType;
  /** pen: the whole trace; line/rect/ellipse: two corners; text: its anchor (top left). */
  points: number[];
  color: string;
  /** Stroke width in board units; for text, the size step (see fontSize). */
  width: number;
  /** The author's device id (a later issue has the hub enforce it). */
  author: string;
  /** Unix ms; with the id it orders the board the same on every device. */
  createdAt: number;
  /** A move is an offset, so moving never rewrites the points. */
  dx: number;
  dy: number;
  text: string;
}

/** New shapes: what a tool decides; the model fills in id, author, time and offsets. */
export type ShapeInput = Pick<Shape, 'type' | 'points' | 'color' | 'width'> & { text?: string };

export const fontSize = (width: number): number => 12 + width * 3;

/** Drawing order, identical everywhere: creation time, then id. */
export function compareShapes(a: Shape, b: Shape): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Board coordinates are kept to a tenth of a unit: smaller updates, no visible loss. */
export const roundCoord = (v: number): number => Math.round(v * 10) / 10;
export const roundPressure = (p: number): number =>
  Math.round(Math.min(1, Math.max(0, p)) * 100) / 100;
