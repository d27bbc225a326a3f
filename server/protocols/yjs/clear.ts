// Clearing a room from the hub (the teacher's "clear board" on the dashboard):
// every entry of every root type is deleted in one transaction, which the
// room then stores and broadcasts like any client's update. The hub's copy
// only knows its root types generically (nobody called getMap on it), so the
// entries are reached through the type's own map and list.
import * as Y from 'yjs';
import type { YjsRoom } from './room';

/** The origin of the hub's own edits: stored and broadcast, never checked against roles. */
export const HUB_EDIT = Symbol('hub edit');

/** Deletes everything in the room; returns how many top-level entries went. */
export function clearRoom(room: YjsRoom): number {
  let removed = 0;
  Y.transact(
    room.doc,
    (transaction) => {
      for (const type of room.doc.share.values()) {
        for (const item of type._map.values()) {
          if (item.deleted) continue;
          item.delete(transaction);
          removed++;
        }
        for (let item = type._start; item; item = item.right) {
          if (item.deleted || !item.countable) continue;
          item.delete(transaction);
          removed++;
        }
      }
    },
    HUB_EDIT,
  );
  return removed;
}
