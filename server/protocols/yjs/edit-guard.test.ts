// The edit guard must tell apart, with real Y.Docs syncing by hand: a
// student's own drawing, content relayed back, forged client IDs, erasing or
// editing other people's shapes (through the delete set, a map key or a
// container), re-sent deletions, gaps and references the room cannot resolve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { changesRoom, footprint, judge } from './edit-guard';
import type { EditRole, UpdateFootprint, Verdict } from './edit-guard';

const TEACHER = 1;
const BEA = 2;
const CAL = 3;
const BEA_BEFORE = 4; // Bea's client ID before she reloaded the page

const members = new Map([
  [TEACHER, 'teacher'],
  [BEA, 'bea'],
  [CAL, 'cal'],
  [BEA_BEFORE, 'bea'],
]);
const ownerOf = (clientId: number) => members.get(clientId);
const student = (memberId: string): EditRole => ({ memberId, moderator: false });
const teacher: EditRole = { memberId: 'teacher', moderator: true };

/** A client's copy of `source`. The ID is set after loading: Yjs renews a doc's ID when a remote update writes under it. */
function copyOf(source: Y.Doc, clientID: number): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
  doc.clientID = clientID;
  return doc;
}

/** What `doc` has that `target` lacks, with `doc`'s whole delete set (a SyncStep2). */
function newIn(doc: Y.Doc, target: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target));
}

function pull(doc: Y.Doc, from: Y.Doc): void {
  Y.applyUpdate(doc, newIn(from, doc));
}

/** The updates `doc` makes from now on, one per transaction, as its provider sends them. */
function recorder(doc: Y.Doc): Uint8Array[] {
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  return updates;
}

const shapesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('shapes');
const shape = (doc: Y.Doc, key: string) => shapesOf(doc).get(key)!;
const points = (doc: Y.Doc, key: string) => shape(doc, key).get('points') as Y.Array<number>;
const label = (doc: Y.Doc, key: string) => shape(doc, key).get('label') as Y.Text;

/** A stroke as the board makes it: a map with a points array and a label, in the root map 'shapes'. */
function draw(doc: Y.Doc, key: string, xs: number[] = [1, 2, 3]): void {
  const stroke = new Y.Map<unknown>();
  stroke.set('color', 'red');
  stroke.set('points', Y.Array.from(xs));
  stroke.set('label', new Y.Text('helo'));
  shapesOf(doc).set(key, stroke);
}

/** A room holding Bea's b1, b2 and Cal's c1, and both students' synced copies. */
function classroom(): { room: Y.Doc; bea: Y.Doc; cal: Y.Doc } {
  const room = new Y.Doc();
  const bea = copyOf(room, BEA);
  draw(bea, 'b1');
  draw(bea, 'b2');
  Y.applyUpdate(room, newIn(bea, room));
  const cal = copyOf(room, CAL);
  draw(cal, 'c1');
  Y.applyUpdate(room, newIn(cal, room));
  pull(bea, room);
  return { room, bea, cal };
}

/** Would the room's copy of another member's shapes change? Checked on a scratch copy. */
function othersAfter(room: Y.Doc, update: Uint8Array): Record<string, unknown> {
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(room));
  Y.applyUpdate(scratch, update);
  return shapesOf(scratch).toJSON();
}

const sorted = (ids: Set<number>) => [...ids].sort((a, b) => a - b);

function refusedFor(verdict: Verdict, reason: RegExp): void {
  assert.equal(verdict.ok, false);
  if (!verdict.ok) assert.match(verdict.reason, reason);
}

/** A v1 update with no structs and one deleted range: what a crafted client could send. */
function deletionOnly(client: number, clock: number, len: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // no structs
  encoding.writeVarUint(encoder, 1); // one client in the delete set
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 1); // one range
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarUint(encoder, len);
  return encoding.toUint8Array(encoder);
}

test("a student's own new strokes are hers alone, and the room doc is left untouched", () => {
  const room = new Y.Doc();
  const bea = copyOf(room, BEA);
  draw(bea, 'b1', [5, 6, 7]);
  const before = Y.encodeStateAsUpdate(room);
  const fp = footprint(room, newIn(bea, room));
  assert.deepEqual(sorted(fp.authors), [BEA]);
  assert.deepEqual(sorted(fp.parents), [BEA]); // the points and label inside her own stroke
  assert.equal(fp.deletes.size, 0);
  assert.equal(fp.gap, false);
  assert.equal(fp.unresolved, false);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
  assert.deepEqual(Y.encodeStateAsUpdate(room), before);
  assert.equal(room.share.has('shapes'), false, 'footprint must not create root types');
});

