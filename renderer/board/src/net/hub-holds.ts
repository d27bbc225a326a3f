// Whether the hub holds this page's edits, asked with one more sync round
// trip before a board follows the hub to its new address. The provider counts
// as synced once the hub's SyncStep2 arrives, the answer to the page's
// SyncStep1: the page's own SyncStep2, with the strokes it drew offline, went
// out just before (in answer to the hub's SyncStep1, which comes first) and
// may still be in the browser's send buffer, or waiting at the hub while a
// class room records a new client ID's member. A page that navigated then
// could lose them with its socket. The hub handles a socket's messages in
// order and answers a SyncStep1 only once the room has stored what it holds
// (docs/protocols/yjs.md#when-updates-are-stored): its answer to a SyncStep1
// sent now means the strokes sent before are stored.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep2, writeSyncStep1 } from 'y-protocols/sync';
import { messageSync } from 'y-websocket';
import type { WebsocketProvider } from 'y-websocket';

/** True once the hub has answered a SyncStep1 sent now; false if the socket closes first. */
export function hubHoldsEdits(provider: WebsocketProvider): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = provider.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return resolve(false);
    const original = provider.messageHandlers[messageSync]!;
    const done = (held: boolean) => {
      provider.messageHandlers[messageSync] = original;
      provider.off('connection-close', closed);
      resolve(held);
    };
    const closed = () => done(false);
    provider.on('connection-close', closed);
    provider.messageHandlers[messageSync] = (encoder, decoder, p, emitSynced, type) => {
      // Read a copy: the original handler still gets the whole message.
      const answered = decoding.readVarUint(decoding.clone(decoder)) === messageYjsSyncStep2;
      original(encoder, decoder, p, emitSynced, type);
      if (answered) done(true);
    };
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageSync);
    writeSyncStep1(encoder, provider.doc);
    ws.send(encoding.toUint8Array(encoder));
  });
}
