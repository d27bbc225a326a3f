// The events of the workspaces signaling server (§6), on a Socket.IO server
// that workspaces-mount.ts wires to the hub. Replies keep the original's names
// and shapes; the holes it leaves are closed:
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
// - Wrong PINs are throttled per address and workspace; every connection is
//   rate-limited; malformed payloads get an `alert`, never an exception.
import { randomInt } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import type { IceServer } from '../../config/values';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import type { LoginThrottle } from '../../management/login-throttle';
import type { WorkspaceRecord, WorkspaceStore } from '../../store/workspace-store';
import { normalizeAddress } from '../../transport/http-server';
import { TokenBucket } from '../../transport/rate-limit';
import {
  checkAccessToken,
  checkInvite,
  hashPin,
  issueAccessToken,
  issueInvite,
  newTokenKey,
  pinMatches,
  tokenWorkspaceId,
} from './workspaces-tokens';

export interface WorkspacesOptions {
  io: Server;
  store: WorkspaceStore;
  registry: SessionRegistry;
  log: Logger;
  now: () => number;
  /** Attendees present at once in one workspace (the owner may always come back). */
  capacity: number;
  iceServers: IceServer[];
  messagesPerSecond: number;
  /** Wrong PINs per address and workspace before attending is refused for a while. */
  pinThrottle: LoginThrottle;
}

export const ALERTS = {
  noInvite: 'Please provide a valid workspace access token.',
  badInvite: 'Invalid workspace token. Access is not allowed.',
  wrongPin: 'This workspace is protected with a PIN. Wrong PIN provided.',
  tooManyPins: (ms: number) => `Too many wrong PINs. Try again in ${Math.ceil(ms / 1000)} seconds.`,
  badWorkspace: 'Please provide a valid workspace ID.',
  badAttendee: 'Please provide a valid attendee ID.',
  noAccessToken: 'Please provide a valid workspace token.',
  badAccessToken: 'Invalid access token. Access is not allowed.',
  expired: 'Your access token has expired. Please join the workspace again.',
  notAttended: 'Please attend this workspace first.',
  notYou: 'That attendee is not this connection. Access is not allowed.',
  notMember: 'You are no longer an attendee of this workspace.',
  unauthorized: 'Unauthorized operation. Abort.',
  ownerLeave: 'Workspace owner cannot leave. Only shutdown is allowed.',
  ownerKick: 'Workspace owner cannot be kicked out of workspace.',
  noSuchAttendee: 'That attendee is not in this workspace.',
  idTaken: 'A workspace with this ID already exists.',
  hubFull: 'This hub holds too many workspaces. Destroy one first.',
  replaced: 'This attendee has joined from another connection.',
} as const;

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 10;
/** The original accepts any string starting with `_`; we also bound its length and characters. */
const CLIENT_ID = /^_[A-Za-z0-9_-]{2,64}$/;
const MAX_NAME_CHARS = 200;
const MAX_AVATAR_CHARS = 16 * 1024;
const MAX_PIN_CHARS = 256;
const MAX_CALL_BYTES = 4096;
const MAX_WORKSPACES = 10_000;
/** Events of one connection waiting for the one before them. */
const MAX_PENDING = 256;
const DEFAULT_WORKSPACE_NAME = 'Untitled Workspace';
const DEFAULT_ATTENDEE_NAME = 'Anonymous Attendee';

type Fields = Record<string, unknown>;

interface Attendee {
  id: string;
  name: string;
  avatar: string;
}

interface Identity {
  workspaceId: string;
  attendee: Attendee;
  unregister: () => void;
}

interface SocketState {
  identity?: Identity;
  queue: Promise<void>;
  pending: number;
  bucket: TokenBucket;
  address: string;
}

interface Rule {
  /** Which payload field names the sender. */
  self: 'attendee' | 'broadcaster';
  /** The original checks the access token on these events; others verify one when present. */
  token: 'required' | 'if-present';
  owner?: boolean;
}

interface Authorized {
  ws: WorkspaceRecord;
  me: Attendee;
  data: Fields;
}

const obj = (v: unknown): Fields | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : undefined;

const idOf = (v: unknown): string | undefined => {
  const id = obj(v)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
};

const clientId = (v: unknown): string | undefined =>
  typeof v === 'string' && CLIENT_ID.test(v) ? v : undefined;

const nameOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_NAME_CHARS) : undefined;

const avatarOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_AVATAR_CHARS ? v : undefined;

/** As the original: a truthy nonce is echoed, anything else becomes ''. */
const nonceOf = (data: Fields | undefined): string | number => {
  const n = data?.nonce;
  return (typeof n === 'string' || typeof n === 'number') && n ? n : '';
};

function newId(): string {
  let id = '_';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_CHARS[randomInt(ID_CHARS.length)];
  return id;
}

function boundedCall(call: unknown): unknown {
  if (call === undefined || call === null) return null;
  try {
    return Buffer.byteLength(JSON.stringify(call)) <= MAX_CALL_BYTES ? call : null;
  } catch {
    return null;
  }
}

const publicWorkspace = (ws: WorkspaceRecord, token: string) => ({
  id: ws.id,
  name: ws.name,
  avatar: ws.avatar,
  owner: ws.owner,
  created: ws.created,
  token,
});

export class WorkspacesServer {
  private readonly states = new Map<Socket, SocketState>();
  /** Workspace ID → attendee ID → the connection speaking for that attendee. */
  private readonly present = new Map<string, Map<string, Socket>>();
  private readonly maxMembers: number;
  private readonly handlers: Record<string, (socket: Socket, data: unknown) => Promise<void>>;

  constructor(private readonly o: WorkspacesOptions) {
    this.maxMembers = Math.max(50, o.capacity * 10);
    this.handlers = {
      iceservers: async (socket) => void socket.emit('iceservers', o.iceServers),
      create: (s, d) => this.create(s, d),
      attend: (s, d) => this.attend(s, d),
      're-attend': (s, d) => this.reattend(s, d),
      leave: (s, d) => this.leave(s, d),
      destroy: (s, d) => this.destroy(s, d),
      kick: (s, d) => this.kick(s, d),
      ring: (s, d) => this.ring(s, d),
      answer: (s, d) => this.answer(s, d),
      busy: (s, d) => this.busy(s, d),
      hangup: (s, d) => this.hangup(s, d),
      negotiation: (s, d) => this.negotiation(s, d),
      icecandidate: (s, d) => this.icecandidate(s, d),
      'mic-toggle': (s, d) => this.toggle(s, d, 'mic-toggle'),
      'cam-toggle': (s, d) => this.toggle(s, d, 'cam-toggle'),
      attendees: (s, d) => this.attendees(s, d),
    };
  }

