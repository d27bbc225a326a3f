// Visible means durable (docs/protocols/yjs.md#when-updates-are-stored): no
// member, new client or other hub is sent an update before the store has
// committed it, a busy room commits once per broadcast, and a compaction in
// progress never holds a commit back. The store here is the memory store
// with its writes held until the test lets them go, as a slow disk would
// hold them.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import type { Bus } from '../../cluster/bus';
import { LocalBus } from '../../cluster/local-bus';
import { startBareTransport } from '../../test/bare-transport';
import { captureLog } from '../../test/captured-log';
import { RawYjsClient } from '../../test/yjs-client';
import { MemoryYjsStore } from '../../store/memory-yjs-store';
import type { RoomUsage } from '../../store/yjs-store';
import { decodeFrame, encodeSyncStep1, encodeUpdate } from './codec';
import { mountYjs } from './mount';
import { YjsRoom } from './room';
import type { RoomMember } from './room';
import { topicOf } from './room-link';

const rooms: YjsRoom[] = [];
after(() => rooms.forEach((r) => r.destroy()));

/** A gate a held store call waits behind. */
class Gate {
  private opened = false;
  private waiting: (() => void)[] = [];
  pass(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((r) => this.waiting.push(r));
  }
  open(): void {
    this.opened = true;
    for (const r of this.waiting.splice(0)) r();
  }
}

/** The memory store, with appends and compactions held at gates of the test's choosing. */
class HeldStore extends MemoryYjsStore {
  appendGate = new Gate();
  compactGate = new Gate();
  appended: Uint8Array[] = [];
  /** Commits made: calls of append that reached the store. */
  commits = 0;
  compactions = 0;
  constructor() {
    super();
    this.appendGate.open();
    this.compactGate.open();
  }
  override async append(room: string, updates: readonly Uint8Array[]) {
    await this.appendGate.pass();
    this.commits++;
    this.appended.push(...updates);
    return super.append(room, updates);
  }
  override async compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    this.compactions++;
    await this.compactGate.pass();
    return super.compact(room, merged, throughSeq);
  }
}

class Member implements RoomMember {
  readonly controlledIds = new Set<number>();
  readonly frames: Uint8Array[] = [];
  deliver(frame: Uint8Array): void {
    this.frames.push(frame);
  }
}

const silent = captureLog('silent').logger;
const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));

async function roomOn(
  store: HeldStore,
  bus?: Bus,
  compactUpdates = 1000,
  broadcastMs = 20,
): Promise<YjsRoom> {
  const limits = { maxRoomBytes: 1e6, compactUpdates, compactBytes: 1e6, broadcastMs };
  const room = await YjsRoom.load('r', store, limits, silent, { bus });
  rooms.push(room);
  return room;
}

/** An update from another doc that appends `text` to the shared text. */
function edit(writer: Y.Doc, text: string): Uint8Array {
  let update: Uint8Array | undefined;
  writer.once('update', (u: Uint8Array) => (update = u));
  writer.getText('t').insert(writer.getText('t').length, text);
  return update!;
}

/** The text a member holds after applying every update frame it was sent. */
function textOf(frames: Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const frame of frames) {
    for (const m of decodeFrame(frame)) if (m.type === 'update') Y.applyUpdate(doc, m.update);
  }
  const text = doc.getText('t').toString();
  doc.destroy();
  return text;
}

test('an update reaches the members only once the store has committed it', async () => {
  const store = new HeldStore();
  const room = await roomOn(store);
  const member = new Member();
  room.members.add(member);
  store.appendGate = new Gate();

  Y.applyUpdate(room.doc, edit(new Y.Doc(), 'seen only once stored'));
  await settle();
  assert.equal(member.frames.length, 0, 'nothing goes out while the commit is pending');
  store.appendGate.open();
  await settle();
  assert.equal(store.appended.length, 1);
  assert.equal(textOf(member.frames), 'seen only once stored');
});

test('a busy room commits once per broadcast, however many turns its updates came in', async () => {
  const store = new HeldStore();
  // Long enough that a busy machine does not end the interval between two statements.
  const broadcastMs = 500;
  const room = await roomOn(store, undefined, 1000, broadcastMs);
  const member = new Member();
  room.members.add(member);
  const writer = new Y.Doc();
  const nextTurn = () => new Promise((r) => setImmediate(r));

  // After a quiet spell: the updates read in one turn share a commit and a frame.
  Y.applyUpdate(room.doc, edit(writer, 'a'));
  Y.applyUpdate(room.doc, edit(writer, 'b'));
  await settle();
  assert.equal(store.commits, 1, 'one commit for the turn');
  assert.equal(member.frames.length, 1, 'one frame for the turn');

  // Within the interval: one update per turn, nothing committed until it ends.
  for (const text of ['c', 'd', 'e']) {
    Y.applyUpdate(room.doc, edit(writer, text));
    await nextTurn();
  }
  assert.equal(store.commits, 1, 'no commit before the broadcast that needs it');
  const deadline = performance.now() + broadcastMs + 5000;
  while (member.frames.length < 2 && performance.now() < deadline) await settle(10);
  assert.equal(store.commits, 2, 'then one commit for the three');
  assert.equal(store.appended.length, 5);
  assert.equal(textOf(member.frames), 'abcde');
  writer.destroy();
});

