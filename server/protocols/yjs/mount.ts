// Puts y-websocket rooms on the hub at `<YjsPath>/<room>`
// (docs/protocols/yjs.md#where-it-is-served). The room is the raw request path
// after the mount, not percent-decoded, as the stock server names documents.
// A token comes as `?token=` (or y-redis' `?yauth=`) or as a `yauth-<token>`
// subprotocol. A refused client gets the y-protocols permission-denied
// message, then close 4401, 4403 or 4404
// (docs/protocols/yjs.md#refused-connections).
import type { IncomingMessage } from 'node:http';
import { isThrottled } from '../../auth/credential-throttle';
import { configuredJwtVerifier } from '../../auth/jwt';
import { roomAccessCheck } from '../../auth/room-access';
import type { HubConfig } from '../../config/schema';
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import type { Logger } from '../../log/logger';
import { startPeriodicPurge } from '../../store/periodic-purge';
import { openYjsStore } from '../../store/open-store';
import type { YjsStore } from '../../store/yjs-store';
import type { ClientSocket } from '../../transport/client-socket';
import { CLOSE_FOR_STATUS, CloseCode } from '../../transport/close-codes';
import type { HttpTransport } from '../../transport/http-server';
import type { LimitHits } from '../../transport/limit-hits';
import { mountedAt, parseSubprotocols } from '../../transport/routes';
import type { UpgradeContext } from '../../transport/routes';
import { ChangeCallback } from './change-callback';
import { clearRoom } from './clear';
import { encodePermissionDenied } from './codec';
import { YjsConnection } from './connection';
import type { ClientOrigin, GateResult, GuardedEdits, RoomGate } from './room-gate';
import { isOwnOrigin } from '../../transport/lan-origins';
import { roomNameProblem } from './room-names';
import { RoomsFullError, YjsRooms } from './rooms';

export const YJS_PROTOCOL = 'yjs';
const AUTH_SUBPROTOCOL_PREFIX = 'yauth-';
const MAX_AWARENESS_IDS = 16;

export interface YjsMountOptions {
  /** In place of the store chosen from config (tests inject a slow one). */
  store?: YjsStore;
  /** Rooms with roles (classes): their own tokens, and every edit checked. */
  gate?: RoomGate;
}

/** Who a client is and what it may do: a room's gate, or the usual token check. */
type Admission =
  | Extract<GateResult, { ok: false }>
  | (Omit<Extract<GateResult, { ok: true }>, 'edits' | 'release' | 'displayName'> & {
      displayName?: string;
      edits?: GuardedEdits;
      release?: () => void;
    });

export interface MountedYjs extends MountedProtocol {
  readonly rooms: YjsRooms;
  /** Deletes everything in a room, loading it if needed; resolves to the entries removed. */
  clear(room: string): Promise<number>;
}

