// What applying a Yjs update would cost, read from its bytes without building
// anything. Y.applyUpdate (and Y.decodeUpdate before it) makes an object per
// struct: an 8 MiB update of one map with ~475,000 small entries took over a
// second of the hub's only thread. Walking the same bytes with lib0 and
// counting takes a few milliseconds, so every update is measured this way
// before Yjs sees it (docs/protocols/yjs.md#update-budgets).
//
// The walk follows Yjs' v1 struct encoding (readClientsStructRefs,
// readItemContent, readDeleteSet). Strings and byte arrays are skipped by
// their length, never decoded. Bytes it cannot walk are malformed for Yjs too.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export interface UpdateSize {
  /** Structs (items, GCs, skips), each of which Yjs builds and integrates. */
  structs: number;
  /** Values inside items' content (array entries, JSON values), each one decoded. */
  values: number;
  /** Ranges in the delete set, each one looked up in the doc. */
  deletes: number;
  /** Structs past the clocks a doc holds (all of them when no doc was given). */
  fresh: number;
}

/** The clock up to which a doc holds a client's structs (Y.getState). */
export type KnownClocks = (client: number) => number;

export class MalformedUpdateError extends Error {}

/**
 * Decoding a value inside an item (a number of a stroke's points) costs about
 * a fiftieth of building and integrating a struct (docs/benchmarks.md).
 */
export const VALUES_PER_STRUCT = 32;

/** What applying an update costs, in structs (see VALUES_PER_STRUCT). */
export function updateCost(size: UpdateSize): number {
  return size.structs + size.deletes + Math.ceil(size.values / VALUES_PER_STRUCT);
}

/** One piece of a cut update, with the structs it holds (for the room limits). */
export interface UpdatePiece {
  update: Uint8Array;
  structs: number;
}

/** The content kinds of Yjs' v1 encoding (the low five bits of a struct's info byte). */
const enum Content {
  GC = 0,
  Deleted = 1,
  JSON = 2,
  Binary = 3,
  String = 4,
  Embed = 5,
  Format = 6,
  Type = 7,
  Any = 8,
  Doc = 9,
  Skip = 10,
}

/** Shared types with a name after their type reference (XmlElement, XmlHook). */
const NAMED_TYPES = new Set([3, 5]);
/** Shared type references Yjs knows (YArray … YXmlText). */
const TYPE_REFS = 7;
/** lib0 `any` values nest; a crafted update must not overflow the stack. */
const MAX_ANY_DEPTH = 100;

/** What a walk reports, for the splitter. */
interface Visitor {
  /** A client's structs begin at `clock`. */
  client(client: number, clock: number): void;
  /** One struct: its bytes are [start, end), it spans `length` clocks and holds `values` values. */
  struct(start: number, end: number, length: number, values: number): void;
  /** One delete range of `client`. */
  deleted(client: number, clock: number, length: number): void;
}

/**
 * Counts what `update` holds, and of its structs those past `known` (a doc's
 * state vector): an upper bound of what it would add to that doc, which Yjs'
 * decodeUpdate would build every struct to tell. Throws MalformedUpdateError
 * where Yjs could not read it either.
 */
export function updateSize(update: Uint8Array, known?: KnownClocks): UpdateSize {
  let clock = 0;
  let held = 0;
  let fresh = 0;
  const size = walk(
    update,
    known && {
      client(id, first) {
        clock = first;
        held = known(id);
      },
      struct(_start, _end, length) {
        if (clock + length > held) fresh++;
        clock += length;
      },
      deleted() {},
    },
  );
  size.fresh = known ? fresh : size.structs;
  return size;
}

/**
 * `update` as consecutive valid updates, each costing at most `maxCost`
 * (structs and delete ranges, plus values / valuesPerStruct), for applying
 * one per event-loop turn. Each piece holds whole structs, copied as they
 * are, with an empty delete set; the delete set follows in pieces of its
 * own. Undefined when a single struct costs more than `maxCost`.
 */
