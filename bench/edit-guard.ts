// What the class boards' edit guard costs. In a room with roles every update a
// page sends goes through footprint() + judge() (server/protocols/yjs/edit-guard.ts)
// before Y.applyUpdate; a plain room only applies it. In one process, with real
// Y.Docs and the board's own model, a class of 30 students and a teacher draw
// (pen strokes growing every 40 ms), move, erase their own shapes, and the
// teacher erases students' shapes; every update is captured from its client
// doc's 'update' event and replayed into two copies of a room pre-filled with N
// shapes: Y.applyUpdate alone on one, footprint + judge + Y.applyUpdate on the
// other, each timed with process.hrtime.bigint. Also timed: a reconnecting
// page's SyncStep2 (its whole delete set, resent) and a cursor's awareness
// update (vetAwareness). No assertions.
// `npm run bench:guard [-- --quick]`; `npm run bench` runs it last.
import { markdownTable } from './markdown';
import { createHistogram } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { BoardModel, LOCAL } from '../renderer/board/src/model/board-model';
import { vetAwareness } from '../server/protocols/yjs/awareness-guard';
import { changesRoom, footprint, judge } from '../server/protocols/yjs/edit-guard';
import type { EditRole } from '../server/protocols/yjs/edit-guard';
import { loadNote } from './processes';

const STUDENTS = 30;
/** The board page sends a growing stroke's new points this often (FLUSH_MS in input.ts). */
const FLUSH_MS = 40;
/** A class of 31 acts about this often in all (each member every ~5 s). */
const ACTIONS_PER_S = 6;
const COLORS = ['#1e1e1e', '#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5'];

interface Plan {
  /** Room sizes: shapes on the board before the stream starts. */
  sizes: number[];
  /** Actions in the stream (a whole stroke is one). */
  actions: number;
  /** Shapes the teacher erases before the SyncStep2 is taken. */
  erased: number;
  /** Times each SyncStep2 is fed to the rooms. */
  syncRepeats: number;
  cursorMoves: number;
}

const FULL: Plan = {
  sizes: [0, 1000, 10000],
  actions: 2000,
  erased: 1000,
  syncRepeats: 200,
  cursorMoves: 2000,
};
const QUICK: Plan = {
  sizes: [0, 1000],
  actions: 150,
  erased: 200,
  syncRepeats: 20,
  cursorMoves: 200,
};
/** Run first and thrown away, so that the JIT has compiled both paths before any timing. */
const WARM_UP: Plan = {
  sizes: [500],
  actions: 300,
  erased: 100,
  syncRepeats: 20,
  cursorMoves: 300,
};

const KINDS = ['stroke start', 'stroke points', 'move', 'erase own', 'teacher erases'] as const;
type Kind = (typeof KINDS)[number];

interface Member {
  role: EditRole;
  doc: Y.Doc;
  model: BoardModel;
  /** Own shapes that are finished and still on the board. */
  live: string[];
}

interface Sent {
  kind: Kind;
  member: Member;
  update: Uint8Array;
}

/** Seeded (mulberry32): every run replays the same class. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T =>
  list[Math.floor(rand() * list.length)]!;

/** Removes a random element (order does not matter). */
function takeRandom<T>(rand: () => number, list: T[]): T | undefined {
  if (list.length === 0) return undefined;
  const i = Math.floor(rand() * list.length);
  const item = list[i]!;
  list[i] = list[list.length - 1]!;
  list.pop();
  return item;
}

/** `count` points of a random walk as flat x, y, pressure triplets; moves `from` along. */
function walk(rand: () => number, count: number, from: [number, number]): number[] {
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    from[0] += (rand() - 0.5) * 30;
    from[1] += (rand() - 0.5) * 30;
    points.push(from[0], from[1], 0.3 + rand() * 0.4);
  }
  return points;
}

/** A simulated classroom: every member's page (doc + board model), and who owns which client ID. */
class Classroom {
  readonly members: Member[] = [];
  readonly teacher: Member;
  readonly owners = new Map<number, string>();
  readonly sent: Sent[] = [];
  now = 1_700_000_000_000;
  private kind: Kind = 'stroke start';

