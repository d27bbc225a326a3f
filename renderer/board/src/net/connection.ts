// The room's connection: y-websocket to the hub's own Yjs endpoint, same
// origin. The provider keeps the Y.Doc while the page is open, so edits made
// offline stay in it and go out in the sync that follows a reconnect. A class
// board passes its member token; the hub may then drop or refuse edits, and
// says so (see Refusal).
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { EDIT_REFUSED_CLOSE } from '../class/types';
import { HubAddresses } from './hub-addresses';
import { hubHoldsEdits } from './hub-holds';
import { MOVED_CLOSE, movedTo, socketBase } from './moved';
import { sendOwnPresenceOnly } from './own-presence';
import { onPermissionDenied } from './refusals';

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

/** Something the hub said no to, once per connection. */
export interface Refusal {
  /**
   * `edit`: it dropped this page's edits (a "read-only:" message) or refused
   * one and closed (EDIT_REFUSED_CLOSE); `access`: it closed the room to this
   * page's token (4401, 4403, 4404).
   */
  kind: 'edit' | 'access';
  reason: string;
  /** The page's copy holds edits the hub does not have: only a fresh copy shows the truth. */
  stale: boolean;
}

export interface ConnectOptions {
  /** A class member's token (`?token=`). */
  token?: string;
  /** Whether the hub takes this member's edits now, as the class page last heard. */
  mayEdit?(): boolean;
  onRefusal?(refusal: Refusal): void;
  /**
   * The hub moved, this page's connection has synced with it at `base`, and
   * the hub there has stored the page's edits (hub-holds.ts): the moment to
   * open the board at the new address.
   * `lost`: the page's own address no longer answers (found through HubAddresses).
   */
  onMoved?(base: URL, lost: boolean): void;
}

/** Unknown token, forbidden (removed), no such class: the hub closed the room to this page. */
const ACCESS_CLOSES = new Set([4401, 4403, 4404]);

export function connect(room: string, doc: Y.Doc, options: ConnectOptions = {}): Connection {
  let addresses: HubAddresses | undefined;
  const provider = new WebsocketProvider(yjsUrl(), room, doc, {
    maxBackoffTime: 2000,
    // Every copy of the board syncs through the hub, so the connection badge tells the truth.
    disableBc: true,
    params: options.token ? { token: options.token } : {},
    // y-websocket's own rule, except at another address of the hub: a refusal there is another hub's.
    shouldReconnect: (event) =>
      Boolean(addresses?.trying) || event.code < 4400 || event.code >= 4500,
  });
  if (options.token) addresses = new HubAddresses(provider, provider.serverUrl);
  sendOwnPresenceOnly(provider);
  let current: ConnectionState = 'connecting';
  let everSynced = false;
  let refused = false;
  let denied = '';
  let readOnly = '';
  let reported = false;
  let destroyed = false;
  const report = (refusal: Refusal) => {
    if (reported) return;
    reported = true;
    options.onRefusal?.(refusal);
  };
  // Anything not from the hub is this page's own edit (drawing, undo, a test's direct write).
  let localEdits = false;
  const onUpdate = (_update: Uint8Array, origin: unknown) => {
    if (origin === provider) return;
    localEdits = true;
    // The hub says "read-only" once per connection (maybe already for the sync at connect):
    // while it still holds, a later edit goes nowhere either.
    if (readOnly && !(options.mayEdit?.() ?? true)) {
      report({ kind: 'edit', reason: readOnly, stale: true });
    }
  };
  doc.on('update', onUpdate);
  onPermissionDenied(provider, (reason) => {
    denied = reason;
    if (!reason.startsWith('read-only:')) return;
    readOnly = reason;
    // With no local edits there is nothing the hub dropped.
    if (localEdits) report({ kind: 'edit', reason, stale: true });
  });
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
  let movedBase: URL | undefined;
  let confirming = false;
  provider.on('sync', (synced: boolean) => {
    if (!synced) return update();
    if (!everSynced) addresses?.learn();
    everSynced = true;
    addresses?.synced();
    update();
    const found = addresses?.trying;
    if ((movedBase || found) && !confirming) {
      const base = (movedBase ?? found)!;
      confirming = true;
      void hubHoldsEdits(provider).then((held) => {
        confirming = false;
        // The socket closed first: the next sync asks again.
        if (!held || destroyed) return;
        if (movedBase === base) movedBase = undefined;
        options.onMoved?.(base, !!found);
      });
    }
  });
  provider.on('connection-close', (event: CloseEvent | null) => {
    const code = event?.code ?? 0;
    const moved = code === MOVED_CLOSE ? movedTo(event?.reason ?? '') : undefined;
    if (moved) {
      // Read before the provider's next attempt, which it schedules after this event.
      movedBase = moved;
      provider.serverUrl = socketBase(moved, provider.serverUrl);
      return update();
    }
    addresses?.lost();
    // Another hub at that address, which does not know this member: the next address will be tried.
    if (addresses?.trying && ACCESS_CLOSES.has(code)) return update();
    // ACCESS_CLOSES: the hub refused this room; EDIT_REFUSED_CLOSE: an edit. Retrying cannot help.
    // The "refused:" message that comes first says the same, whatever the code.
    const editRefused =
      code === EDIT_REFUSED_CLOSE || (denied.startsWith('refused:') && code >= 4400 && code < 4500);
    if (ACCESS_CLOSES.has(code) || editRefused) {
      refused = true;
      provider.disconnect();
      const reason = denied || event?.reason || '';
      if (editRefused) report({ kind: 'edit', reason, stale: localEdits });
      else report({ kind: 'access', reason, stale: false });
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
      destroyed = true;
      doc.off('update', onUpdate);
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      addresses?.destroy();
      provider.destroy();
    },
  };
}
