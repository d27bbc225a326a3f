// The edit guard of Yjs rooms with roles. The hub reads an incoming update
// with Yjs' own decoder and places it against the room's doc the way
// Y.applyUpdate would integrate it, to learn whose work it touches: under which
// client IDs it writes, inside whose items it puts new ones, and whose items it
// deletes. judge() holds that footprint against the sender's role.
//
// The update is decoded as sent, not Y.diffUpdate'd first: a crafted update
// (a client listed twice, an overlapping struct with a different parent) reads
// differently once re-encoded, and the room applies the bytes as sent.
import * as Y from 'yjs';

/** What an incoming update would do to the room's doc, as far as ownership goes. */
export interface UpdateFootprint {
  /** Client IDs of structs the room does not have yet (content the room already has, relayed back, does not count). */
  authors: Set<number>;
  /** Client IDs of the parent items new items are placed inside (root-level types excluded). */
  parents: Set<number>;
  /**
   * Client IDs whose items the update newly deletes: through its delete set,
   * by giving a map key a new value, and with everything inside a deleted item.
   * Items that are already deleted (or GC'd) do not count; clocks the room does
   * not have yet do, unless the update itself creates them.
   */
  deletes: Set<number>;
  /** The update's structs for some client start after the room's known clock for it (the doc would hold them as pending, waiting for a gap that never fills). */
  gap: boolean;
  /** Something could not be resolved (a reference to a struct found nowhere, a reference cycle, a client listed twice). */
  unresolved: boolean;
}

export interface EditRole {
  memberId: string;
  /** The teacher: may delete anything and edit inside anyone's items. */
  moderator: boolean;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** What a doc's struct store holds. */
type Stored = Y.Item | Y.GC;
/** A shared type in the room's doc (as Yjs types it). */
type RoomType = NonNullable<ReturnType<Y.Doc['share']['get']>>;

/** Where Yjs would put a new item. */
type Placement =
  | {
      kind: 'placed';
      /** Client ID of the item that holds the parent type; null for a root-level type. */
      parentOwner: number | null;
      /** The parent type if the room has it already. */
      roomParent: RoomType | null;
      /** The map key (parentSub), or null in a list. */
      key: string | null;
    }
  /** Next to or inside a GC'd struct: Yjs stores the item as a GC, so it changes nothing. */
  | { kind: 'collected' }
  | { kind: 'unresolved' };

const COLLECTED: Placement = { kind: 'collected' };
const UNRESOLVED: Placement = { kind: 'unresolved' };
const VISITING = 'visiting';
/** Single-author updates resolve within a few levels; this only stops a crafted chain from overflowing the stack. */
const MAX_DEPTH = 1000;

/**
 * What `update` would do to the room's `doc`, which is only read. Throws on
 * bytes Yjs cannot decode, as Y.applyUpdate would.
 */
export function footprint(doc: Y.Doc, update: Uint8Array): UpdateFootprint {
  const { structs, ds } = Y.decodeUpdate(update);
  const fp: UpdateFootprint = {
    authors: new Set(),
    parents: new Set(),
    deletes: new Set(),
    gap: false,
    unresolved: false,
  };
  const fresh = freshRuns(doc.store, structs, fp);
  const placer = new Placer(doc, fresh);
  for (const run of fresh.values()) {
    for (const struct of run) {
      if (!(struct instanceof Y.Item)) continue;
      const place = placer.place(struct);
      if (place.kind === 'unresolved') fp.unresolved = true;
      if (place.kind !== 'placed') continue;
      if (place.parentOwner !== null) fp.parents.add(place.parentOwner);
      // A new value for a map key deletes the current one when it integrates,
      // whether or not the delete set says so.
      const current = place.key === null ? undefined : place.roomParent?._map.get(place.key);
      if (current && !current.deleted) erase(current, fp.deletes);
    }
  }
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) {
      deletesInRange(doc.store, fresh.get(client), client, clock, clock + len, fp.deletes);
    }
  }
  return fp;
}