  constructor(readonly rand: () => number) {
    for (let i = 1; i <= STUDENTS; i++) this.members.push(this.join(`student-${i}`, false));
    this.teacher = this.join('teacher', true);
    this.members.push(this.teacher);
  }

  private join(memberId: string, moderator: boolean): Member {
    const doc = new Y.Doc();
    // Random 32-bit IDs like Yjs' own, but seeded (and distinct).
    do doc.clientID = Math.floor(this.rand() * 2 ** 32);
    while (this.owners.has(doc.clientID));
    this.owners.set(doc.clientID, memberId);
    const member: Member = {
      role: { memberId, moderator },
      doc,
      model: new BoardModel(doc, memberId, () => this.now),
      live: [],
    };
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== LOCAL) return; // a relayed update, not one this page sends
      this.sent.push({ kind: this.kind, member, update });
      // The teacher's page hears everything, so it can erase any student's shape.
      if (member !== this.teacher) Y.applyUpdate(this.teacher.doc, update, 'hub');
    });
    return member;
  }

  /** Runs one edit of a page, recording what kind of update it sends. */
  edit(kind: Kind, fn: () => void): void {
    this.kind = kind;
    fn();
  }

  /** N finished pen strokes of 20-60 points, dealt round-robin; the room's state afterwards. */
  prefill(n: number): Uint8Array {
    for (let i = 0; i < n; i++) {
      const m = this.members[i % this.members.length]!;
      const from: [number, number] = [this.rand() * 4000, this.rand() * 3000];
      const points = walk(this.rand, 20 + Math.floor(this.rand() * 40), from);
      const id = m.model.add({ type: 'pen', points, color: pick(this.rand, COLORS), width: 4 });
      m.model.endStep();
      m.live.push(id);
      this.now += 100;
    }
    this.sent.length = 0; // the stream starts here
    return Y.encodeStateAsUpdate(this.teacher.doc); // it has heard every page
  }

  /**
   * `actions` things the class does over actions / 6 seconds, in time order:
   * 60 % pen strokes (10-50 flushes of 2-5 points, one every 40 ms), 20 %
   * moves and 12 % erasing one's own shape (by anyone), 8 % the teacher
   * erasing a student's. Targets are chosen when the action happens.
   */
  stream(actions: number): void {
    const { rand } = this;
    const steps: { at: number; run: () => void }[] = [];
    const durationMs = (actions / ACTIONS_PER_S) * 1000;
    for (let a = 0; a < actions; a++) {
      const at = rand() * durationMs;
      const r = rand();
      const m = pick(rand, this.members);
      if (r < 0.6) {
        const flushes = 10 + Math.floor(rand() * 41);
        const pen = { id: '', from: [rand() * 4000, rand() * 3000] as [number, number] };
        steps.push({
          at,
          run: () =>
            this.edit('stroke start', () => {
              const points = walk(rand, 1, pen.from);
              pen.id = m.model.add({ type: 'pen', points, color: pick(rand, COLORS), width: 4 });
            }),
        });
        for (let f = 1; f <= flushes; f++) {
          steps.push({
            at: at + f * FLUSH_MS,
            run: () => {
              const points = walk(rand, 2 + Math.floor(rand() * 4), pen.from);
              this.edit('stroke points', () => m.model.appendPoints(pen.id, points));
              if (f < flushes) return;
              m.model.endStep();
              m.live.push(pen.id);
            },
          });
        }
      } else if (r < 0.8) {
        steps.push({ at, run: () => this.move(m) });
      } else if (r < 0.92) {
        steps.push({ at, run: () => this.eraseOwn(m) });
      } else {
        steps.push({ at, run: () => this.teacherErases() });
      }
    }
    // A stable sort keeps a stroke's flushes in order when times tie.
    steps.sort((x, y) => x.at - y.at);
    for (const step of steps) {
      this.now = 1_700_000_000_000 + Math.round(step.at);
      step.run();
    }
  }

  private move(m: Member): void {
    if (m.live.length === 0) return;
    const id = pick(this.rand, m.live);
    const [dx, dy] = [(this.rand() - 0.5) * 400, (this.rand() - 0.5) * 400];
    this.edit('move', () => m.model.move([id], dx, dy));
    m.model.endStep();
  }

  private eraseOwn(m: Member): void {
    const id = takeRandom(this.rand, m.live);
    if (id === undefined) return;
    this.edit('erase own', () => m.model.remove([id]));
    m.model.endStep();
  }

  /** Erases a random student's finished shape from the teacher's page; false if none is left. */
  teacherErases(): boolean {
    const withShapes = this.members.filter((m) => m !== this.teacher && m.live.length > 0);
    if (withShapes.length === 0) return false;
    const id = takeRandom(this.rand, pick(this.rand, withShapes).live)!;
    this.edit('teacher erases', () => this.teacher.model.remove([id]));
    this.teacher.model.endStep();
    return true;
  }

  destroy(): void {
    for (const m of this.members) {
      m.model.destroy();
      m.doc.destroy();
    }
  }
}