export function splitByCost(
  update: Uint8Array,
  maxCost: number,
  valuesPerStruct: number,
): UpdatePiece[] | undefined {
  const pieces: UpdatePiece[] = [];
  /** The piece being gathered: runs of one client's consecutive structs. */
  let runs: { client: number; clock: number; count: number; start: number; end: number }[] = [];
  let cost = 0;
  let clock = 0;
  let client = 0;
  let newClient = false;
  let tooCostly = false;
  const endPiece = () => {
    if (runs.length > 0) {
      const structs = runs.reduce((n, run) => n + run.count, 0);
      pieces.push({ update: encodeRuns(update, runs), structs });
    }
    runs = [];
    cost = 0;
  };
  let deletes = new Map<number, [number, number][]>();
  let deleteCount = 0;
  const endDeletes = () => {
    if (deleteCount > 0) pieces.push({ update: encodeDeletes(deletes), structs: 0 });
    deletes = new Map();
    deleteCount = 0;
  };
  walk(update, {
    client(id, first) {
      client = id;
      clock = first;
      newClient = true;
    },
    struct(start, end, length, values) {
      const structCost = 1 + values / valuesPerStruct;
      if (structCost > maxCost) tooCostly = true;
      if (cost > 0 && cost + structCost > maxCost) endPiece();
      let run = runs.at(-1);
      if (!run || newClient) {
        run = { client, clock, count: 0, start, end };
        runs.push(run);
        newClient = false;
      }
      run.count++;
      run.end = end;
      cost += structCost;
      clock += length;
    },
    deleted(id, at, length) {
      endPiece();
      if (deleteCount >= maxCost) endDeletes();
      const ranges = deletes.get(id);
      if (ranges) ranges.push([at, length]);
      else deletes.set(id, [[at, length]]);
      deleteCount++;
    },
  });
  endPiece();
  endDeletes();
  return tooCostly ? undefined : pieces;
}

function walk(update: Uint8Array, visit?: Visitor): UpdateSize {
  const d = decoding.createDecoder(update);
  const size: UpdateSize = { structs: 0, values: 0, deletes: 0, fresh: 0 };
  try {
    for (let clients = readCount(d); clients > 0; clients--) {
      const structs = readCount(d);
      const client = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      visit?.client(client, clock);
      for (let i = 0; i < structs; i++) {
        const start = d.pos;
        const values = size.values;
        const length = skipStruct(d, size);
        size.structs++;
        visit?.struct(start, d.pos, length, size.values - values);
      }
    }
    for (let clients = readCount(d); clients > 0; clients--) {
      const client = decoding.readVarUint(d);
      for (let ranges = readCount(d); ranges > 0; ranges--) {
        const clock = decoding.readVarUint(d);
        const length = decoding.readVarUint(d);
        size.deletes++;
        visit?.deleted(client, clock, length);
      }
    }
  } catch (err) {
    if (err instanceof MalformedUpdateError) throw err;
    throw new MalformedUpdateError(`malformed Yjs content: ${(err as Error).message}`);
  }
  return size;
}

/** A v1 update of these runs of structs, copied from `update`, and no deletions. */
function encodeRuns(
  update: Uint8Array,
  runs: { client: number; clock: number; count: number; start: number; end: number }[],
): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, runs.length);
  for (const run of runs) {
    encoding.writeVarUint(e, run.count);
    encoding.writeVarUint(e, run.client);
    encoding.writeVarUint(e, run.clock);
    encoding.writeUint8Array(e, update.subarray(run.start, run.end));
  }
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/** A v1 update of no structs and these delete ranges. */
function encodeDeletes(deletes: Map<number, [number, number][]>): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, deletes.size);
  for (const [client, ranges] of deletes) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, length);
    }
  }
  return encoding.toUint8Array(e);
}

