// The workspaces signaling server, on a Socket.IO server that mount.ts wires to
// the hub: its connections, their identities and presence
// (docs/protocols/workspaces.md#identities), and the dispatch of their events to
// membership.ts, calls.ts and relays.ts. Replies keep the original's names and
// shapes; the holes it leaves are closed
// (docs/protocols/workspaces.md#differences-from-the-original):
//
// - A connection gets an identity (workspace, attendee) only from `create`, or
//   from `attend` / `re-attend` after its invite + PIN or access token checked
//   out. Every later event is checked against that identity: the workspace and
//   the sender's attendee ID must be its own, owner-only events need the owner,
//   and relays (ring, answer, negotiation, icecandidate) reach only attendees
//   present in the same workspace. A token carried by any event is verified too.
// - Direct messages go to the attendee's current connection (the original kept
//   the first one after a re-attend), and a dropped connection is announced with
//   `leave` and frees its seat (the original never noticed disconnects).
// - `attend` cannot take over an existing attendee ID (the owner's included);
//   attendees who left or were kicked cannot re-attend with their old token.
// - Workspaces outlive their members: an owner who drops keeps the workspace and
//   gets it back with `re-attend`. Only `destroy` or Expiration removes one.
// - Hubs on one Redis share workspaces: presence, announcements and direct
//   messages cross to the other hubs through hub-link.ts.
// - Wrong PINs are throttled per address and workspace; every connection is
//   rate-limited; malformed payloads get an `alert`, never an exception.
import type { Socket } from 'socket.io';
import { StoreFailure } from '../../hub/faulty-writes';
import type { WorkspaceRecord } from '../../store/workspace-store';
import type { Announcement, LocalSide } from './hub-link';
import { normalizeAddress } from '../../transport/address';
import { TokenBucket } from '../../transport/rate-limit';
import { answer, busy, hangup, ring, toggle } from './calls';
import { ALERTS, idOf, obj } from './events';
import type {
  Attendee,
  Authorized,
  EventHandler,
  Identity,
  Rule,
  WorkspacesContext,
  WorkspacesOptions,
} from './events';
import { attend, attendees, create, destroy, kick, leave, reattend } from './membership';
import { icecandidate, iceservers, negotiation } from './relays';
import { checkAccessToken } from './tokens';

export { ALERTS } from './events';
export type { WorkspacesOptions } from './events';

/** The client events; one connection's run one after another (see `enqueue`). */
const HANDLERS: Record<string, EventHandler> = {
  iceservers,
  create,
  attend,
  're-attend': reattend,
  leave,
  destroy,
  kick,
  ring,
  answer,
  busy,
  hangup,
  negotiation,
  icecandidate,
  'mic-toggle': toggle('mic-toggle'),
  'cam-toggle': toggle('cam-toggle'),
  attendees,
};

/** Events of one connection waiting for the one before them. */
const MAX_PENDING = 256;

interface SocketState {
  identity?: Identity;
  queue: Promise<void>;
  pending: number;
  bucket: TokenBucket;
  address: string;
}

export class WorkspacesServer implements WorkspacesContext {
  private readonly states = new Map<Socket, SocketState>();
  /** Workspace ID → attendee ID → the connection speaking for that attendee. */
  private readonly present = new Map<string, Map<string, Socket>>();
  readonly maxMembers: number;

  constructor(readonly o: WorkspacesOptions) {
    this.maxMembers = Math.max(50, o.capacity * 10);
    o.link?.bind(this.linkSide());
  }

  /** Workspaces with an attendee present on this hub are never expired. */
  isLive(workspaceId: string): boolean {
    return this.present.has(workspaceId);
  }

  /** Workspaces with an attendee present on this hub. */
  liveHere(): string[] {
    return [...this.present.keys()];
  }

  accept(socket: Socket): void {
    const state: SocketState = {
      queue: Promise.resolve(),
      pending: 0,
      bucket: new TokenBucket(this.o.messagesPerSecond),
      address: normalizeAddress(socket.handshake.address),
    };
    this.states.set(socket, state);
    socket.use((_packet, next) => {
      if (state.bucket.take() && state.pending < MAX_PENDING) return next();
      this.o.log.info({ address: state.address }, 'workspaces client sends too fast; disconnected');
      socket.disconnect(true);
    });
    for (const [event, handler] of Object.entries(HANDLERS)) {
      socket.on(event, (data: unknown) =>
        this.enqueue(socket, event, () => handler(this, socket, data)),
      );
    }
    socket.on('disconnect', () =>
      this.enqueue(socket, 'disconnect', async () => {
        this.leaveCurrent(socket);
        this.states.delete(socket);
      }),
    );
  }

