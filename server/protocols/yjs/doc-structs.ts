// How many structs a Y.Doc holds. Each is an object of its own on the heap
// (with its ID, origins, content and map key), and the garbage collector walks
// every one of them on each full collection: a hub holding two million of them
// spent almost a third of its time collecting (docs/benchmarks.md). So rooms
// are bounded by this count (YjsMaxRoomStructs, YjsMaxLiveStructs), not only by
// their encoded bytes, which say little about it: 8 MiB are 475,000 structs
// as map entries and 13,000 as pen strokes.
import type * as Y from 'yjs';

/** The doc's structs now: items and collected ranges, after Yjs merged what it could. */
export function docStructs(doc: Y.Doc): number {
  let structs = 0;
  // One array per client ID that ever wrote: cheap even for a room used all year.
  for (const clientStructs of doc.store.clients.values()) structs += clientStructs.length;
  return structs;
}
