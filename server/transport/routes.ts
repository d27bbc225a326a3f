// What the HTTP server routes to. Upgrades go by subprotocol first (a client
// that fixes its own path, like the beej chat client at `/`, still lands on its
// protocol), then by path; plain requests go by path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientSocket, SocketHandler } from './client-socket';

export interface PathMatcher {
  matches(pathname: string): boolean;
}

/** `/socket` matches only itself; `/yjs/` (trailing slash) matches everything under it. */
export function mountedAt(mount: string): PathMatcher {
  const prefix = mount.endsWith('/') && mount !== '/';
  return {
    matches: (pathname) =>
      prefix ? pathname.startsWith(mount) || pathname === mount.slice(0, -1) : pathname === mount,
  };
}

export interface UpgradeContext {
  url: URL;
  remoteAddress: string;
  /** The subprotocol echoed to the client, if any. */
  subprotocol: string | undefined;
}

export interface WebSocketEndpoint {
  /** For logs and stats. */
  readonly name: string;
  readonly path: PathMatcher;
  /** Clients asking for one of these go here whatever their path. */
  readonly subprotocols?: readonly string[];
  /** Picks the subprotocol to echo from those offered; undefined echoes none. */
  selectSubprotocol?(offered: ReadonlySet<string>): string | undefined;
  /** True refuses an upgrade for which selectSubprotocol picks none, with 400 `Unknown protocol`. */
  readonly requiresSubprotocol?: boolean;
  /**
   * Largest message accepted from a client here, in place of the transport's
   * maxMessageBytes: ws's maxPayload, enforced as a compressed message inflates.
   */
  readonly maxMessageBytes?: number;
  /** The setting maxMessageBytes comes from, named in the log and /metrics when it is hit. */
  readonly maxMessageSetting?: string;
  /** False turns permessage-deflate off for this connection (for example `?compression=0`). */
  allowsCompression?(url: URL): boolean;
  /** False refuses the upgrade with 403 (checked after the hub-wide AllowedOrigins). */
  allowsOrigin?(origin: string | undefined, request: IncomingMessage): boolean;
  accept(socket: ClientSocket, request: IncomingMessage, context: UpgradeContext): SocketHandler;
}

/**
 * The ws limit of an endpoint whose protocol checks SignalMaxMessageBytes
 * itself: twice it, so that a message just over the limit still gets the
 * protocol's own reason, and anything larger is cut as it inflates.
 */
export function signalingPayload(
  maxMessageBytes: number,
): Pick<WebSocketEndpoint, 'maxMessageBytes' | 'maxMessageSetting'> {
  return { maxMessageBytes: 2 * maxMessageBytes, maxMessageSetting: 'SignalMaxMessageBytes' };
}

export interface HttpRoute {
  readonly name: string;
  readonly path: PathMatcher;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}

/** An upgrade handed over as it came (socket and head), after the origin check. */
export interface RawUpgradeRoute {
  readonly name: string;
  readonly path: PathMatcher;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function parseSubprotocols(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const p of (header ?? '').split(',')) {
    const name = p.trim();
    if (name) out.add(name);
  }
  return out;
}

export function pickEndpoint(
  endpoints: readonly WebSocketEndpoint[],
  pathname: string,
  offered: ReadonlySet<string>,
): WebSocketEndpoint | undefined {
  for (const e of endpoints) {
    if (e.subprotocols?.some((p) => offered.has(p))) return e;
  }
  return endpoints.find((e) => e.path.matches(pathname));
}
