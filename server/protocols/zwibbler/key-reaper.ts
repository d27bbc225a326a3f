// Clears the client keys of a hub that died: its clients are gone, so their
// keys must go as if each had left, announced to every member on every hub.
import type { Bus } from '../../cluster/bus';
import type { KeyEntry } from './codec';
import { topicOf } from './live-document';
import type { DocumentEvent } from './live-document';

/** Client keys several hubs share (Redis or PostgreSQL). */
export interface HubKeys {
  /** Removes every key the clients of `hub` own; returns them by document, as their removal is announced. */
  releaseHubKeys(hub: string): Promise<Map<string, KeyEntry[]>>;
}

export function keyReaper(keys: HubKeys, bus: Bus) {
  return async (deadHub: string): Promise<void> => {
    for (const [documentId, cleared] of await keys.releaseHubKeys(deadHub)) {
      if (cleared.length === 0) continue;
      const event: DocumentEvent = { kind: 'keys', origin: '', keys: cleared, hub: bus.hubId };
      bus.publish(topicOf(documentId), event);
    }
  };
}