/** Nanosecond histograms (Node's HDR histogram: 3 significant digits). */
class Timings {
  readonly plain = createHistogram();
  readonly guarded = createHistogram();
  /** footprint + judge alone: the guarded time less its Y.applyUpdate. */
  readonly guard = createHistogram();
  readonly bytes = createHistogram();
}

const ns = (from: bigint, to: bigint) => Math.max(1, Number(to - from));

/** The two rooms of one size: the same state, one guarded and one plain. */
interface Rooms {
  plain: Y.Doc;
  guarded: Y.Doc;
  refused: number;
  owner: (clientId: number) => string | undefined;
}

function openRooms(state: Uint8Array, owners: Map<number, string>): Rooms {
  const room = () => {
    const doc = new Y.Doc({ gc: true }); // as the hub's rooms (room.ts)
    Y.applyUpdate(doc, state);
    return doc;
  };
  // The hub binds a client ID on its first update; here every one already is.
  return { plain: room(), guarded: room(), refused: 0, owner: (id) => owners.get(id) };
}

/** Feeds one update to both rooms, the plain one first on even calls, and records the times. */
function feed(rooms: Rooms, role: EditRole, update: Uint8Array, into: Timings[], even: boolean) {
  const plain = () => {
    const t0 = process.hrtime.bigint();
    Y.applyUpdate(rooms.plain, update);
    return ns(t0, process.hrtime.bigint());
  };
  const guarded = () => {
    const t0 = process.hrtime.bigint();
    const fp = footprint(rooms.guarded, update);
    const verdict = judge(fp, rooms.owner, role);
    const t1 = process.hrtime.bigint();
    // As the hub does: an update that changes nothing is not applied.
    if (!verdict.ok) rooms.refused++;
    else if (changesRoom(fp)) Y.applyUpdate(rooms.guarded, update);
    return [ns(t0, t1), ns(t0, process.hrtime.bigint())] as const;
  };
  // Alternating the order spreads cache and GC effects over both paths.
  let p: number;
  let g: readonly [number, number];
  if (even) [p, g] = [plain(), guarded()];
  else [g, p] = [guarded(), plain()];
  for (const t of into) {
    t.plain.record(p);
    t.guard.record(g[0]);
    t.guarded.record(g[1]);
    t.bytes.record(update.length);
  }
}

interface SizeResult {
  shapes: number;
  structs: number;
  roomBytes: number;
  byKind: Map<Kind | 'all', Timings>;
  refused: number;
  equal: boolean;
  sync: SyncResult;
}

interface SyncResult {
  erased: number;
  ranges: number;
  /** The same SyncStep2, fed again and again (it changes nothing after the first time). */
  times: Timings;
  ok: boolean;
}

function structCount(doc: Y.Doc): number {
  let n = 0;
  for (const structs of doc.store.clients.values()) n += structs.length;
  return n;
}

function runSize(shapes: number, plan: Plan, seed: number): SizeResult {
  const room = new Classroom(random(seed));
  const rooms = openRooms(room.prefill(shapes), room.owners);
  const structs = structCount(rooms.guarded);
  const roomBytes = Y.encodeStateAsUpdate(rooms.guarded).length;
  room.stream(plan.actions);
  const all = new Timings();
  const byKind = new Map<Kind | 'all', Timings>(KINDS.map((k) => [k, new Timings()]));
  byKind.set('all', all);
  room.sent.forEach(({ kind, member, update }, i) =>
    feed(rooms, member.role, update, [all, byKind.get(kind)!], i % 2 === 0),
  );
  const refused = rooms.refused;
  const sync = syncStep2(room, rooms, plan);
  const state = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
  const equal = state(rooms.plain) === state(rooms.guarded);
  room.destroy();
  rooms.plain.destroy();
  rooms.guarded.destroy();
  return { shapes, structs, roomBytes, byKind, refused, equal, sync };
}

