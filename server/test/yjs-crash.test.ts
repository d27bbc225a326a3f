// Visible means durable, for Yjs rooms and class boards
// (docs/protocols/yjs.md#when-updates-are-stored): the hub runs as a child
// process (the real CLI on a SQLite file, compacting every few updates), two
// real y-websocket providers write, and an observer records every update the
// hub sends it. The hub is SIGKILLed at random moments, often right as an
// update reaches the observer, and often while a compaction runs. After each
// restart a fresh client reads the room: everything the observer was ever sent
// must be there, deletions included.
// LANBOARD_CRASH_CYCLES sets the cycles per test (`npm run soak` runs 40).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import * as Y from 'yjs';
import { decodeFrame, encodeSyncStep1 } from '../protocols/yjs/codec';
import { killAllHubs, spawnHub } from './child-hub';
import type { ChildHub } from './child-hub';
import { createClass, joinClass, teacherTokenOf, TEST_ADMIN_TOKEN } from './class-client';
import { tempDir } from './hub-fixture';
import { prng } from './random';
import { openProvider, RawYjsClient } from './yjs-client';
import type { TestProvider } from './yjs-client';

const CYCLES = Number(process.env.LANBOARD_CRASH_CYCLES ?? 6);
const dirs: { remove(): void }[] = [];
const providers = new Set<TestProvider>();

after(async () => {
  for (const p of providers) p.destroy();
  await killAllHubs();
  for (const d of dirs) d.remove();
});

/** Where a test's clients go: the room, and the token each connection carries. */
interface Target {
  room: string;
  /** The observer's and the reader's query parameters. */
  reader: Record<string, string>;
  /** One entry per writer: its query parameters, and what one of its edits does. */
  writers: { params: Record<string, string>; edit: Edit }[];
}

type Edit = (doc: Y.Doc, n: number, random: () => number) => void;

/** Mostly new entries (up to 2 KB, so compactions have work), sometimes a deletion. */
const logEdit =
  (who: string): Edit =>
  (doc, n, random) => {
    const log = doc.getArray<string>('log');
    if (log.length > 0 && random() < 0.15) return log.delete(Math.floor(random() * log.length));
    log.push([`${who}-${n}-${'x'.repeat(Math.floor(random() * 2000))}`]);
  };

/** A board stroke, or erasing one of the writer's own (what a student may erase). */
const strokeEdit =
  (who: string): Edit =>
  (doc, n, random) => {
    const shapes = doc.getMap<Y.Map<unknown>>('shapes');
    const own = [...shapes.keys()].filter((id) => id.startsWith(`${who}-`));
    if (own.length > 0 && random() < 0.15) {
      return shapes.delete(own[Math.floor(random() * own.length)]!);
    }
    doc.transact(() => {
      const shape = new Y.Map<unknown>();
      shape.set('type', 'pen');
      shape.set('color', '#000');
      const points = Array.from({ length: 3 + Math.floor(random() * 300) }, () => random() * 500);
      shape.set('points', Y.Array.from(points));
      shapes.set(`${who}-${n}`, shape);
    });
  };

const content = (doc: Y.Doc) =>
  JSON.stringify({ log: doc.getArray('log').toJSON(), shapes: doc.getMap('shapes').toJSON() });

/**
 * What of `seen` is not in `fresh`: structs (items and their clocks, deleted
 * or not) and deletions.
 */
function missing(seen: Y.Doc, fresh: Y.Doc): { structs: number; deletions: boolean } {
  const have = Y.decodeStateVector(Y.encodeStateVector(fresh));
  let structs = 0;
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(seen))) {
    structs += Math.max(0, clock - (have.get(client) ?? 0));
  }
  const probe = new Y.Doc();
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(fresh));
  const before = content(probe);
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(seen));
  const deletions = content(probe) !== before;
  probe.destroy();
  return { structs, deletions };
}

const roomUrl = (hub: ChildHub, room: string, params: Record<string, string>) =>
  `${hub.wsUrl}/yjs/${room}?${new URLSearchParams(params).toString()}`;

/** The room as a fresh client gets it: its first sync, pieces included. */
async function readRoom(hub: ChildHub, target: Target): Promise<Y.Doc> {
  const client = await RawYjsClient.open(roomUrl(hub, target.room, target.reader));
  client.send(encodeSyncStep1(Uint8Array.of(0)));
  const doc = new Y.Doc();
  for (;;) {
    const m = decodeFrame(await client.next())[0]!;
    if (m.type === 'update' || m.type === 'sync-step2') Y.applyUpdate(doc, m.update);
    if (m.type === 'sync-step2') break;
  }
  client.close();
  return doc;
}

const settings = {
  // Compaction all the time, so that many kills land in one.
  LANBOARD_YJS_COMPACT_UPDATES: '3',
  LANBOARD_YJS_COMPACT_BYTES: '65536',
};