test('content the room already has, relayed back, has no authors', () => {
  const { room, bea } = classroom();
  const fp = footprint(room, Y.encodeStateAsUpdate(bea));
  assert.equal(fp.authors.size, 0);
  assert.equal(fp.parents.size, 0);
  assert.equal(fp.deletes.size, 0);
  // Partly known: Bea's whole state plus one new stroke counts only the stroke.
  draw(bea, 'b3');
  const partly = footprint(room, Y.encodeStateAsUpdate(bea));
  assert.deepEqual(sorted(partly.authors), [BEA]);
  assert.deepEqual(judge(partly, ownerOf, student('bea')), { ok: true });
});

test("writing under another client's ID is refused, even for the teacher", () => {
  const { room } = classroom();
  const forged = copyOf(room, CAL); // Bea's tab, posing as Cal
  draw(forged, 'not-mine');
  const fp = footprint(room, newIn(forged, room));
  assert.deepEqual(sorted(fp.authors), [CAL]);
  refusedFor(judge(fp, ownerOf, student('bea')), /claims to be written by someone else/);
  refusedFor(judge(fp, ownerOf, teacher), /claims to be written by someone else/);
});

test('an author the caller never bound is refused with a clear reason', () => {
  const room = new Y.Doc();
  const stranger = copyOf(room, 99);
  draw(stranger, 's1');
  const fp = footprint(room, newIn(stranger, room));
  refusedFor(judge(fp, ownerOf, student('bea')), /has not recorded who writes as 99/);
});