/**
 * The teacher erases up to `plan.erased` students' shapes, then a page that has
 * the whole room reconnects: its SyncStep2 (against the room's state vector)
 * has no new struct, only its whole delete set, which the guard reads range by range.
 */
function syncStep2(room: Classroom, rooms: Rooms, plan: Plan): SyncResult {
  const from = room.sent.length;
  let erased = 0;
  while (erased < plan.erased && room.teacherErases()) erased++;
  for (const { update } of room.sent.slice(from)) {
    Y.applyUpdate(rooms.plain, update);
    Y.applyUpdate(rooms.guarded, update);
  }
  const page = new Y.Doc();
  Y.applyUpdate(page, Y.encodeStateAsUpdate(rooms.guarded));
  const update = Y.encodeStateAsUpdate(page, Y.encodeStateVector(rooms.guarded));
  page.destroy();
  let ranges = 0;
  for (const list of Y.decodeUpdate(update).ds.clients.values()) ranges += list.length;

  const student = room.members[0]!.role; // not a moderator: judge() looks at every delete
  const refused = rooms.refused;
  const times = new Timings();
  for (let i = 0; i < plan.syncRepeats; i++) feed(rooms, student, update, [times], i % 2 === 0);
  return { erased, ranges, times, ok: rooms.refused === refused };
}

interface AwarenessResult {
  times: Timings;
  refused: number;
}

/** A student's cursor moving: each change as the page sends it, into two room awarenesses. */
function awarenessRun(moves: number, seed: number): AwarenessResult {
  const rand = random(seed);
  const page = new Awareness(new Y.Doc());
  page.setLocalStateField('user', { name: 'Student 1', color: '#1971c2' });
  const updates: Uint8Array[] = [];
  for (let i = 0; i < moves; i++) {
    page.setLocalStateField('cursor', { x: Math.round(rand() * 40000) / 10, y: 1500 });
    updates.push(encodeAwarenessUpdate(page, [page.clientID]));
  }
  // As the hub's check for a bound client ID: someone else's if bound to another member.
  const owners = new Map([[page.clientID, 'student-1']]);
  const speaksForOther = (id: number) => (owners.get(id) ?? 'student-1') !== 'student-1';
  const [plainRoom, guardedRoom] = [new Awareness(new Y.Doc()), new Awareness(new Y.Doc())];
  const result: AwarenessResult = { times: new Timings(), refused: 0 };
  const { times } = result;
  const origin = {}; // the hub passes the connection
  updates.forEach((update, i) => {
    const plain = () => {
      const t0 = process.hrtime.bigint();
      applyAwarenessUpdate(plainRoom, update, origin);
      times.plain.record(ns(t0, process.hrtime.bigint()));
    };
    const guarded = () => {
      const t0 = process.hrtime.bigint();
      const vetted = vetAwareness(update, 'Student One', speaksForOther);
      const t1 = process.hrtime.bigint();
      if (vetted) applyAwarenessUpdate(guardedRoom, vetted, origin);
      else result.refused++;
      times.guard.record(ns(t0, t1));
      times.guarded.record(ns(t0, process.hrtime.bigint()));
    };
    if (i % 2 === 1) guarded();
    plain();
    if (i % 2 === 0) guarded();
    times.bytes.record(update.length);
  });
  for (const a of [page, plainRoom, guardedRoom]) {
    a.destroy(); // stops its timer
    a.doc.destroy();
  }
  return result;
}

const us = (nanos: number) => (Number.isFinite(nanos) ? (nanos / 1e3).toFixed(1) : '—');
const perS = (nanos: number) => (nanos > 0 ? Math.round(1e9 / nanos).toLocaleString('en') : '—');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

