// The stock provider sends every awareness change it hears, other people's
// cursors too (its handler ignores the origin). A class hub takes a page's
// presence only for the page's own client ID and refuses one that speaks for
// someone else, so the page sends its own changes only.
import type { WebsocketProvider } from 'y-websocket';

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

export function sendOwnPresenceOnly(provider: WebsocketProvider): void {
  const { awareness } = provider;
  const send = provider._awarenessUpdateHandler;
  const own = (ids: number[]) => ids.filter((id) => id === awareness.clientID);
  const handler = ({ added, updated, removed }: AwarenessChanges, origin: unknown) => {
    const mine = { added: own(added), updated: own(updated), removed: own(removed) };
    if (mine.added.length + mine.updated.length + mine.removed.length > 0) send(mine, origin);
  };
  awareness.off('update', send);
  awareness.on('update', handler);
  // destroy() unsubscribes whatever this property holds.
  provider._awarenessUpdateHandler = handler;
}
