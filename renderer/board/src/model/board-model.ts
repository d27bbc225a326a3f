// The board in Yjs. Layout (meant to stay stable: the hub will check authorship
// and deletions on it in a later issue):
//
//   doc.getMap('shapes'): id -> Y.Map {
//     type, color, width, author, createdAt, dx, dy, text,
//     points: Y.Array<number>   flat x, y, pressure triplets
//   }
//
// Points are a Y.Array so a pen stroke grows by appends while it is drawn
// (others see it draw) without rewriting what was sent. There is no separate
// order list: the order is (createdAt, id), which every device computes alike.
// Every local edit carries LOCAL as its transaction origin, and the undo
// manager tracks only that origin, so undo and redo are per user.
import * as Y from 'yjs';
import { compareShapes, roundCoord, roundPressure, SHAPE_TYPES, STRIDE } from './shape';
import type { Shape, ShapeInput, ShapeType } from './shape';

/** The transaction origin of this device's edits. */
export const LOCAL = { origin: 'lanboard-local' } as const;

export interface ShapeChanges {
  /** New ids (a new shape, an undone deletion, a remote one). */
  added: Set<string>;
  /** Only points appended (a pen still drawing). */
  appended: Set<string>;
  /** Anything else changed on an existing shape (a move, a restyle). */
  modified: Set<string>;
  removed: Set<string>;
  local: boolean;
}

type ShapeMap = Y.Map<unknown>;

/** About this many bytes of shapes per update of an import (a stroke's number takes 9 at most). */
const IMPORT_PIECE_BYTES = 2 * 1024 * 1024;

/**
 * At most this many shapes per update of an import: a shape is about nine Yjs
 * structs in one transaction, and the hub applies an update of more than
 * 20,000 (YjsMaxUpdateStructs) in several event-loop turns, however small its
 * bytes.
 */
const IMPORT_PIECE_SHAPES = 2000;

/** The shapes in runs of about IMPORT_PIECE_BYTES and IMPORT_PIECE_SHAPES; one empty run when there are none. */
function importPieces(shapes: readonly Shape[]): Shape[][] {
  const pieces: Shape[][] = [[]];
  let bytes = 0;
  for (const s of shapes) {
    const size = 200 + s.points.length * 9 + s.text.length * 3;
    const full = pieces.at(-1)!.length >= IMPORT_PIECE_SHAPES;
    if (full || (bytes > 0 && bytes + size > IMPORT_PIECE_BYTES)) {
      pieces.push([]);
      bytes = 0;
    }
    pieces.at(-1)!.push(s);
    bytes += size;
  }
  return pieces;
}

export class BoardModel {
  readonly shapes: Y.Map<ShapeMap>;
  readonly undoManager: Y.UndoManager;
  private counter = 0;

  constructor(
    readonly doc: Y.Doc,
    readonly author: string,
    private readonly now: () => number = Date.now,
  ) {
    this.shapes = doc.getMap<ShapeMap>('shapes');
    // Undo steps are cut explicitly (endStep), never by a clock: with a time
    // window, a slow stroke or a busy machine split one stroke into several steps.
    this.undoManager = new Y.UndoManager(this.shapes, {
      trackedOrigins: new Set([LOCAL]),
      captureTimeout: Number.POSITIVE_INFINITY,
    });
  }

  newId(): string {
    this.counter += 1;
    return `${this.doc.clientID.toString(36)}-${this.counter.toString(36)}`;
  }

  private transact(fn: () => void): void {
    this.doc.transact(fn, LOCAL);
  }

  /** Adds a shape (one undo step) and returns its id. */
  add(input: ShapeInput): string {
    const id = this.newId();
    this.undoManager.stopCapturing();
    this.transact(() =>
      this.shapes.set(id, toYMap({ ...input, id, author: this.author, createdAt: this.now() })),
    );
    return id;
  }

  /** A pen stroke growing: merged into the undo step of its add. */
  appendPoints(id: string, points: readonly number[]): void {
    const array = this.shapes.get(id)?.get('points');
    if (!(array instanceof Y.Array) || points.length === 0) return;
    this.transact(() => array.push(roundPoints(points)));
  }

  /** Ends the current undo step (after a stroke, a move, an erase). */
  endStep(): void {
    this.undoManager.stopCapturing();
  }

  move(ids: Iterable<string>, dx: number, dy: number): void {
    this.undoManager.stopCapturing();
    this.transact(() => {
      for (const id of ids) {
        const m = this.shapes.get(id);
        if (!m) continue;
        m.set('dx', roundCoord(Number(m.get('dx') ?? 0) + dx));
        m.set('dy', roundCoord(Number(m.get('dy') ?? 0) + dy));
      }
    });
  }

  /** A text's new content: one undo step. */
  setText(id: string, text: string): void {
    this.undoManager.stopCapturing();
    this.transact(() => this.shapes.get(id)?.set('text', text));
    this.undoManager.stopCapturing();
  }

  /** Removes shapes within the current undo step (an eraser stroke is one step). */
  remove(ids: Iterable<string>): void {
    this.transact(() => {
      for (const id of ids) this.shapes.delete(id);
    });
  }

  /** Deletes every shape in one transaction (the teacher's "Clear board"): one undo step. */
  clear(): void {
    this.undoManager.stopCapturing();
    this.transact(() => {
      for (const id of [...this.shapes.keys()]) this.shapes.delete(id);
    });
    this.undoManager.stopCapturing();
  }