/** Whether applying the update would change the room at all (new content or new deletions). */
export function changesRoom(fp: UpdateFootprint): boolean {
  return fp.authors.size > 0 || fp.deletes.size > 0;
}

/**
 * Whether `role` may make an update with this footprint. owner(clientId) is the
 * member ID bound to that client ID, or undefined if unbound. Reasons are shown
 * to the student.
 */
export function judge(
  fp: UpdateFootprint,
  owner: (clientId: number) => string | undefined,
  role: EditRole,
): Verdict {
  for (const author of fp.authors) {
    const member = owner(author);
    // The caller binds new client IDs before judging: unbound means it forgot.
    if (member === undefined) return refuse(`the hub has not recorded who writes as ${author}`);
    if (member !== role.memberId) return refuse('this update claims to be written by someone else');
  }
  if (fp.gap) return refuse('out of order: this update builds on edits the hub never received');
  if (fp.unresolved) return refuse('this update refers to content the hub does not have');
  if (role.moderator) return { ok: true };
  const isOthers = (client: number) => owner(client) !== role.memberId;
  if ([...fp.parents].some(isOthers)) return refuse("you cannot change other people's work");
  if ([...fp.deletes].some(isOthers)) return refuse("you cannot erase other people's work");
  return { ok: true };
}

function refuse(reason: string): Verdict {
  return { ok: false, reason };
}

/**
 * The structs the room would integrate now, per client, in clock order: from
 * the room's known clock up to the first gap. Records authors and gaps on the way.
 */
function freshRuns(
  store: Y.Doc['store'],
  structs: ReturnType<typeof Y.decodeUpdate>['structs'],
  fp: UpdateFootprint,
): Map<number, Stored[]> {
  const fresh = new Map<number, Stored[]>();
  const listed = new Set<number>();
  let client: number | undefined;
  let next = 0;
  let known = 0;
  for (const struct of structs) {
    if (struct.id.client !== client) {
      client = struct.id.client;
      // Y.applyUpdate keeps only the last list of a client's structs.
      if (listed.has(client)) fp.unresolved = true;
      listed.add(client);
      known = Y.getState(store, client);
    } else if (struct.id.clock !== next) {
      fp.unresolved = true; // the same client listed twice in a row
    }
    next = struct.id.clock + struct.length;
    if (struct instanceof Y.Skip || next <= known) continue;
    fp.authors.add(client);
    if (struct.id.clock > known) {
      fp.gap = true;
      continue;
    }
    known = next;
    const run = fresh.get(client);
    if (run) run.push(struct);
    else fresh.set(client, [struct]);
  }
  return fresh;
}