/** The columns every table shares: count, size, both paths and the guard alone, and their ratio. */
const TIMING_HEAD = [
  'count',
  'bytes p50',
  'plain p50 µs',
  'p99',
  'mean',
  'guarded p50 µs',
  'p99',
  'mean',
  'guard alone p50 µs',
  'p99',
  'mean',
  'guarded/plain p50',
  'mean',
  'plain upd/s',
  'guarded upd/s',
];

function timingCells(t: Timings): string[] {
  return [
    String(t.plain.count),
    String(t.bytes.percentile(50)),
    ...[t.plain, t.guarded, t.guard].flatMap((h) => [
      us(h.percentile(50)),
      us(h.percentile(99)),
      us(h.mean),
    ]),
    ratio(t.guarded.percentile(50), t.plain.percentile(50)),
    ratio(t.guarded.mean, t.plain.mean),
    perS(t.plain.mean),
    perS(t.guarded.mean),
  ];
}

function updatesTable(results: SizeResult[]): string {
  const rows = results.flatMap((r) =>
    [...r.byKind]
      .filter(([, t]) => t.plain.count > 0)
      .map(([kind, t]) => [r.shapes.toLocaleString('en'), kind, ...timingCells(t)]),
  );
  return markdownTable(['shapes', 'update', ...TIMING_HEAD], rows);
}

function syncTable(results: SizeResult[]): string {
  return markdownTable(
    ['shapes', 'erased by teacher', 'delete ranges', ...TIMING_HEAD],
    results.map(({ shapes, sync: s }) => [
      shapes.toLocaleString('en'),
      String(s.erased),
      String(s.ranges) + (s.ok ? '' : ' (refused!)'),
      ...timingCells(s.times),
    ]),
  );
}

function awarenessTable(a: AwarenessResult): string {
  return markdownTable(['update', ...TIMING_HEAD], [['cursor move', ...timingCells(a.times)]]);
}

export function editGuardReport({ quick = false } = {}): string {
  const plan = quick ? QUICK : FULL;
  const started = Date.now();
  runSize(WARM_UP.sizes[0]!, WARM_UP, 1);
  awarenessRun(WARM_UP.cursorMoves, 1);
  // Presence first: the big rooms' garbage would land its collection in these short timings.
  const aware = awarenessRun(plan.cursorMoves, 42);
  const results = plan.sizes.map((n) => runSize(n, plan, 42));
  const problems = results.flatMap((r) => [
    ...(r.refused > 0 ? [`${r.refused} updates refused at ${r.shapes} shapes`] : []),
    ...(r.equal ? [] : [`the two rooms differ at ${r.shapes} shapes`]),
  ]);
  if (aware.refused > 0) problems.push(`${aware.refused} awareness updates refused`);
  return [
    `Edit guard (${quick ? 'quick' : 'full'}): a class of ${STUDENTS} students and a teacher, ` +
      `${plan.actions} actions on rooms pre-filled with ${plan.sizes.join(', ')} pen strokes; ` +
      `in-process, one core, ${loadNote()}`,
    `Rooms: ${results
      .map(
        (r) => `${r.shapes} shapes = ${r.structs} structs, ${(r.roomBytes / 1024).toFixed(0)} KiB`,
      )
      .join('; ')}.`,
    '',
    updatesTable(results),
    '',
    'plain: Y.applyUpdate alone; guarded: footprint + judge + Y.applyUpdate on a copy of the same',
    'room; guard alone: footprint + judge. upd/s: updates one core applies at the mean. Means',
    'include garbage collection, which lands on whichever update triggers it: with few samples',
    '(quick, or the rarer kinds) the p50 ratio is the steadier one.',
    '',
    'A reconnecting page resends its whole delete set (SyncStep2) after the teacher erased shapes;',
    'the same SyncStep2 is fed repeatedly (it changes nothing after the first time):',
    '',
    syncTable(results),
    '',
    'Presence in a room with roles (guard: vetAwareness; plain: applyAwarenessUpdate alone):',
    '',
    awarenessTable(aware),
    '',
    problems.length > 0
      ? `PROBLEMS: ${problems.join('; ')}.`
      : 'Every update was accepted, and both copies of each room ended identical.',
    `Total time ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  process.stdout.write(`${editGuardReport({ quick: values.quick })}\n`);
}
