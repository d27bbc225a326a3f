// Workspace membership events of the workspaces signaling server: create,
// attend, re-attend, leave, destroy, kick and attendees
// (docs/protocols/workspaces.md#create and the sections after it). Only
// `create`, and `attend` / `re-attend` once their invite + PIN or access token
// checked out, give a connection its identity; the others go through
// `authorize` (docs/protocols/workspaces.md#identities).
import { randomInt } from 'node:crypto';
import type { WorkspaceRecord } from '../../store/workspace-store';
import { ALERTS, idOf, nonceOf, obj } from './events';
import type { Attendee, EventHandler, WorkspacesContext } from './events';
import {
  checkAccessToken,
  checkInvite,
  hashPin,
  issueAccessToken,
  issueInvite,
  newTokenKey,
  pinMatches,
  tokenWorkspaceId,
} from './tokens';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 10;
/** The original accepts any string starting with `_`; we also bound its length and characters. */
const CLIENT_ID = /^_[A-Za-z0-9_-]{2,64}$/;
const MAX_NAME_CHARS = 200;
const MAX_AVATAR_CHARS = 16 * 1024;
const MAX_PIN_CHARS = 256;
const MAX_WORKSPACES = 10_000;
const DEFAULT_WORKSPACE_NAME = 'Untitled Workspace';
const DEFAULT_ATTENDEE_NAME = 'Anonymous Attendee';

const clientId = (v: unknown): string | undefined =>
  typeof v === 'string' && CLIENT_ID.test(v) ? v : undefined;

const nameOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_NAME_CHARS) : undefined;

const avatarOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_AVATAR_CHARS ? v : undefined;

function newId(): string {
  let id = '_';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_CHARS[randomInt(ID_CHARS.length)];
  return id;
}

const publicWorkspace = (ws: WorkspaceRecord, token: string) => ({
  id: ws.id,
  name: ws.name,
  avatar: ws.avatar,
  owner: ws.owner,
  created: ws.created,
  token,
});

export const create: EventHandler = async (ctx, socket, raw) => {
  const { o } = ctx;
  const data = obj(raw);
  const wsIn = obj(data?.workspace) ?? {};
  const atIn = obj(data?.attendee) ?? {};
  // Per address, so that one cannot fill the hub's MAX_WORKSPACES for everyone
  // (docs/protocols/workspaces.md#limits).
  const address = ctx.addressOf(socket) ?? 'unknown';
  const wait = await o.creations.take(address);
  if (wait > 0) {
    o.refusals.note(address, 'workspace refused: too many created from this address', {
      limit: 'WorkspacesPerHour',
    });
    return ctx.alert(socket, ALERTS.tooManyCreated(wait));
  }
  if ((await o.store.count()) >= MAX_WORKSPACES) return ctx.alert(socket, ALERTS.hubFull);
  const pin = typeof wsIn.pin === 'string' ? wsIn.pin : '';
  if (pin.length > MAX_PIN_CHARS) return ctx.alert(socket, ALERTS.pinTooLong(MAX_PIN_CHARS));
  const attendee: Attendee = {
    id: clientId(atIn.id) ?? newId(),
    name: nameOf(atIn.name) ?? DEFAULT_ATTENDEE_NAME,
    avatar: avatarOf(atIn.avatar) ?? '',
  };
  const chosenId = clientId(wsIn.id);
  const pinHash = await hashPin(pin);
  const now = o.now();
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
  if (!(await o.store.create(ws, owner))) {
    if (chosenId) return ctx.alert(socket, ALERTS.idTaken);
    ws.id = newId(); // a collision of two random IDs: once more
    if (!(await o.store.create(ws, owner))) return ctx.alert(socket, ALERTS.idTaken);
  }
  const [token, accessToken] = await Promise.all([
    issueInvite(ws),
    issueAccessToken(ws, attendee.id, now),
  ]);
  if (!socket.connected) return;
  ctx.attach(socket, ws, attendee);
  o.log.info({ workspace: ws.id, owner: attendee.id }, 'workspace created');
  socket.emit('created', {
    workspace: publicWorkspace(ws, token),
    attendee,
    accessToken,
    nonce: nonceOf(data),
  });
};

