// The hub's permission-denied messages (y-protocols auth, message type 2).
// The stock provider only logs them; the board needs the reason, so it wraps
// this provider's own auth handler (y-websocket 3 keeps one table per instance).
import * as decoding from 'lib0/decoding';
import { messagePermissionDenied } from 'y-protocols/auth';
import { messageAuth } from 'y-websocket';
import type { WebsocketProvider } from 'y-websocket';

export function onPermissionDenied(
  provider: WebsocketProvider,
  listener: (reason: string) => void,
): void {
  const original = provider.messageHandlers[messageAuth];
  provider.messageHandlers[messageAuth] = (encoder, decoder, p, emitSynced, type) => {
    // Read a copy: the original handler still gets the whole message.
    const copy = decoding.clone(decoder);
    if (decoding.readVarUint(copy) === messagePermissionDenied) {
      listener(decoding.readVarString(copy));
    }
    original?.(encoder, decoder, p, emitSynced, type);
  };
}