/** A count that claims more entries than bytes left is a lie (each takes one byte at least). */
function readCount(d: decoding.Decoder): number {
  const n = decoding.readVarUint(d);
  if (n > d.arr.length - d.pos) throw new MalformedUpdateError('malformed Yjs update: bad count');
  return n;
}

/** Reads past one struct; returns how many clocks it spans. */
function skipStruct(d: decoding.Decoder, size: UpdateSize): number {
  const info = decoding.readUint8(d);
  const content = info & 0b11111;
  if (content === Content.GC || content === Content.Skip) return decoding.readVarUint(d);
  const hasOrigin = (info & 0x80) !== 0;
  const hasRightOrigin = (info & 0x40) !== 0;
  if (hasOrigin) skipId(d);
  if (hasRightOrigin) skipId(d);
  if (!hasOrigin && !hasRightOrigin) {
    // The parent: a root type's name, or the ID of the item holding it.
    if (decoding.readVarUint(d) === 1) skipString(d);
    else skipId(d);
    if ((info & 0x20) !== 0) skipString(d); // the map key
  }
  return skipContent(d, content, size);
}

/** Reads past an item's content; returns how many clocks it spans (Yjs' getLength). */
function skipContent(d: decoding.Decoder, content: number, size: UpdateSize): number {
  switch (content) {
    case Content.Deleted:
      return decoding.readVarUint(d);
    case Content.JSON: {
      const n = readCount(d);
      for (let i = 0; i < n; i++) skipString(d);
      size.values += n;
      return n;
    }
    case Content.String:
      // Its length is in UTF-16 code units, as JavaScript counts them: decoded, not guessed.
      return decoding.readVarString(d).length;
    case Content.Binary:
    case Content.Embed:
      skipString(d);
      return 1;
    case Content.Format:
      skipString(d);
      skipString(d);
      return 1;
    case Content.Type: {
      const ref = decoding.readVarUint(d);
      if (ref >= TYPE_REFS) throw new MalformedUpdateError('malformed Yjs update: unknown type');
      if (NAMED_TYPES.has(ref)) skipString(d);
      return 1;
    }
    case Content.Any: {
      const n = readCount(d);
      for (let i = 0; i < n; i++) skipAny(d, size, 0);
      return n;
    }
    case Content.Doc:
      skipString(d);
      skipAny(d, size, 0);
      return 1;
    default:
      throw new MalformedUpdateError('malformed Yjs update: unknown content');
  }
}

function skipId(d: decoding.Decoder): void {
  decoding.readVarUint(d);
  decoding.readVarUint(d);
}

/** A length-prefixed string or byte array, not decoded. */
function skipString(d: decoding.Decoder): void {
  const length = decoding.readVarUint(d);
  if (length > d.arr.length - d.pos)
    throw new MalformedUpdateError('malformed Yjs update: too short');
  d.pos += length;
}

/** One lib0 `any` value (lib0/decoding readAny), not built. */
function skipAny(d: decoding.Decoder, size: UpdateSize, depth: number): void {
  if (depth > MAX_ANY_DEPTH)
    throw new MalformedUpdateError('malformed Yjs update: nested too deep');
  size.values++;
  const tag = decoding.readUint8(d);
  switch (tag) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return;
    case 125: // integer
      decoding.readVarInt(d);
      return;
    case 124: // float32
      return skipBytes(d, 4);
    case 123: // float64
    case 122: // bigint64
      return skipBytes(d, 8);
    case 119: // string
    case 116: // Uint8Array
      return skipString(d);
    case 118: // object
      for (let n = readCount(d); n > 0; n--) {
        skipString(d);
        skipAny(d, size, depth + 1);
      }
      return;
    case 117: // array
      for (let n = readCount(d); n > 0; n--) skipAny(d, size, depth + 1);
      return;
    default:
      throw new MalformedUpdateError('malformed Yjs update: unknown value type');
  }
}

function skipBytes(d: decoding.Decoder, n: number): void {
  if (n > d.arr.length - d.pos) throw new MalformedUpdateError('malformed Yjs update: too short');
  d.pos += n;
}