export const attend: EventHandler = async (ctx, socket, raw) => {
  const { o } = ctx;
  const data = obj(raw);
  const wsIn = obj(data?.workspace);
  const invite = wsIn?.token;
  if (typeof invite !== 'string' || invite.length === 0) {
    return ctx.alert(socket, ALERTS.noInvite);
  }
  const workspaceId = await tokenWorkspaceId(invite);
  if (workspaceId === undefined) return ctx.alert(socket, ALERTS.badInvite);
  const ws = await o.store.get(workspaceId);
  if (!ws) return void socket.emit('destroyed', {});
  if (!(await checkInvite(invite, ws, o.now()))) return ctx.alert(socket, ALERTS.badInvite);

  const key = `${ctx.addressOf(socket)} ${ws.id}`;
  const wait = o.pinThrottle.retryAfterMs(key);
  if (wait > 0) return ctx.alert(socket, ALERTS.tooManyPins(wait));
  const pin = typeof wsIn?.pin === 'string' ? wsIn.pin : '';
  const pinOk =
    pin.length <= MAX_PIN_CHARS && (await pinMatches(pin, { salt: ws.pinSalt, hash: ws.pinHash }));
  if (!pinOk) {
    o.pinThrottle.failure(key);
    o.log.info({ workspace: ws.id, address: key.split(' ')[0] }, 'wrong workspace PIN');
    return ctx.alert(socket, ALERTS.wrongPin);
  }
  o.pinThrottle.success(key);
  if (ctx.presentCount(ws.id, socket) >= o.capacity) return void socket.emit('full', {});

  const atIn = obj(data?.attendee);
  const claimed = clientId(atIn?.id);
  const free =
    claimed !== undefined && claimed !== ws.owner && !(await o.store.member(ws.id, claimed));
  const attendee: Attendee = {
    id: free ? claimed : newId(),
    name: nameOf(atIn?.name) ?? DEFAULT_ATTENDEE_NAME,
    avatar: avatarOf(atIn?.avatar) ?? '',
  };
  await makeRoomForMember(ctx, ws);
  const now = o.now();
  if (!(await o.store.putMember(ws.id, { ...attendee, lastJoined: now }))) {
    return void socket.emit('destroyed', {});
  }
  const [token, accessToken] = await Promise.all([
    issueInvite(ws),
    issueAccessToken(ws, attendee.id, now),
  ]);
  // Decided and announced in one turn, so that nothing reaches the newcomer before its grant.
  if (!socket.connected || ctx.presentCount(ws.id, socket) >= o.capacity) {
    await o.store.removeMember(ws.id, attendee.id);
    if (socket.connected) socket.emit('full', {});
    return;
  }
  ctx.attach(socket, ws, attendee);
  socket.emit('attendance-granted', {
    workspace: { ...publicWorkspace(ws, token), call: ws.call ?? null },
    attendee,
    attendees: ctx.presentAttendees(ws.id),
    accessToken,
    nonce: nonceOf(data),
  });
  ctx.announce(ws.id, 'attend', attendee, { except: socket });
};

/** Keeps the member list bounded: the stalest absent attendee goes. */
async function makeRoomForMember(ctx: WorkspacesContext, ws: WorkspaceRecord): Promise<void> {
  const members = await ctx.o.store.members(ws.id);
  if (members.length < ctx.maxMembers) return;
  const stalest = members
    .filter((m) => m.id !== ws.owner && !ctx.isPresent(ws.id, m.id))
    .sort((a, b) => a.lastJoined - b.lastJoined)[0];
  if (stalest) await ctx.o.store.removeMember(ws.id, stalest.id);
}

