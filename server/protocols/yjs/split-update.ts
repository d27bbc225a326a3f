// Cuts a large Yjs update into several smaller valid updates. The initial
// sync of a big room then arrives as many frames instead of one: the stock
// client closes a socket that has received nothing for 30 s, and one 100 MB
// frame on a busy classroom Wi-Fi takes longer than that, so it would never
// finish its first sync (docs/protocols/yjs.md#large-first-syncs-over-1-mib;
// yjs/yhub#55).
//
// Each piece holds whole structs of consecutive clocks, re-encoded with Yjs'
// own encoder (the way Y.mergeUpdates writes them) and an empty delete set.
// The delete set goes last, in the SyncStep2 that marks the client synced.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

type Struct = ReturnType<typeof Y.decodeUpdate>['structs'][number];

/**
 * The structs of `update` as updates of about `maxBytes` each (a single struct
 * larger than that gets a piece of its own). Delete sets are dropped.
 */
export function splitUpdateStructs(update: Uint8Array, maxBytes: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let piece: Struct[] = [];
  let pieceBytes = 0;
  for (const struct of Y.decodeUpdate(update).structs) {
    const size = encodedSize(struct);
    if (piece.length > 0 && pieceBytes + size > maxBytes) {
      pieces.push(encodeStructs(piece));
      piece = [];
      pieceBytes = 0;
    }
    piece.push(struct);
    pieceBytes += size;
  }
  if (piece.length > 0) pieces.push(encodeStructs(piece));
  return pieces;
}

function encodedSize(struct: Struct): number {
  const encoder = new Y.UpdateEncoderV1();
  struct.write(encoder, 0);
  return encoding.length(encoder.restEncoder);
}

/** A v1 update: per client, the struct count, client, first clock and structs; then no deletes. */
function encodeStructs(structs: Struct[]): Uint8Array {
  const byClient = new Map<number, Struct[]>();
  for (const s of structs) {
    const run = byClient.get(s.id.client);
    if (run) run.push(s);
    else byClient.set(s.id.client, [s]);
  }
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, run] of byClient) {
    encoding.writeVarUint(encoder.restEncoder, run.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, run[0]!.id.clock);
    for (const s of run) s.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, 0); // an empty delete set
  return encoder.toUint8Array();
}