  /**
   * Adds whole shapes (an import): one undo step. Ids already on the board are
   * replaced. A large import goes out in pieces, each its own transaction and so
   * its own update, well under the hub's YjsMaxUpdateBytes (8 MiB by default);
   * the undo manager, which cuts steps only at stopCapturing, still takes them as one.
   */
  addShapes(shapes: readonly Shape[], { replace = false } = {}): void {
    this.undoManager.stopCapturing();
    let first = true;
    for (const piece of importPieces(shapes)) {
      this.transact(() => {
        if (replace && first) for (const id of [...this.shapes.keys()]) this.shapes.delete(id);
        for (const s of piece) this.shapes.set(s.id, toYMap({ ...s, author: this.author }));
      });
      first = false;
    }
    this.undoManager.stopCapturing();
  }

  undo(): void {
    this.undoManager.undo();
  }

  redo(): void {
    this.undoManager.redo();
  }

  get(id: string): Shape | undefined {
    const m = this.shapes.get(id);
    return m ? readShape(id, m) : undefined;
  }

  /**
   * Whether everything live in the shape was written under these Yjs client
   * IDs. In a class the hub refuses a student's change that deletes anyone
   * else's writing, even inside the student's own shape (the teacher moved it).
   */
  writtenOnlyBy(id: string, clients: ReadonlySet<number>): boolean {
    const shape = this.shapes.get(id);
    if (!shape?._item || !clients.has(shape._item.id.client)) return false;
    const types: Array<Pick<Y.AbstractType<unknown>, '_map' | '_start'>> = [shape];
    for (let type = types.pop(); type; type = types.pop()) {
      const children = [...type._map.values()];
      for (let item = type._start; item; item = item.right) children.push(item);
      for (const item of children) {
        if (item.deleted) continue;
        if (!clients.has(item.id.client)) return false;
        if (item.content instanceof Y.ContentType) types.push(item.content.type);
      }
    }
    return true;
  }

  /** Every valid shape in drawing order. */
  all(): Shape[] {
    const out: Shape[] = [];
    this.shapes.forEach((m, id) => {
      const s = readShape(id, m);
      if (s) out.push(s);
    });
    return out.sort(compareShapes);
  }

  /** Calls back after every transaction that touched shapes; returns the unsubscribe. */
  observe(callback: (changes: ShapeChanges) => void): () => void {
    const handler = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, tr: Y.Transaction) => {
      callback(
        classify(events, this.shapes, tr.origin === LOCAL || tr.origin === this.undoManager),
      );
    };
    this.shapes.observeDeep(handler);
    return () => this.shapes.unobserveDeep(handler);
  }

  destroy(): void {
    this.undoManager.destroy();
  }
}

function roundPoints(points: readonly number[]): number[] {
  return points.map((v, i) => (i % STRIDE === 2 ? roundPressure(v) : roundCoord(v)));
}

function toYMap(s: Omit<Shape, 'dx' | 'dy' | 'text'> & Partial<Shape>): ShapeMap {
  const m = new Y.Map<unknown>();
  const points = new Y.Array<number>();
  points.push(roundPoints(s.points));
  m.set('type', s.type);
  m.set('points', points);
  m.set('color', s.color);
  m.set('width', s.width);
  m.set('author', s.author);
  m.set('createdAt', s.createdAt);
  m.set('dx', s.dx ?? 0);
  m.set('dy', s.dy ?? 0);
  m.set('text', s.text ?? '');
  return m;
}

const num = (v: unknown, fallback = 0) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A Y.Map as a Shape, or undefined when it is not one (a peer may write anything). */
export function readShape(id: string, m: ShapeMap): Shape | undefined {
  const type = m.get('type');
  const points = m.get('points');
  if (!SHAPE_TYPES.includes(type as ShapeType) || !(points instanceof Y.Array)) return undefined;
  return {
    id,
    type: type as ShapeType,
    points: (points.toArray() as unknown[]).map((v) => num(v)),
    color: str(m.get('color')) || '#000000',
    width: num(m.get('width'), 2),
    author: str(m.get('author')),
    createdAt: num(m.get('createdAt')),
    dx: num(m.get('dx')),
    dy: num(m.get('dy')),
    text: str(m.get('text')),
  };
}

function classify(
  events: Array<Y.YEvent<Y.AbstractType<unknown>>>,
  shapes: Y.Map<ShapeMap>,
  local: boolean,
): ShapeChanges {
  const changes: ShapeChanges = {
    added: new Set(),
    appended: new Set(),
    modified: new Set(),
    removed: new Set(),
    local,
  };
  for (const event of events) {
    if (event.target === shapes) {
      for (const [id, change] of (event as Y.YMapEvent<ShapeMap>).changes.keys) {
        if (change.action === 'delete') changes.removed.add(id);
        else changes.added.add(id);
      }
      continue;
    }
    const id = event.path[0];
    if (typeof id !== 'string') continue;
    // An insert at the end of the points, and nothing else, is a stroke still being drawn.
    const delta = event.target instanceof Y.Array ? event.changes.delta : [];
    const onlyAppend =
      delta.length > 0 &&
      delta.every((d, i) => d.insert !== undefined || (i === 0 && d.retain !== undefined)) &&
      delta[delta.length - 1]!.insert !== undefined;
    (onlyAppend ? changes.appended : changes.modified).add(id);
  }
  for (const id of changes.added) {
    changes.appended.delete(id);
    changes.modified.delete(id);
  }
  for (const id of changes.removed) changes.added.delete(id);
  return changes;
}