  /** Disconnects everyone and waits for their events to finish. */
  async close(): Promise<void> {
    await this.o.io.close();
    await Promise.all([...this.states.values()].map((s) => s.queue));
  }

  /** One connection's events run one after another, in the order they came. */
  private enqueue(socket: Socket, event: string, task: () => Promise<void>): void {
    const state = this.states.get(socket);
    if (!state) return;
    state.pending++;
    state.queue = state.queue
      .then(() => (socket.connected || event === 'disconnect' ? task() : undefined))
      .catch((err: Error) => {
        this.o.log.error({ err: err.message, event }, 'workspaces event handler failed');
        // Nothing was stored, so nothing was granted: the client hears why
        // (docs/operating.md#when-a-write-fails). Any other failure (say Redis
        // down while the address's creation budget is checked) is still answered.
        this.alert(socket, err instanceof StoreFailure ? ALERTS.storage : ALERTS.unavailable);
      })
      .finally(() => state.pending--);
  }

  alert(socket: Socket, message: string): void {
    this.o.log.debug({ socket: socket.id, message }, 'workspaces alert');
    socket.emit('alert', message);
  }

  // --- presence ---------------------------------------------------------------

  identity(socket: Socket): Identity | undefined {
    return this.states.get(socket)?.identity;
  }

  addressOf(socket: Socket): string | undefined {
    return this.states.get(socket)?.address;
  }

  presentAttendees(workspaceId: string): Record<string, Attendee> {
    const out: Record<string, Attendee> = {};
    for (const a of this.o.link?.attendees(workspaceId) ?? []) out[a.id] = a;
    for (const [id, s] of this.present.get(workspaceId) ?? []) {
      const who = this.identity(s)?.attendee;
      if (who) out[id] = who;
    }
    return out;
  }

  /** Attendees present other than `attendeeId` and other than this connection. */
  presentCount(workspaceId: string, socket: Socket, attendeeId?: string): number {
    const here = this.present.get(workspaceId);
    let n = 0;
    for (const [id, s] of here ?? []) if (s !== socket && id !== attendeeId) n++;
    for (const a of this.o.link?.attendees(workspaceId) ?? [])
      if (a.id !== attendeeId && !here?.has(a.id)) n++;
    return n;
  }

  isPresent(workspaceId: string, attendeeId: string): boolean {
    return Boolean(this.peer(workspaceId, attendeeId) ?? this.o.link?.has(workspaceId, attendeeId));
  }

  sendTo(workspaceId: string, attendeeId: string | undefined, event: string, data: unknown): void {
    if (attendeeId === undefined) return;
    const here = this.peer(workspaceId, attendeeId);
    if (here) here.emit(event, data);
    else this.o.link?.direct(workspaceId, attendeeId, event, data);
  }

  announce(
    workspaceId: string,
    event: string,
    data: unknown,
    options: { except?: Socket; remove?: 'all' | string } = {},
  ): void {
    this.announceHere(
      { workspace: workspaceId, event, data, remove: options.remove },
      options.except,
    );
    this.o.link?.announce({ workspace: workspaceId, event, data, remove: options.remove });
  }

  /** Tells this hub's attendees of the workspace, then removes whom it says. */
  private announceHere(a: Announcement, except?: Socket): void {
    (except ? except.to(a.workspace) : this.o.io.to(a.workspace)).emit(a.event, a.data);
    const here = this.present.get(a.workspace);
    if (a.remove === 'all') for (const s of [...(here?.values() ?? [])]) this.detach(s);
    else if (a.remove !== undefined) {
      const s = here?.get(a.remove);
      if (s) this.detach(s);
    }
  }

  /** What the other hubs may ask of this one (hub-link.ts). */
  private linkSide(): LocalSide {
    return {
      present: () =>
        [...this.present].flatMap(([workspace, room]) =>
          [...room.values()].flatMap((s) => {
            const attendee = this.identity(s)?.attendee;
            return attendee ? [{ workspace, attendee }] : [];
          }),
        ),
      announce: (a) => this.announceHere(a),
      direct: (workspace, attendeeId, event, data) =>
        this.peer(workspace, attendeeId)?.emit(event, data),
      replaced: (workspace, attendeeId) => {
        const s = this.peer(workspace, attendeeId);
        if (!s) return;
        this.detach(s);
        this.alert(s, ALERTS.replaced);
      },
      vanished: (workspace, attendee) => this.o.io.to(workspace).emit('leave', attendee),
    };
  }