export function mountYjs(
  transport: HttpTransport,
  context: ProtocolContext,
  options: YjsMountOptions = {},
): MountedYjs {
  const { config, registry, now } = context;
  const log = context.log.child({ protocol: YJS_PROTOCOL });
  const store = options.store ?? openYjsStore(config, now, context.database);
  const changes = changeCallbackFrom(config, log, context.limitHits);
  const rooms = new YjsRooms(
    store,
    {
      maxRooms: config.YjsMaxRooms,
      maxRoomBytes: config.YjsMaxRoomBytes,
      maxLiveBytes: config.YjsMaxLiveBytes,
      maxRoomStructs: config.YjsMaxRoomStructs,
      maxLiveStructs: config.YjsMaxLiveStructs,
      maxUpdateStructs: config.YjsMaxUpdateStructs,
      compactUpdates: config.YjsCompactUpdates,
      compactBytes: config.YjsCompactBytes,
    },
    log,
    // Rooms cross hubs only when there are other hubs to reach.
    context.bus.crossesHubs ? context.bus : undefined,
    context.faults,
    changes,
  );
  const checkAccess = roomAccessCheck({
    store: context.store,
    jwt: configuredJwtVerifier(config, now),
    now,
  });
  const mount = config.YjsPath.replace(/\/+$/, '');
  const limits = {
    maxUpdateBytes: config.YjsMaxUpdateBytes,
    maxUpdateStructs: config.YjsMaxUpdateStructs,
    maxAwarenessIds: MAX_AWARENESS_IDS,
    limitHits: context.limitHits,
  };

  transport.addEndpoint({
    name: YJS_PROTOCOL,
    // YjsPath=/ puts rooms at the root, as the stock server does: every upgrade
    // no other endpoint claims (the hub mounts Yjs after the other protocols).
    path: mount === '' ? { matches: () => true } : mountedAt(`${mount}/`),
    // The whole message, update and framing: what the queue-cap rule doubles (config/budgets.ts).
    maxMessageBytes: config.YjsMaxUpdateBytes,
    maxMessageSetting: 'YjsMaxUpdateBytes',
    // A client that asks for subprotocols must get one back, or browsers fail the
    // handshake (docs/protocols/yjs.md#subprotocols).
    selectSubprotocol: (offered) => offered.values().next().value,
    accept(socket, request, upgrade) {
      const room = roomName(request, mount);
      const connection = new YjsConnection(
        socket,
        { read: true, write: false, admin: false },
        limits,
        log,
      );
      if (room === '') {
        connection.close(CloseCode.BadRequest, `no room name: connect to ${mount}/<room>`);
        return connection;
      }
      const badName = roomNameProblem(room);
      if (badName !== undefined) {
        log.warn({ remote: socket.remoteAddress }, `Yjs room name refused: ${badName}`);
        connection.close(CloseCode.BadRequest, `bad room name: ${badName}`);
        return connection;
      }
      void admit({ connection, socket, room, upgrade, request });
      return connection;
    },
  });

  async function admit(a: {
    connection: YjsConnection;
    socket: ClientSocket;
    room: string;
    upgrade: UpgradeContext;
    request: IncomingMessage;
  }): Promise<void> {
    const { connection, socket, room } = a;
    const token = tokenOf(a.upgrade.url, a.request);
    const from = { ownPage: isOwnOrigin(a.request.headers.origin, a.request.headers.host) };
    const access = await accessOf(room, token, socket.remoteAddress, from).catch((err: Error) => {
      log.error({ err: err.message }, 'token lookup failed');
      return undefined;
    });
    if (!access) return connection.close(CloseCode.InternalError, 'token lookup failed');
    if (!access.ok) {
      // A throttled address was logged once for its window by the throttle.
      const level = access.status === 429 ? 'debug' : 'info';
      log[level](
        { room, remote: socket.remoteAddress, reason: access.reason },
        'Yjs client refused',
      );
      // The message first: the real client logs it; the close code lets the app stop retrying.
      socket.send(encodePermissionDenied(access.reason), { uncapped: true });
      const code = CLOSE_FOR_STATUS[access.status];
      return connection.close(code, access.reason);
    }
    connection.permissions = access.permissions;
    connection.edits = access.edits;
    if (!socket.isOpen) return access.release?.();
    let loaded;
    try {
      loaded = await rooms.acquire(room);
    } catch (err) {
      access.release?.();
      if (err instanceof RoomsFullError) {
        log.warn({ room }, err.message);
        return connection.close(CloseCode.TryAgainLater, err.message);
      }
      log.error({ err: (err as Error).message, room }, 'Yjs room failed to load');
      return connection.close(CloseCode.InternalError, 'the room could not be loaded');
    }
    const id = registry.nextClientId();
    const unregister = registry.add(
      {
        id,
        protocol: YJS_PROTOCOL,
        room,
        remoteAddress: socket.remoteAddress,
        userId: access.userId,
        displayName: access.displayName,
        permissions: access.permissions,
        connectedAt: now(),
      },
      {
        kick: (reason) => connection.close(CloseCode.Forbidden, `kicked: ${reason}`),
        setPermissions: (p) => connection.setPermissions(p),
        traffic: socket.traffic,
      },
    );
    connection.onClosed = () => {
      unregister();
      rooms.release(room);
      access.release?.();
    };
    // The socket may have closed while the room loaded: closed() already ran, so undo here.
    if (!socket.isOpen) return connection.onClosed();
    connection.join(loaded);
  }

  /**
   * A room's gate decides when it has roles; otherwise tokens work as for
   * Zwibbler, and a token that does not check out costs the address one of its
   * failures (docs/operating.md#guessing-tokens-and-codes).
   */
  async function accessOf(
    room: string,
    token: string | undefined,
    address: string,
    from: ClientOrigin,
  ): Promise<Admission> {
    const gated = await options.gate?.admit(room, token, address, from);
    if (gated) return gated;
    if (!token) return checkAccess(room, token);
    const access = await context.credentials.attempt(
      address,
      () => checkAccess(room, token),
      (r) => !r.ok && r.status === 401,
    );
    return isThrottled(access) ? { ok: false, status: 429, reason: access.reason } : access;
  }

  const purge = startPeriodicPurge(config, now, (cutoff) =>
    // The rooms in memory count as used first: with several hubs on one store,
    // another hub's sweep then keeps them too.
    store
      .touch(rooms.names())
      .then(() => store.purgeExpired(cutoff, (name) => rooms.has(name)))
      .then(
        (gone) => {
          if (gone.length > 0) log.info({ rooms: gone.length }, 'expired Yjs rooms deleted');
        },
        (err: Error) => log.error({ err: err.message }, 'Yjs expiration sweep failed'),
      ),
  );

  return {
    rooms,
    async clear(room) {
      const loaded = await rooms.acquire(room);
      try {
        const removed = clearRoom(loaded);
        await loaded.durable(); // the teacher's answer says it is done
        return removed;
      } finally {
        rooms.release(room);
      }
    },
    async stop() {
      await purge.stop();
      await rooms.stop();
      await changes?.stop(); // after the rooms: their last stored changes are reported
      await store.close();
    },
  };
}