test('a compaction in progress never holds back the commit and broadcast of new updates', async () => {
  const store = new HeldStore();
  const room = await roomOn(store, undefined, 3);
  const member = new Member();
  room.members.add(member);
  const writer = new Y.Doc();
  store.compactGate = new Gate();

  for (const text of ['a', 'b', 'c']) {
    Y.applyUpdate(room.doc, edit(writer, text));
    await settle(30);
  }
  assert.equal(store.compactions, 1, 'three stored updates start a compaction');
  // The compaction is stuck at its write; new updates are stored and shown regardless.
  Y.applyUpdate(room.doc, edit(writer, 'd'));
  await settle();
  assert.equal(store.appended.length, 4, 'the update after it is committed');
  assert.equal(textOf(member.frames), 'abcd');

  store.compactGate.open();
  await room.flush();
  const reread = new Y.Doc();
  const stored = await store.load('r');
  Y.applyUpdate(reread, Y.mergeUpdates(stored.updates));
  assert.equal(reread.getText('t').toString(), 'abcd', 'the compaction kept the later update');
  assert.ok(stored.updates.length <= 2, `${stored.updates.length} rows after compaction`);
});

/** The bus as another hub on it sees it: its own ID, the same topics. */
function otherHub(bus: LocalBus): Bus {
  return {
    hubId: 'other-hub',
    crossesHubs: true,
    publish: (topic, message) => bus.publish(topic, message),
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    subscribed: async () => undefined,
    onGap: () => () => undefined,
    close: async () => undefined,
  };
}

test('other hubs are told of an update only once it is stored', async () => {
  const bus = new LocalBus();
  const store = new HeldStore();
  const room = await roomOn(store, bus);
  const heard: { kind: string; hub: string }[] = [];
  otherHub(bus).subscribe<{ kind: string; hub: string }>(topicOf('r'), (m) => heard.push(m));
  store.appendGate = new Gate();

  Y.applyUpdate(room.doc, edit(new Y.Doc(), 'x'));
  await settle();
  assert.deepEqual(
    heard.filter((m) => m.kind === 'update'),
    [],
    'not announced while the commit is pending',
  );
  store.appendGate.open();
  await settle();
  assert.equal(heard.filter((m) => m.kind === 'update').length, 1);
});

test("another hub's sync request is answered only once what it is sent is stored", async () => {
  const bus = new LocalBus();
  const store = new HeldStore();
  const room = await roomOn(store, bus);
  const other = otherHub(bus);
  const answers: Uint8Array[] = [];
  other.subscribe<{ kind: string; hub: string; update?: Uint8Array }>(topicOf('r'), (m) => {
    if (m.kind === 'update' && m.update) answers.push(m.update);
  });
  store.appendGate = new Gate();

  Y.applyUpdate(room.doc, edit(new Y.Doc(), 'pending'));
  other.publish(topicOf('r'), {
    kind: 'sync',
    hub: other.hubId,
    stateVector: Y.encodeStateVector(new Y.Doc()),
  });
  await settle();
  assert.equal(answers.length, 0, 'no answer while the commit is pending');
  store.appendGate.open();
  await settle();
  // The announcement of the commit, and the answer; both hold the text.
  assert.ok(answers.length >= 1);
  for (const update of answers) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    assert.equal(doc.getText('t').toString(), 'pending');
  }
});

test("a new client's SyncStep2 goes out only once everything in it is stored", async () => {
  const store = new HeldStore();
  const bare = await startBareTransport({}, (transport, context) =>
    mountYjs(transport, context, { store }),
  );
  try {
    const writer = await RawYjsClient.open(`${bare.wsUrl}/yjs/r`);
    await writer.nextOf('sync-step1');
    store.appendGate = new Gate();
    writer.send(encodeUpdate(edit(new Y.Doc(), 'not stored yet')));
    await settle();

    const reader = await RawYjsClient.open(`${bare.wsUrl}/yjs/r`);
    reader.send(encodeSyncStep1(Uint8Array.of(0)));
    const early = await reader.quiet(300);
    assert.ok(
      !early.some((f) => decodeFrame(f).some((m) => m.type === 'sync-step2')),
      'no SyncStep2 while the update in it is not stored',
    );
    store.appendGate.open();
    const step2 = await reader.nextOf('sync-step2');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, step2.update);
    assert.equal(doc.getText('t').toString(), 'not stored yet');
    writer.close();
    reader.close();
  } finally {
    await bare.stop();
  }
});