  attach(socket: Socket, ws: WorkspaceRecord, attendee: Attendee): void {
    const state = this.states.get(socket)!;
    this.leaveCurrent(socket, { workspaceId: ws.id, attendeeId: attendee.id });
    let room = this.present.get(ws.id);
    if (!room) this.present.set(ws.id, (room = new Map()));
    const previous = room.get(attendee.id);
    if (previous && previous !== socket) {
      this.detach(previous);
      this.alert(previous, ALERTS.replaced);
    }
    room.set(attendee.id, socket);
    void socket.join(ws.id);
    this.o.link?.arrived(ws.id, attendee);
    const unregister = this.o.registry.add(
      {
        id: this.o.registry.nextClientId(),
        protocol: 'workspaces',
        room: ws.id,
        remoteAddress: state.address,
        userId: attendee.id,
        permissions: { read: true, write: true, admin: attendee.id === ws.owner },
        connectedAt: this.o.now(),
      },
      {
        kick: (reason) => {
          this.o.log.info({ workspace: ws.id, attendee: attendee.id, reason }, 'attendee kicked');
          socket.emit('alert', reason);
          socket.disconnect(true);
        },
        setPermissions: (p) => {
          if (!p.read) socket.disconnect(true);
        },
      },
    );
    state.identity = { workspaceId: ws.id, attendee, unregister };
  }

  /** Takes the connection out of its workspace, silently. */
  detach(socket: Socket): Identity | undefined {
    const state = this.states.get(socket);
    const identity = state?.identity;
    if (!state || !identity) return undefined;
    state.identity = undefined;
    identity.unregister();
    void socket.leave(identity.workspaceId);
    const room = this.present.get(identity.workspaceId);
    if (room?.get(identity.attendee.id) === socket) {
      room.delete(identity.attendee.id);
      if (room.size === 0) this.present.delete(identity.workspaceId);
      this.o.link?.left(identity.workspaceId, identity.attendee.id);
    }
    return identity;
  }

  /**
   * Takes the connection out of its workspace and tells the others it left,
   * unless it is about to stand for the same attendee there again.
   */
  private leaveCurrent(socket: Socket, next?: { workspaceId: string; attendeeId: string }): void {
    const gone = this.detach(socket);
    if (!gone) return;
    if (next?.workspaceId === gone.workspaceId && next.attendeeId === gone.attendee.id) return;
    this.announce(gone.workspaceId, 'leave', gone.attendee);
    void this.o.store.touch(gone.workspaceId).catch(() => undefined);
  }

  // --- authorization ----------------------------------------------------------

  async authorize(socket: Socket, raw: unknown, rule: Rule): Promise<Authorized | undefined> {
    const data = obj(raw);
    const identity = this.identity(socket);
    const named = data ? idOf(data.workspace) : undefined;
    if (!identity || !data || named !== identity.workspaceId) {
      // As the original: a workspace that does not exist is `destroyed`, whoever asks.
      if (named && !(await this.o.store.get(named))) return void socket.emit('destroyed', {});
      return void this.alert(socket, named || !identity ? ALERTS.notAttended : ALERTS.badWorkspace);
    }
    if (idOf(data[rule.self]) !== identity.attendee.id) {
      return void this.alert(socket, ALERTS.notYou);
    }
    const ws = await this.o.store.get(identity.workspaceId);
    if (!ws) {
      this.detach(socket);
      return void socket.emit('destroyed', {});
    }
    const token = data.accessToken;
    if (rule.token === 'required' || (token !== undefined && token !== null)) {
      if (typeof token !== 'string' || token.length === 0) {
        return void this.alert(socket, ALERTS.noAccessToken);
      }
      const check = await checkAccessToken(token, ws, identity.attendee.id, this.o.now());
      if (check !== 'ok') {
        return void this.alert(
          socket,
          check === 'expired' ? ALERTS.expired : ALERTS.badAccessToken,
        );
      }
    }
    if (rule.owner && ws.owner !== identity.attendee.id) {
      return void this.alert(socket, ALERTS.unauthorized);
    }
    // Kicked or replaced while the checks above waited.
    if (this.identity(socket) !== identity) return void this.alert(socket, ALERTS.notAttended);
    return { ws, me: identity.attendee, data };
  }

  /** The connection standing for `attendeeId` in this workspace, if present on this hub. */
  private peer(workspaceId: string, attendeeId: string | undefined): Socket | undefined {
    return attendeeId === undefined ? undefined : this.present.get(workspaceId)?.get(attendeeId);
  }
}