/** The change callback, when YjsCallbackURL is set. */
function changeCallbackFrom(
  config: HubConfig,
  log: Logger,
  limitHits: LimitHits,
): ChangeCallback | undefined {
  if (!config.YjsCallbackURL) return undefined;
  return new ChangeCallback({
    url: config.YjsCallbackURL,
    debounceMs: config.YjsCallbackDebounceMs,
    maxWaitMs: config.YjsCallbackMaxWaitMs,
    timeoutMs: config.YjsCallbackTimeoutMs,
    objects: config.YjsCallbackObjects,
    secret: config.WebhookSecret || undefined,
    log: log.child({ component: 'change-callback' }),
    maxQueuedBytes: config.YjsCallbackMaxQueuedBytes,
    onDrop: () => limitHits.hit('YjsCallbackMaxQueuedBytes'),
  });
}

/** The raw path after the mount, cut at `?`: `/yjs/my%20room` is room `my%20room`. */
function roomName(request: IncomingMessage, mount: string): string {
  const target = request.url ?? '';
  const path = target.split('?', 1)[0]!;
  return path.slice(mount.length + 1);
}

function tokenOf(url: URL, request: IncomingMessage): string | undefined {
  const query = url.searchParams.get('token') ?? url.searchParams.get('yauth');
  if (query !== null) return query;
  const offered = parseSubprotocols(request.headers['sec-websocket-protocol']);
  for (const p of offered) {
    if (p.startsWith(AUTH_SUBPROTOCOL_PREFIX)) return p.slice(AUTH_SUBPROTOCOL_PREFIX.length);
  }
  return undefined;
}
