// The room's connection: y-websocket to the hub's own Yjs endpoint, same
// origin. The provider keeps the Y.Doc while the page is open, so edits made
// offline stay in it and go out in the sync that follows a reconnect.
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused';

/** The hub writes its YjsPath into this meta tag when it serves the page. */
export function yjsUrl(loc: Location = location): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="lanboard-yjs-path"]');
  const path = (meta?.content || '/yjs').replace(/\/+$/, '');
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}`;
}

export interface Connection {
  provider: WebsocketProvider;
  state(): ConnectionState;
  onState(listener: (s: ConnectionState) => void): () => void;
  destroy(): void;
}

export function connect(room: string, doc: Y.Doc): Connection {
  const provider = new WebsocketProvider(yjsUrl(), room, doc, {
    maxBackoffTime: 2000,
    // Every copy of the board syncs through the hub, so the connection badge tells the truth.
    disableBc: true,
  });
  let current: ConnectionState = 'connecting';
  let everSynced = false;
  let refused = false;
  const listeners = new Set<(s: ConnectionState) => void>();
  const update = () => {
    let next: ConnectionState;
    if (refused) next = 'refused';
    else if (provider.wsconnected && provider.synced) next = 'connected';
    else if (!navigator.onLine) next = 'offline';
    else next = everSynced ? 'reconnecting' : 'connecting';
    if (next === current) return;
    current = next;
    for (const l of listeners) l(next);
  };
  provider.on('status', update);
  provider.on('sync', (synced: boolean) => {
    if (synced) everSynced = true;
    update();
  });
  provider.on('connection-close', (event: CloseEvent | null) => {
    // 4401/4403: the hub refused this room; retrying cannot help.
    if (event?.code === 4401 || event?.code === 4403) {
      refused = true;
      provider.disconnect();
    }
    update();
  });
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  return {
    provider,
    state: () => current,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      provider.destroy();
    },
  };
}
