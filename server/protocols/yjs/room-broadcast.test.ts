// A room's fan-out: an update after a quiet spell goes out as soon as it is
// committed, at the end of its event-loop turn; updates that follow within the
// broadcast interval go out together, merged into one frame, and every member
// ends with the room's state.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import { captureLog } from '../../test/captured-log';
import { MemoryYjsStore } from '../../store/memory-yjs-store';
import { decodeFrame } from './codec';
import { YjsRoom } from './room';
import type { RoomMember } from './room';

// Long enough that a busy machine does not stall 500 ms between two statements,
// which would let the second update go out at once.
const BROADCAST_MS = 500;
const rooms: YjsRoom[] = [];
after(() => rooms.forEach((r) => r.destroy()));

class Member implements RoomMember {
  readonly controlledIds = new Set<number>();
  readonly frames: Uint8Array[] = [];
  readonly times: number[] = [];
  deliver(frame: Uint8Array): void {
    this.frames.push(frame);
    this.times.push(performance.now());
  }
}

/** After the store's commit at the end of this event-loop turn. */
const nextTurn = () => new Promise((r) => setImmediate(r));

/** An update from another doc that appends `text` to the shared text. */
function edit(writer: Y.Doc, text: string): Uint8Array {
  let update: Uint8Array | undefined;
  writer.once('update', (u: Uint8Array) => (update = u));
  writer.getText('t').insert(writer.getText('t').length, text);
  return update!;
}

test('updates within the broadcast interval go out as one merged frame', async () => {
  const room = await YjsRoom.load(
    'r',
    new MemoryYjsStore(),
    { maxRoomBytes: 1e6, compactUpdates: 1000, compactBytes: 1e6, broadcastMs: BROADCAST_MS },
    captureLog('silent').logger,
  );
  rooms.push(room);
  const member = new Member();
  room.members.add(member);
  const writer = new Y.Doc();

  Y.applyUpdate(room.doc, edit(writer, 'a'));
  await nextTurn();
  assert.equal(member.frames.length, 1, 'the first update goes out once committed');
  Y.applyUpdate(room.doc, edit(writer, 'b'));
  Y.applyUpdate(room.doc, edit(writer, 'c'));
  await nextTurn();
  assert.equal(member.frames.length, 1, 'the next ones wait for the interval');

  const deadline = performance.now() + BROADCAST_MS + 5000;
  while (member.frames.length < 2 && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(member.frames.length, 2, 'then go out together');
  assert.ok(member.times[1]! - member.times[0]! >= BROADCAST_MS - 1, 'no sooner than the interval');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(member.frames.length, 2, 'in one frame');
  const reader = new Y.Doc();
  for (const frame of member.frames) {
    for (const m of decodeFrame(frame)) {
      assert.equal(m.type, 'update');
      if (m.type === 'update') Y.applyUpdate(reader, m.update);
    }
  }
  assert.equal(reader.getText('t').toString(), 'abc');
  writer.destroy();
  reader.destroy();
});