/** Resolves new items' parents as Item.getMissing does, remembering each answer. */
class Placer {
  private readonly memo = new Map<Y.Item, Placement | typeof VISITING>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly fresh: Map<number, Stored[]>,
  ) {}

  place(item: Y.Item, depth = 0): Placement {
    const known = this.memo.get(item);
    // A reference cycle: Yjs would wait for each item forever.
    if (known === VISITING) return UNRESOLVED;
    if (known) return known;
    if (depth > MAX_DEPTH) return UNRESOLVED;
    this.memo.set(item, VISITING);
    const place = this.resolve(item, depth);
    this.memo.set(item, place);
    return place;
  }

  private resolve(item: Y.Item, depth: number): Placement {
    if (item.origin || item.rightOrigin) {
      // The parent is not encoded: the item takes its neighbours' parent.
      const left = item.origin && this.placeOf(item.origin, item, depth);
      const right = item.rightOrigin && this.placeOf(item.rightOrigin, item, depth);
      if (left?.kind === 'unresolved' || right?.kind === 'unresolved') return UNRESOLVED;
      if (left?.kind === 'collected' || right?.kind === 'collected') return COLLECTED;
      return left ?? right ?? UNRESOLVED;
    }
    // Decoded, not integrated: the parent is a root type's name or the parent item's ID.
    const parent: unknown = item.parent;
    if (typeof parent === 'string') {
      const roomParent = this.doc.share.get(parent) ?? null;
      return { kind: 'placed', parentOwner: null, roomParent, key: item.parentSub };
    }
    if (!(parent instanceof Y.ID)) return UNRESOLVED;
    const found = this.locate(parent, item);
    if (!found) return UNRESOLVED;
    if (found.struct instanceof Y.GC) return COLLECTED;
    if (!found.inRoom) {
      const parentPlace = this.place(found.struct, depth + 1);
      if (parentPlace.kind !== 'placed') return parentPlace;
    }
    const content = found.struct.content;
    const roomParent = found.inRoom && content instanceof Y.ContentType ? content.type : null;
    return { kind: 'placed', parentOwner: parent.client, roomParent, key: item.parentSub };
  }

  /** The placement of the struct at `id`, which `from` sits next to. */
  private placeOf(id: Y.ID, from: Y.Item, depth: number): Placement {
    const found = this.locate(id, from);
    if (!found) return UNRESOLVED;
    if (found.struct instanceof Y.GC) return COLLECTED;
    if (!found.inRoom) return this.place(found.struct, depth + 1);
    const parent = found.struct.parent;
    if (!(parent instanceof Y.AbstractType)) return UNRESOLVED;
    const parentOwner = parent._item?.id.client ?? null;
    return { kind: 'placed', parentOwner, roomParent: parent, key: found.struct.parentSub };
  }

  /** The struct holding `id`, in the room's store or among the update's new structs. */
  private locate(id: Y.ID, from: Y.Item): { struct: Stored; inRoom: boolean } | undefined {
    const store = this.doc.store;
    if (id.clock < Y.getState(store, id.client)) {
      const structs = store.clients.get(id.client)!;
      return { struct: structs[Y.findIndexSS(structs, id.clock)]!, inRoom: true };
    }
    // Yjs integrates a client's structs in clock order: an item can only lean
    // on its own client's earlier ones.
    if (id.client === from.id.client && id.clock >= from.id.clock) return undefined;
    const struct = structAt(this.fresh.get(id.client), id.clock);
    return struct && { struct, inRoom: false };
  }
}

/** Records the owners of the room's items a delete-set range newly deletes. */
function deletesInRange(
  store: Y.Doc['store'],
  fresh: Stored[] | undefined,
  client: number,
  clock: number,
  end: number,
  deletes: Set<number>,
): void {
  if (end <= clock) return;
  const state = Y.getState(store, client);
  if (clock < state) {
    const structs = store.clients.get(client)!;
    for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
      const struct = structs[i]!;
      if (struct.id.clock >= end) break;
      if (struct instanceof Y.Item && !struct.deleted) erase(struct, deletes);
    }
  }
  // Clocks the room does not have: Yjs keeps the deletion and applies it when
  // they arrive, unless this very update brings them (insert and delete in one go).
  const from = Math.max(clock, state);
  if (end > from && !(structAt(fresh, from) && structAt(fresh, end - 1))) deletes.add(client);
}

/** Deleting an item deletes what is inside it (ContentType.delete): records every owner that loses something. */
function erase(item: Y.Item, deletes: Set<number>): void {
  const stack = [item];
  for (let next = stack.pop(); next; next = stack.pop()) {
    deletes.add(next.id.client);
    if (!(next.content instanceof Y.ContentType)) continue;
    const type = next.content.type;
    for (let child = type._start; child; child = child.right) {
      if (!child.deleted) stack.push(child);
    }
    for (const child of type._map.values()) if (!child.deleted) stack.push(child);
  }
}

/** Binary search in a run of consecutive structs (Yjs' own, as for the room's store). */
function structAt(run: Stored[] | undefined, clock: number): Stored | undefined {
  if (!run || run.length === 0) return undefined;
  const last = run[run.length - 1]!;
  if (clock < run[0]!.id.clock || clock >= last.id.clock + last.length) return undefined;
  return run[Y.findIndexSS(run, clock)];
}