async function crashCycles(
  t: TestContext,
  name: string,
  prepare: (hub: ChildHub) => Promise<Target>,
): Promise<void> {
  const seed = Number(process.env.LANBOARD_TEST_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`seed ${seed}`);
  const random = prng(seed);
  const dir = tempDir(`lanboard-${name}-crash-`);
  dirs.push(dir);
  const args = ['--db', path.join(dir.dir, 'hub.db'), '--data-dir', dir.dir];
  const start = () => spawnHub([...args, '--admin-token', TEST_ADMIN_TOKEN], settings);

  /** Everything the observer was ever sent, applied in arrival order. */
  const seen = new Y.Doc();
  let target: Target | undefined;
  let received = 0;
  let killsOnArrival = 0;

  for (let cycle = 0; cycle <= CYCLES; cycle++) {
    const hub = await start();
    target ??= await prepare(hub);
    const fresh = await readRoom(hub, target);
    const lost = missing(seen, fresh);
    const where = `cycle ${cycle}, seed ${seed}`;
    assert.equal(lost.structs, 0, `${lost.structs} structs the observer had were lost (${where})`);
    assert.ok(!lost.deletions, `a deletion the observer had was lost (${where})`);
    fresh.destroy();
    if (cycle === CYCLES) {
      await hub.stop('SIGKILL');
      break;
    }

    const observer = await RawYjsClient.open(roomUrl(hub, target.room, target.reader));
    const writers = target.writers.map((w) => {
      const p = openProvider(hub.wsUrl, target!.room, { params: w.params });
      providers.add(p);
      return { ...w, p };
    });
    await Promise.all(writers.map((w) => w.p.synced()));

    // Killed either as the k-th update reaches the observer (before the observer even
    // reads it: the narrowest window there is), or at a random moment.
    const onArrival = random() < 0.75;
    const k = 1 + Math.floor(random() * 25);
    let updates = 0;
    const kill = () => hub.child.kill('SIGKILL');
    observer.ws.on('message', (data: Buffer) => {
      // 00 02: a sync message holding an update.
      if (onArrival && data[0] === 0 && data[1] === 2 && ++updates === k) kill();
      for (const m of decodeFrame(new Uint8Array(data))) {
        if (m.type !== 'update' && m.type !== 'sync-step2') continue;
        Y.applyUpdate(seen, m.update);
        received++;
      }
    });
    observer.send(encodeSyncStep1(Uint8Array.of(0)));
    if (onArrival) killsOnArrival++;
    else setTimeout(kill, 20 + random() * 600);

    let n = 0;
    const writing = writers.map(async (w) => {
      while (hub.child.exitCode === null && hub.child.signalCode === null) {
        w.edit(w.p.doc, cycle * 10_000 + n++, random);
        await new Promise((r) => setTimeout(r, random() * 15));
      }
    });
    // Writing stops with the hub; a hub that never reaches k updates is killed anyway.
    const deadline = setTimeout(kill, 10_000);
    await hub.exited;
    clearTimeout(deadline);
    await Promise.all(writing);
    assert.equal(hub.child.signalCode, 'SIGKILL', `the hub died of the kill: ${hub.stderr()}`);
    await observer.closed;
    for (const w of writers) {
      const refused = w.p.closes.filter((c) => c.code >= 4000);
      assert.deepEqual(refused, [], `a writer was refused (${where})`);
      w.p.destroy();
      providers.delete(w.p);
    }
    assert.equal(seen.store.pendingStructs, null, `the observer missed an update (${where})`);
  }
  t.diagnostic(
    `${CYCLES} kills (${killsOnArrival} as an update arrived), ${received} updates seen, ` +
      `final content ${content(seen).length} characters`,
  );
}

test(
  `nothing a client was sent from a Yjs room is lost in ${CYCLES} SIGKILLs`,
  { timeout: 60_000 + CYCLES * 20_000 },
  async (t) => {
    await crashCycles(t, 'yjs', async () => ({
      room: 'crash-room',
      reader: {},
      writers: [
        { params: {}, edit: logEdit('a') },
        { params: {}, edit: logEdit('b') },
      ],
    }));
  },
);

test(
  `nothing a client was sent from a class board is lost in ${CYCLES} SIGKILLs`,
  { timeout: 60_000 + CYCLES * 20_000 },
  async (t) => {
    await crashCycles(t, 'class', async (hub) => {
      const detail = await createClass(hub.httpUrl);
      const teacher = teacherTokenOf(detail);
      const student = await joinClass(hub.httpUrl, detail.code, 'Ada');
      return {
        room: detail.code,
        reader: { token: teacher },
        writers: [
          { params: { token: teacher }, edit: strokeEdit('teacher') },
          { params: { token: student.token }, edit: strokeEdit('ada') },
        ],
      };
    });
  },
);