  /** Workspaces with an attendee present are never expired. */
  isLive(workspaceId: string): boolean {
    return this.present.has(workspaceId);
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
    for (const [event, handler] of Object.entries(this.handlers)) {
      socket.on(event, (data: unknown) => this.enqueue(socket, event, () => handler(socket, data)));
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
      .catch((err: Error) =>
        this.o.log.error({ err: err.message, event }, 'workspaces event handler failed'),
      )
      .finally(() => state.pending--);
  }

  private alert(socket: Socket, message: string): void {
    this.o.log.debug({ socket: socket.id, message }, 'workspaces alert');
    socket.emit('alert', message);
  }

  // --- presence ---------------------------------------------------------------

  private identity(socket: Socket): Identity | undefined {
    return this.states.get(socket)?.identity;
  }

  private presentAttendees(workspaceId: string): Record<string, Attendee> {
    const out: Record<string, Attendee> = {};
    for (const [id, s] of this.present.get(workspaceId) ?? []) {
      const who = this.identity(s)?.attendee;
      if (who) out[id] = who;
    }
    return out;
  }

  /** Attendees present other than `attendeeId` and other than this connection. */
  private presentCount(workspaceId: string, socket: Socket, attendeeId?: string): number {
    let n = 0;
    for (const [id, s] of this.present.get(workspaceId) ?? [])
      if (s !== socket && id !== attendeeId) n++;
    return n;
  }

  private attach(socket: Socket, ws: WorkspaceRecord, attendee: Attendee): void {
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
  private detach(socket: Socket): Identity | undefined {
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
    this.o.io.to(gone.workspaceId).emit('leave', gone.attendee);
    void this.o.store.touch(gone.workspaceId).catch(() => undefined);
  }

  // --- authorization ----------------------------------------------------------

  private async authorize(
    socket: Socket,
    raw: unknown,
    rule: Rule,
  ): Promise<Authorized | undefined> {
    const data = obj(raw);
    const identity = this.identity(socket);
    if (!identity) return void this.alert(socket, ALERTS.notAttended);
    if (!data || idOf(data.workspace) !== identity.workspaceId) {
      return void this.alert(
        socket,
        data && idOf(data.workspace) ? ALERTS.notAttended : ALERTS.badWorkspace,
      );
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

  /** The connection standing for `attendeeId` in this workspace, if present. */
  private peer(workspaceId: string, attendeeId: string | undefined): Socket | undefined {
    return attendeeId === undefined ? undefined : this.present.get(workspaceId)?.get(attendeeId);
  }

  // --- workspaces -------------------------------------------------------------

  private async create(socket: Socket, raw: unknown): Promise<void> {
    const data = obj(raw);
    const wsIn = obj(data?.workspace) ?? {};
    const atIn = obj(data?.attendee) ?? {};
    if ((await this.o.store.count()) >= MAX_WORKSPACES) return this.alert(socket, ALERTS.hubFull);
    const pin = typeof wsIn.pin === 'string' ? wsIn.pin : '';
    if (pin.length > MAX_PIN_CHARS) return this.alert(socket, ALERTS.wrongPin);
    const attendee: Attendee = {
      id: clientId(atIn.id) ?? newId(),
      name: nameOf(atIn.name) ?? DEFAULT_ATTENDEE_NAME,
      avatar: avatarOf(atIn.avatar) ?? '',
    };
    const chosenId = clientId(wsIn.id);
    const pinHash = await hashPin(pin);
    const now = this.o.now();
    const ws: WorkspaceRecord = {
      id: chosenId ?? newId(),
      name: nameOf(wsIn.name) ?? DEFAULT_WORKSPACE_NAME,
      avatar: avatarOf(wsIn.avatar) ?? '',
      owner: attendee.id,
      created: now,
      pinSalt: pinHash.salt,
      pinHash: pinHash.hash,
      tokenKey: newTokenKey(),
      call: null,
    };
    const owner = { ...attendee, lastJoined: now };
    if (!(await this.o.store.create(ws, owner))) {
      if (chosenId) return this.alert(socket, ALERTS.idTaken);
      ws.id = newId(); // a collision of two random IDs: once more
      if (!(await this.o.store.create(ws, owner))) return this.alert(socket, ALERTS.idTaken);
    }
    const [token, accessToken] = await Promise.all([
      issueInvite(ws),
      issueAccessToken(ws, attendee.id, now),
    ]);
    if (!socket.connected) return;
    this.attach(socket, ws, attendee);
    this.o.log.info({ workspace: ws.id, owner: attendee.id }, 'workspace created');
    socket.emit('created', {
      workspace: publicWorkspace(ws, token),
      attendee,
      accessToken,
      nonce: nonceOf(data),
    });
  }

  private async attend(socket: Socket, raw: unknown): Promise<void> {
    const data = obj(raw);
    const wsIn = obj(data?.workspace);
    const invite = wsIn?.token;
    if (typeof invite !== 'string' || invite.length === 0) {
      return this.alert(socket, ALERTS.noInvite);
    }
    const workspaceId = tokenWorkspaceId(invite);
    if (workspaceId === undefined) return this.alert(socket, ALERTS.badInvite);
    const ws = await this.o.store.get(workspaceId);
    if (!ws) return void socket.emit('destroyed', {});
    if (!(await checkInvite(invite, ws, this.o.now()))) return this.alert(socket, ALERTS.badInvite);

    const key = `${this.states.get(socket)?.address} ${ws.id}`;
    const wait = this.o.pinThrottle.retryAfterMs(key);
    if (wait > 0) return this.alert(socket, ALERTS.tooManyPins(wait));
    const pin = typeof wsIn?.pin === 'string' ? wsIn.pin : '';
    const pinOk =
      pin.length <= MAX_PIN_CHARS &&
      (await pinMatches(pin, { salt: ws.pinSalt, hash: ws.pinHash }));
    if (!pinOk) {
      this.o.pinThrottle.failure(key);
      this.o.log.info({ workspace: ws.id, address: key.split(' ')[0] }, 'wrong workspace PIN');
      return this.alert(socket, ALERTS.wrongPin);
    }
    this.o.pinThrottle.success(key);
    if (this.presentCount(ws.id, socket) >= this.o.capacity) return void socket.emit('full', {});

    const atIn = obj(data?.attendee);
    const claimed = clientId(atIn?.id);
    const free =
      claimed !== undefined && claimed !== ws.owner && !(await this.o.store.member(ws.id, claimed));
    const attendee: Attendee = {
      id: free ? claimed : newId(),
      name: nameOf(atIn?.name) ?? DEFAULT_ATTENDEE_NAME,
      avatar: avatarOf(atIn?.avatar) ?? '',
    };
    await this.makeRoomForMember(ws);
    const now = this.o.now();
    if (!(await this.o.store.putMember(ws.id, { ...attendee, lastJoined: now }))) {
      return void socket.emit('destroyed', {});
    }
    const [token, accessToken] = await Promise.all([
      issueInvite(ws),
      issueAccessToken(ws, attendee.id, now),
    ]);
    // Decided and announced in one turn, so that nothing reaches the newcomer before its grant.
    if (!socket.connected || this.presentCount(ws.id, socket) >= this.o.capacity) {
      await this.o.store.removeMember(ws.id, attendee.id);
      if (socket.connected) socket.emit('full', {});
      return;
    }
    this.attach(socket, ws, attendee);
    socket.emit('attendance-granted', {
      workspace: { ...publicWorkspace(ws, token), call: ws.call ?? null },
      attendee,
      attendees: this.presentAttendees(ws.id),
      accessToken,
      nonce: nonceOf(data),
    });
    socket.to(ws.id).emit('attend', attendee);
  }

  /** Keeps the member list bounded: the stalest absent attendee goes. */
  private async makeRoomForMember(ws: WorkspaceRecord): Promise<void> {
    const members = await this.o.store.members(ws.id);
    if (members.length < this.maxMembers) return;
    const room = this.present.get(ws.id);
    const stalest = members
      .filter((m) => m.id !== ws.owner && !room?.has(m.id))
      .sort((a, b) => a.lastJoined - b.lastJoined)[0];
    if (stalest) await this.o.store.removeMember(ws.id, stalest.id);
  }

  private async reattend(socket: Socket, raw: unknown): Promise<void> {
    const data = obj(raw);
    const workspaceId = idOf(data?.workspace);
    const atIn = obj(data?.attendee);
    const attendeeId = idOf(atIn);
    const token = data?.accessToken;
    if (!workspaceId) return this.alert(socket, ALERTS.badWorkspace);
    if (!attendeeId) return this.alert(socket, ALERTS.badAttendee);
    if (typeof token !== 'string' || token.length === 0) {
      return this.alert(socket, ALERTS.noAccessToken);
    }
    const ws = await this.o.store.get(workspaceId);
    if (!ws) return void socket.emit('destroyed', {});
    const check = await checkAccessToken(token, ws, attendeeId, this.o.now());
    if (check !== 'ok') {
      return this.alert(socket, check === 'expired' ? ALERTS.expired : ALERTS.badAccessToken);
    }
    const member = await this.o.store.member(ws.id, attendeeId);
    if (!member) return this.alert(socket, ALERTS.notMember);
    const isOwner = attendeeId === ws.owner;
    const full = () => !isOwner && this.presentCount(ws.id, socket, attendeeId) >= this.o.capacity;
    if (full()) return void socket.emit('full', {});
    const attendee: Attendee = {
      id: attendeeId,
      name: nameOf(atIn?.name) ?? member.name,
      avatar: avatarOf(atIn?.avatar) ?? member.avatar,
    };
    const now = this.o.now();
    if (!(await this.o.store.putMember(ws.id, { ...attendee, lastJoined: now }))) {
      return void socket.emit('destroyed', {});
    }
    const [invite, accessToken] = await Promise.all([
      issueInvite(ws),
      issueAccessToken(ws, attendeeId, now),
    ]);
    if (!socket.connected) return;
    if (full()) return void socket.emit('full', {});
    this.attach(socket, ws, attendee);
    const announced = { ...attendee, socket: socket.id };
    socket.emit('re-attendance-granted', {
      workspace: publicWorkspace(ws, invite),
      attendee: announced,
      attendees: this.presentAttendees(ws.id),
      accessToken,
      nonce: nonceOf(data),
      call: ws.call ?? null,
    });
    socket.to(ws.id).emit('attend', announced);
  }

  private async leave(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    if (ok.me.id === ok.ws.owner) return this.alert(socket, ALERTS.ownerLeave);
    this.detach(socket);
    await this.o.store.removeMember(ok.ws.id, ok.me.id);
    this.o.io.to(ok.ws.id).emit('leave', ok.me);
  }

  private async destroy(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, {
      self: 'attendee',
      token: 'required',
      owner: true,
    });
    if (!ok) return;
    await this.o.store.delete(ok.ws.id);
    this.o.io.to(ok.ws.id).emit('destroyed', {});
    for (const s of [...(this.present.get(ok.ws.id)?.values() ?? [])]) this.detach(s);
    this.o.log.info({ workspace: ok.ws.id }, 'workspace destroyed');
  }

  private async kick(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, {
      self: 'attendee',
      token: 'required',
      owner: true,
    });
    if (!ok) return;
    const kickedId = idOf(ok.data.kickedAttendee);
    if (!kickedId) return this.alert(socket, ALERTS.badAttendee);
    if (kickedId === ok.ws.owner) return this.alert(socket, ALERTS.ownerKick);
    const member = await this.o.store.member(ok.ws.id, kickedId);
    if (!member) return this.alert(socket, ALERTS.noSuchAttendee);
    await this.o.store.removeMember(ok.ws.id, kickedId);
    this.o.io.to(ok.ws.id).emit('kicked', { id: member.id, name: member.name });
    const kicked = this.peer(ok.ws.id, kickedId);
    if (kicked) this.detach(kicked);
    this.o.log.info({ workspace: ok.ws.id, attendee: kickedId }, 'attendee kicked by the owner');
  }

  private async attendees(socket: Socket, raw: unknown): Promise<void> {
    // Sent by the client at start-up, before it re-attends: ignored until then, as the original ignores it.
    if (!this.identity(socket)) return;
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'if-present' });
    if (ok) socket.emit('attendees', { attendees: this.presentAttendees(ok.ws.id) });
  }