test('a student clearing the board erases others: refused; the teacher may', () => {
  const { room, bea } = classroom();
  shapesOf(bea).clear();
  const fp = footprint(room, newIn(bea, room));
  assert.deepEqual(sorted(fp.deletes), [BEA, CAL]);
  refusedFor(judge(fp, ownerOf, student('bea')), /cannot erase other people's work/);

  const board = copyOf(room, TEACHER);
  for (const key of [...shapesOf(board).keys()]) shapesOf(board).delete(key);
  const byTeacher = footprint(room, newIn(board, room));
  assert.deepEqual(sorted(byTeacher.deletes), [BEA, CAL]);
  assert.deepEqual(judge(byTeacher, ownerOf, teacher), { ok: true });
});

test('a student deleting only her own shapes, from this and an earlier client ID, is ok', () => {
  const room = new Y.Doc();
  const earlier = copyOf(room, BEA_BEFORE);
  draw(earlier, 'b0');
  Y.applyUpdate(room, newIn(earlier, room));
  const cal = copyOf(room, CAL);
  draw(cal, 'c1');
  Y.applyUpdate(room, newIn(cal, room));
  const bea = copyOf(room, BEA);
  draw(bea, 'b1');
  Y.applyUpdate(room, newIn(bea, room));

  shapesOf(bea).delete('b0');
  shapesOf(bea).delete('b1');
  const fp = footprint(room, newIn(bea, room));
  assert.deepEqual(sorted(fp.deletes), [BEA, BEA_BEFORE]);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
});

test("editing inside another student's shape is refused; the teacher may", () => {
  // [what, edit, whose items it deletes]
  const edits: Array<[string, (doc: Y.Doc) => void, number[]]> = [
    ['add a key to her map', (doc) => shape(doc, 'c1').set('note', 'hi'), []],
    ['change a key of her map', (doc) => shape(doc, 'c1').set('color', 'blue'), [CAL]],
    ['push to her points', (doc) => points(doc, 'c1').push([9]), []],
    ['insert between her points', (doc) => points(doc, 'c1').insert(1, [9]), []],
    ['insert before her first point', (doc) => points(doc, 'c1').insert(0, [9]), []],
  ];
  for (const [what, edit, deletes] of edits) {
    const { room, bea } = classroom();
    edit(bea);
    const fp = footprint(room, newIn(bea, room));
    assert.deepEqual(sorted(fp.parents), [CAL], what);
    assert.deepEqual(sorted(fp.deletes), deletes, what);
    refusedFor(judge(fp, ownerOf, student('bea')), /cannot change other people's work/);
    assert.deepEqual(judge(fp, ownerOf, { memberId: 'bea', moderator: true }), { ok: true });
  }
});

test("overwriting another student's key in 'shapes' erases her shape", () => {
  const { room, bea } = classroom();
  draw(bea, 'c1'); // Bea saw c1 and replaces it
  const fp = footprint(room, newIn(bea, room));
  assert.ok(fp.deletes.has(CAL));
  assert.deepEqual(sorted(fp.parents), [BEA]); // the new stroke's insides; 'shapes' is root
  refusedFor(judge(fp, ownerOf, student('bea')), /cannot erase other people's work/);
});

test('a concurrent set of the same key, with no delete set, still counts as erasing', () => {
  const room = new Y.Doc();
  const cal = copyOf(room, CAL);
  draw(cal, 'k');
  Y.applyUpdate(room, newIn(cal, room));
  // Bea's other tab never saw Cal's 'k'; its higher client ID wins the key.
  const late = copyOf(new Y.Doc(), BEA_BEFORE);
  draw(late, 'k', [9]);
  const update = newIn(late, room);
  assert.equal(Y.decodeUpdate(update).ds.clients.size, 0);
  assert.deepEqual(othersAfter(room, update), { k: { color: 'red', points: [9], label: 'helo' } });
  const fp = footprint(room, update);
  assert.ok(fp.deletes.has(CAL));
  refusedFor(judge(fp, ownerOf, student('bea')), /cannot erase other people's work/);
});

test("deleting one's own container erases the teacher's writing inside it", () => {
  const { room } = classroom();
  const board = copyOf(room, TEACHER);
  points(board, 'b1').push([42]);
  Y.applyUpdate(room, newIn(board, room));
  // A crafted deletion of just the stroke's item: Yjs deletes its insides too.
  const strokeId = shapesOf(room)._map.get('b1')!.id;
  const update = deletionOnly(strokeId.client, strokeId.clock, 1);
  assert.equal(othersAfter(room, update)['b1'], undefined);
  const fp = footprint(room, update);
  assert.deepEqual(sorted(fp.deletes), [TEACHER, BEA]);
  refusedFor(judge(fp, ownerOf, student('bea')), /cannot erase other people's work/);
});

test('a reconnecting client re-sending deletions the room already made adds no deletes', () => {
  const { room, bea } = classroom();
  const board = copyOf(room, TEACHER);
  shapesOf(board).delete('c1');
  Y.applyUpdate(room, newIn(board, room));
  pull(bea, room); // Bea saw the teacher's deletion
  draw(bea, 'b3');
  const update = newIn(bea, room);
  assert.ok(Y.decodeUpdate(update).ds.clients.has(CAL), 'the SyncStep2 carries the deletion');
  const fp = footprint(room, update);
  assert.equal(fp.deletes.has(CAL), false);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
  // The same holds once the room has collected the deleted stroke's insides.
  const everything = deletionOnly(CAL, 0, Y.getState(room.store, CAL));
  assert.equal(footprint(room, everything).deletes.size, 0);
});

test('changesRoom: only new content or new deletions change the room', () => {
  const { room, bea } = classroom();
  const board = copyOf(room, TEACHER);
  shapesOf(board).delete('c1');
  Y.applyUpdate(room, newIn(board, room));
  pull(bea, room);
  // A reconnecting page's SyncStep2 with nothing new: its whole delete set, resent.
  const resent = Y.encodeStateAsUpdate(bea, Y.encodeStateVector(room));
  assert.equal(changesRoom(footprint(room, resent)), false);
  draw(bea, 'b3');
  assert.equal(changesRoom(footprint(room, newIn(bea, room))), true);
  shapesOf(board).delete('b1');
  assert.equal(changesRoom(footprint(room, newIn(board, room))), true);
});

test('a deletion of clocks the room does not have yet counts, unless the update creates them', () => {
  const { room } = classroom();
  const beyond = Y.getState(room.store, CAL) + 5;
  assert.deepEqual(sorted(footprint(room, deletionOnly(CAL, beyond, 2)).deletes), [CAL]);

  const bea = copyOf(room, BEA);
  Y.transact(bea, () => {
    draw(bea, 'scratch');
    shapesOf(bea).delete('scratch');
  });
  const fp = footprint(room, newIn(bea, room));
  assert.deepEqual(sorted(fp.deletes), []);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
});

test('inserting and deleting in two transactions sent as one update is ok', () => {
  const { room, bea } = classroom();
  const sent = recorder(bea);
  draw(bea, 'b3');
  shapesOf(bea).delete('b3');
  const fp = footprint(room, Y.mergeUpdates(sent));
  assert.ok(sorted(fp.deletes).every((id) => id === BEA));
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
});

test('an update whose earlier part never reached the room is a gap', () => {
  const { room, bea } = classroom();
  const sent = recorder(bea);
  draw(bea, 'b3');
  draw(bea, 'b4');
  assert.equal(sent.length, 2);
  const fp = footprint(room, sent[1]!);
  assert.equal(fp.gap, true);
  refusedFor(judge(fp, ownerOf, student('bea')), /out of order/);
  assert.equal(footprint(room, Y.mergeUpdates(sent)).gap, false);
});

test('an edit next to content the room never received is unresolved', () => {
  const { room, bea, cal } = classroom();
  draw(cal, 'c2'); // goes peer to peer to Bea, never to the room
  pull(bea, cal);
  const sent = recorder(bea);
  points(bea, 'c2').push([7]);
  const fp = footprint(room, sent[0]!);
  assert.deepEqual(sorted(fp.authors), [BEA]);
  assert.equal(fp.unresolved, true);
  refusedFor(judge(fp, ownerOf, student('bea')), /refers to content the hub does not have/);
});

test('an update listing a client twice is unresolved', () => {
  const room = new Y.Doc();
  const bea = copyOf(room, BEA);
  const cal = copyOf(room, CAL);
  const sent = recorder(bea);
  draw(bea, 'b1');
  draw(bea, 'b2');
  draw(cal, 'c1');
  const [first, second] = sent.map((u) => Y.decodeUpdate(u).structs);
  const calStructs = Y.decodeUpdate(Y.encodeStateAsUpdate(cal)).structs;
  const crafted = encodeSections([first!, calStructs, second!]);
  // Yjs keeps only Bea's last list, which then waits for the dropped first one.
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, crafted);
  assert.equal(Y.getState(scratch.store, BEA), 0);
  const fp = footprint(room, crafted);
  assert.equal(fp.unresolved, true);
});

test('text: inserting inside her own label is hers; inside another one is refused', () => {
  const { room, bea, cal } = classroom();
  pull(cal, room);
  label(bea, 'b1').insert(3, 'l'); // in the middle of one merged struct
  const own = footprint(room, newIn(bea, room));
  assert.deepEqual(sorted(own.parents), [BEA]);
  assert.deepEqual(judge(own, ownerOf, student('bea')), { ok: true });
  Y.applyUpdate(room, newIn(bea, room));
  assert.equal(label(room, 'b1').toString(), 'hello');

  label(cal, 'b1').insert(0, '>'); // only a right origin
  label(cal, 'b2').insert(2, '-');
  const theirs = footprint(room, newIn(cal, room));
  assert.deepEqual(sorted(theirs.parents), [BEA]);
  refusedFor(judge(theirs, ownerOf, student('cal')), /cannot change other people's work/);
});

test("GC'd items count as deleted, and edits next to them change nothing", () => {
  const { room, bea } = classroom();
  const board = copyOf(room, TEACHER);
  shapesOf(board).delete('c1');
  Y.applyUpdate(room, newIn(board, room)); // the room collects c1's insides
  const firstPoint = points(bea, 'c1')._start!.id;
  assert.ok(room.store.clients.get(CAL)!.some((s) => s instanceof Y.GC));

  // Bea's stale copy still has c1: deleting it again, or adding to its points.
  const deleteAgain = copyOf(bea, BEA);
  shapesOf(deleteAgain).delete('c1');
  assert.equal(footprint(room, newIn(deleteAgain, room)).deletes.size, 0);
  assert.equal(footprint(room, deletionOnly(CAL, firstPoint.clock, 3)).deletes.size, 0);

  points(bea, 'c1').push([8]);
  const update = newIn(bea, room);
  const fp = footprint(room, update);
  assert.equal(fp.parents.size, 0);
  assert.equal(fp.unresolved, false);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
  assert.deepEqual(othersAfter(room, update), shapesOf(room).toJSON());
});

test('a large room and a large update resolve through the struct stores', () => {
  const room = new Y.Doc();
  const bea = copyOf(room, BEA);
  // Bea's store interleaves root-level entries of 'order' with nested content,
  // so a lookup that lands on the wrong struct finds the wrong parent.
  const order = bea.getArray<string>('order');
  Y.transact(bea, () => {
    for (let i = 0; i < 2000; i++) {
      draw(bea, `b${i}`, [i, i + 1]);
      order.push([`b${i}`]);
    }
  });
  // Later pushes lean on structs earlier in the same update.
  for (const i of [3, 999, 1999]) points(bea, `b${i}`).push([i]);
  const big = newIn(bea, room);
  const fp = footprint(room, big);
  assert.deepEqual(sorted(fp.authors), [BEA]);
  assert.deepEqual(sorted(fp.parents), [BEA]);
  assert.equal(fp.unresolved, false);
  assert.equal(fp.gap, false);
  assert.deepEqual(judge(fp, ownerOf, student('bea')), { ok: true });
  Y.applyUpdate(room, big);
  assert.ok(room.store.clients.get(BEA)!.length > 10_000);

  const cal = copyOf(room, CAL);
  cal.getArray<string>('order').insert(1234, ['c1']); // between two of Bea's entries, at root level
  const rootLevel = footprint(room, newIn(cal, room));
  assert.equal(rootLevel.parents.size, 0);
  assert.deepEqual(judge(rootLevel, ownerOf, student('cal')), { ok: true });
  Y.applyUpdate(room, newIn(cal, room));

  points(cal, 'b1234').push([0]);
  label(cal, 'b1500').insert(2, 'x');
  shapesOf(cal).delete('b777');
  const theirs = footprint(room, newIn(cal, room));
  assert.deepEqual(sorted(theirs.parents), [BEA]);
  assert.deepEqual(sorted(theirs.deletes), [BEA]);
  refusedFor(judge(theirs, ownerOf, student('cal')), /other people's work/);
});

test('judge: authors first, then gap and unresolved, then parents and deletes for students', () => {
  const fp = (parts: Partial<UpdateFootprint>): UpdateFootprint => ({
    authors: new Set([BEA]),
    parents: new Set<number>(),
    deletes: new Set<number>(),
    gap: false,
    unresolved: false,
    ...parts,
  });
  assert.deepEqual(judge(fp({}), ownerOf, student('bea')), { ok: true });
  const byTeacher = { authors: new Set([TEACHER]) };
  refusedFor(judge(fp({ ...byTeacher, gap: true }), ownerOf, teacher), /out of order/);
  refusedFor(judge(fp({ ...byTeacher, unresolved: true }), ownerOf, teacher), /does not have/);
  refusedFor(judge(fp({ parents: new Set([42]) }), ownerOf, student('bea')), /change/);
  refusedFor(judge(fp({ deletes: new Set([CAL]) }), ownerOf, student('bea')), /erase/);
  assert.deepEqual(
    judge(
      fp({ ...byTeacher, parents: new Set([BEA]), deletes: new Set([CAL, 42]) }),
      ownerOf,
      teacher,
    ),
    { ok: true },
  );
});

// Random classrooms: three students draw, edit, erase, send, resync, pull and
// reload. A refused student reloads, as the real client must.

type Op = { who: number; kind: number; pick: number; value: number };
const ops = fc.array(
  fc.record({
    who: fc.integer({ min: 0, max: 2 }),
    kind: fc.integer({ min: 0, max: 12 }),
    pick: fc.nat(),
    value: fc.integer({ min: 0, max: 99 }),
  }),
  { minLength: 10, maxLength: 60, size: 'max' },
);

interface Student {
  member: string;
  doc: Y.Doc;
  unsent: Uint8Array[];
  drawn: number;
}

class Classroom {
  readonly room = new Y.Doc();
  readonly owners = new Map<number, string>();
  readonly students: Student[];
  private nextClientId = 10;
  accepted = 0;
  refused = 0;

  /** onlyOwn: students pick only their own shapes to edit. */
  constructor(private readonly onlyOwn: boolean) {
    this.students = ['ann', 'ben', 'cat'].map((member) => this.reload(member, 0));
  }

  /** A fresh page: the room's state under a new client ID of the same member. */
  reload(member: string, drawn: number): Student {
    const doc = copyOf(this.room, this.nextClientId++);
    const student: Student = { member, doc, unsent: [], drawn };
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this.room) student.unsent.push(update);
    });
    return student;
  }

  /** Footprint, bind new client IDs to the sender (as the hub does), judge; apply if ok. */
  send(s: Student, update: Uint8Array): Verdict {
    const fp = footprint(this.room, update);
    for (const id of fp.authors) if (!this.owners.has(id)) this.owners.set(id, s.member);
    const verdict = judge(fp, (id) => this.owners.get(id), student(s.member));
    if (verdict.ok) {
      const before = this.othersView(s.member);
      Y.applyUpdate(this.room, update, this.room);
      assert.deepEqual(this.othersView(s.member), before, 'an accepted update changed others');
      this.accepted++;
    } else {
      this.refused++;
      this.students[this.students.indexOf(s)] = this.reload(s.member, s.drawn);
    }
    return verdict;
  }

  run(op: Op): Verdict | undefined {
    const s = this.students[op.who]!;
    const doc = s.doc;
    const keys = [...shapesOf(doc).entries()]
      .filter(([, v]) => !this.onlyOwn || v.get('owner') === s.member)
      .map(([k]) => k);
    const key = keys.length > 0 ? keys[op.pick % keys.length]! : undefined;
    const newShape = () => {
      const stroke = new Y.Map<unknown>();
      stroke.set('owner', s.member);
      stroke.set('points', Y.Array.from([op.value]));
      stroke.set('label', new Y.Text(`t${op.value}`));
      return stroke;
    };
    switch (op.kind) {
      case 0:
        shapesOf(doc).set(`${s.member}${s.drawn++}`, newShape());
        break;
      case 1:
        if (key) points(doc, key).push([op.value]);
        break;
      case 2:
        if (key) shape(doc, key).set('color', op.value);
        break;
      case 3:
        if (key) label(doc, key).insert(op.pick % (label(doc, key).length + 1), `${op.value}`);
        break;
      case 4:
        if (key && points(doc, key).length > 0) points(doc, key).delete(0, 1);
        break;
      case 5:
        if (key) shapesOf(doc).delete(key);
        break;
      case 6:
        if (key) shapesOf(doc).set(key, newShape());
        break;
      case 7:
      case 8:
        if (s.unsent.length > 0) return this.send(s, Y.mergeUpdates(s.unsent.splice(0)));
        break;
      case 9:
        s.unsent.length = 0;
        return this.send(s, newIn(doc, this.room));
      case 10:
      case 11:
        Y.applyUpdate(doc, newIn(this.room, doc), this.room);
        break;
      default:
        // Closed the tab: unsent edits are lost.
        this.students[op.who] = this.reload(s.member, s.drawn);
    }
    return undefined;
  }

  /** The room's shapes owned by anyone but `member`, with everything inside them. */
  private othersView(member: string): Record<string, unknown> {
    return Object.fromEntries(
      [...shapesOf(this.room).entries()]
        .filter(([, v]) => v.get('owner') !== member)
        .map(([k, v]) => [k, v.toJSON()]),
    );
  }
}

test('property: students touching only their own shapes are never refused', () => {
  fc.assert(
    fc.property(ops, (steps) => {
      const classroom = new Classroom(true);
      for (const op of steps) {
        const verdict = classroom.run(op);
        if (verdict && !verdict.ok) assert.fail(`refused: ${verdict.reason}`);
      }
    }),
    { numRuns: 150 },
  );
});

test("property: an accepted update never changes another student's shapes", () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(ops, (steps) => {
      const classroom = new Classroom(false);
      for (const op of steps) classroom.run(op);
      accepted += classroom.accepted;
      refused += classroom.refused;
    }),
    { numRuns: 150 },
  );
  // Not vacuous: both outcomes happened.
  assert.ok(accepted > 100 && refused > 20, `accepted ${accepted}, refused ${refused}`);
});

type Struct = ReturnType<typeof Y.decodeUpdate>['structs'][number];

/** A v1 update with the given client sections in this order and an empty delete set. */
function encodeSections(sections: Struct[][]): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, sections.length);
  for (const run of sections) {
    encoding.writeVarUint(encoder.restEncoder, run.length);
    encoder.writeClient(run[0]!.id.client);
    encoding.writeVarUint(encoder.restEncoder, run[0]!.id.clock);
    for (const s of run) s.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, 0);
  return encoder.toUint8Array();
}