export const reattend: EventHandler = async (ctx, socket, raw) => {
  const { o } = ctx;
  const data = obj(raw);
  const workspaceId = idOf(data?.workspace);
  const atIn = obj(data?.attendee);
  const attendeeId = idOf(atIn);
  const token = data?.accessToken;
  if (!workspaceId) return ctx.alert(socket, ALERTS.badWorkspace);
  if (!attendeeId) return ctx.alert(socket, ALERTS.badAttendee);
  if (typeof token !== 'string' || token.length === 0) {
    return ctx.alert(socket, ALERTS.noAccessToken);
  }
  const ws = await o.store.get(workspaceId);
  if (!ws) return void socket.emit('destroyed', {});
  const check = await checkAccessToken(token, ws, attendeeId, o.now());
  if (check !== 'ok') {
    return ctx.alert(socket, check === 'expired' ? ALERTS.expired : ALERTS.badAccessToken);
  }
  const member = await o.store.member(ws.id, attendeeId);
  if (!member) return ctx.alert(socket, ALERTS.notMember);
  const isOwner = attendeeId === ws.owner;
  const full = () => !isOwner && ctx.presentCount(ws.id, socket, attendeeId) >= o.capacity;
  if (full()) return void socket.emit('full', {});
  const attendee: Attendee = {
    id: attendeeId,
    name: nameOf(atIn?.name) ?? member.name,
    avatar: avatarOf(atIn?.avatar) ?? member.avatar,
  };
  const now = o.now();
  if (!(await o.store.putMember(ws.id, { ...attendee, lastJoined: now }))) {
    return void socket.emit('destroyed', {});
  }
  const [invite, accessToken] = await Promise.all([
    issueInvite(ws),
    issueAccessToken(ws, attendeeId, now),
  ]);
  if (!socket.connected) return;
  if (full()) return void socket.emit('full', {});
  ctx.attach(socket, ws, attendee);
  const announced = { ...attendee, socket: socket.id };
  socket.emit('re-attendance-granted', {
    workspace: publicWorkspace(ws, invite),
    attendee: announced,
    attendees: ctx.presentAttendees(ws.id),
    accessToken,
    nonce: nonceOf(data),
    call: ws.call ?? null,
  });
  ctx.announce(ws.id, 'attend', announced, { except: socket });
};

export const leave: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
  if (!ok) return;
  if (ok.me.id === ok.ws.owner) return ctx.alert(socket, ALERTS.ownerLeave);
  ctx.detach(socket);
  await ctx.o.store.removeMember(ok.ws.id, ok.me.id);
  ctx.announce(ok.ws.id, 'leave', ok.me);
};

export const destroy: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required', owner: true });
  if (!ok) return;
  await ctx.o.store.delete(ok.ws.id);
  ctx.announce(ok.ws.id, 'destroyed', {}, { remove: 'all' });
  ctx.o.log.info({ workspace: ok.ws.id }, 'workspace destroyed');
};

export const kick: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required', owner: true });
  if (!ok) return;
  const kickedId = idOf(ok.data.kickedAttendee);
  if (!kickedId) return ctx.alert(socket, ALERTS.badAttendee);
  if (kickedId === ok.ws.owner) return ctx.alert(socket, ALERTS.ownerKick);
  const member = await ctx.o.store.member(ok.ws.id, kickedId);
  if (!member) return ctx.alert(socket, ALERTS.noSuchAttendee);
  await ctx.o.store.removeMember(ok.ws.id, kickedId);
  ctx.announce(ok.ws.id, 'kicked', { id: member.id, name: member.name }, { remove: kickedId });
  ctx.o.log.info({ workspace: ok.ws.id, attendee: kickedId }, 'attendee kicked by the owner');
};

export const attendees: EventHandler = async (ctx, socket, raw) => {
  // Sent by the client at start-up, before it re-attends: ignored until then, as the original ignores it.
  if (!ctx.identity(socket)) return;
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'if-present' });
  if (ok) socket.emit('attendees', { attendees: ctx.presentAttendees(ok.ws.id) });
};