  // --- calls and relays -------------------------------------------------------

  private async ring(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    const { ws, me, data } = ok;
    await this.o.store.setCall(ws.id, boundedCall(obj(data.workspace)?.call));
    this.peer(ws.id, idOf(data.callee))?.emit('ring', {
      workspace: data.workspace,
      caller: me,
      offer: data.offer,
      call: data.call,
      nonce: nonceOf(data),
    });
  }

  private async answer(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    const { ws, me, data } = ok;
    this.peer(ws.id, idOf(data.caller))?.emit('answer', {
      workspace: data.workspace,
      callee: me,
      answer: data.answer,
      call: data.call,
      nonce: nonceOf(data),
    });
  }

  private async busy(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    socket
      .to(ok.ws.id)
      .emit('busy', { workspace: ok.data.workspace, callee: ok.me, call: ok.data.call });
  }

  private async hangup(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    await this.o.store.setCall(ok.ws.id, null);
    socket.to(ok.ws.id).emit('hangup', { attendee: ok.me, call: ok.data.call });
  }

  private async toggle(
    socket: Socket,
    raw: unknown,
    event: 'mic-toggle' | 'cam-toggle',
  ): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    socket.to(ok.ws.id).emit(event, { attendee: { id: ok.me.id }, state: ok.data.state });
  }

  private async negotiation(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'broadcaster', token: 'required' });
    if (!ok) return;
    this.peer(ok.ws.id, idOf(ok.data.attendee))?.emit('negotiation', {
      attendee: { id: ok.me.id },
      message: ok.data.message,
    });
  }

  private async icecandidate(socket: Socket, raw: unknown): Promise<void> {
    const ok = await this.authorize(socket, raw, { self: 'broadcaster', token: 'if-present' });
    if (!ok) return;
    const target = idOf(ok.data.attendee);
    this.peer(ok.ws.id, target)?.emit('icecandidate', {
      attendee: { id: target },
      broadcaster: { id: ok.me.id },
      candidate: ok.data.candidate,
    });
  }
}
