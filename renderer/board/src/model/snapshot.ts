// The board's JSON snapshot: a documented, versioned format that export writes
// and import reads back (docs/protocols/classroom.md#the-json-snapshot). Import
// checks every field: a snapshot is a file from anywhere.
import { compareShapes, SHAPE_TYPES, STRIDE } from './shape';
import type { Shape, ShapeType } from './shape';

export const SNAPSHOT_FORMAT = 'lanboard-board';
export const SNAPSHOT_VERSION = 1;
const MAX_SHAPES = 100_000;
const MAX_POINTS = 30_000; // numbers per shape
const MAX_TEXT = 2_000;

export interface BoardSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  room: string;
  exportedAt: string;
  shapes: Shape[];
}

export function toSnapshot(
  room: string,
  shapes: readonly Shape[],
  now = new Date(),
): BoardSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    room,
    exportedAt: now.toISOString(),
    shapes: [...shapes].sort(compareShapes),
  };
}

export class SnapshotError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function field<T>(
  o: Record<string, unknown>,
  key: string,
  ok: (v: unknown) => v is T,
  where: string,
): T {
  const v = o[key];
  if (!ok(v)) throw new SnapshotError(`${where}: "${key}" is missing or invalid`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isColor = (v: unknown): v is string => typeof v === 'string' && /^#[0-9a-f]{3,8}$/i.test(v);
const isType = (v: unknown): v is ShapeType => SHAPE_TYPES.includes(v as ShapeType);
const isPoints = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length % STRIDE === 0 && v.length <= MAX_POINTS && v.every(finite);
const isId = (v: unknown): v is string => typeof v === 'string' && /^[\w.-]{1,64}$/.test(v);

/** Parses and checks a snapshot's text; throws SnapshotError with the first problem. */
export function parseSnapshot(text: string): BoardSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SnapshotError('not a JSON file');
  }
  if (!isObject(data) || data.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(`not a Lanboard board (format must be "${SNAPSHOT_FORMAT}")`);
  }
  if (data.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `unsupported version ${String(data.version)} (this board reads ${SNAPSHOT_VERSION})`,
    );
  }
  if (!Array.isArray(data.shapes) || data.shapes.length > MAX_SHAPES) {
    throw new SnapshotError(`"shapes" must be a list of at most ${MAX_SHAPES}`);
  }
  const shapes = data.shapes.map((raw: unknown, i: number): Shape => {
    const where = `shape ${i + 1}`;
    if (!isObject(raw)) throw new SnapshotError(`${where} is not an object`);
    const text = typeof raw.text === 'string' ? raw.text.slice(0, MAX_TEXT) : '';
    return {
      id: field(raw, 'id', isId, where),
      type: field(raw, 'type', isType, where),
      points: field(raw, 'points', isPoints, where),
      color: field(raw, 'color', isColor, where),
      width: Math.min(200, Math.max(0.5, field(raw, 'width', finite, where))),
      author: typeof raw.author === 'string' ? raw.author.slice(0, 64) : '',
      createdAt: field(raw, 'createdAt', finite, where),
      dx: finite(raw.dx) ? raw.dx : 0,
      dy: finite(raw.dy) ? raw.dy : 0,
      text,
    };
  });
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    room: typeof data.room === 'string' ? data.room : '',
    exportedAt: isString(data.exportedAt) ? data.exportedAt : '',
    shapes,
  };
}
