// What the event modules of the workspaces signaling server
// (docs/protocols/workspaces.md#client-events) share: the server's options,
// the alerts it sends (docs/protocols/workspaces.md#alerts), the payload
// readers, and the part of the server an event handler may use
// (WorkspacesContext, which server.ts implements).
import type { Server, Socket } from 'socket.io';
import type { IceServer } from '../../config/values';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import type { LoginThrottle } from '../../auth/login-throttle';
import type { RefusalLog } from '../../transport/refusals';
import type { WorkspaceRecord, WorkspaceStore } from '../../store/workspace-store';
import type { WorkspacesLink } from './hub-link';

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
  /**
   * Workspaces created per address (WorkspacesPerHour): 0 spends one, otherwise
   * the wait in ms. In Redis when hubs share it, so the budget is theirs together.
   */
  creations: { take(address: string): number | Promise<number> };
  /** Refusals over a limit, logged with the address. */
  refusals: RefusalLog;
  /** The other hubs on the same Redis (docs/protocols/workspaces.md#several-hubs), if any. */
  link?: WorkspacesLink;
}

export const ALERTS = {
  noInvite: 'Please provide a valid workspace access token.',
  badInvite: 'Invalid workspace token. Access is not allowed.',
  wrongPin: 'This workspace is protected with a PIN. Wrong PIN provided.',
  pinTooLong: (max: number) => `A PIN may have at most ${max} characters.`,
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
  tooManyCreated: (ms: number) =>
    `Too many workspaces created from your address. Try again in ${Math.ceil(ms / 1000)} seconds.`,
  replaced: 'This attendee has joined from another connection.',
  storage: 'The hub cannot save this now. Try again in a moment.',
  unavailable: 'The hub cannot do this now. Try again in a moment.',
} as const;

export type Fields = Record<string, unknown>;

export interface Attendee {
  id: string;
  name: string;
  avatar: string;
}

export interface Identity {
  workspaceId: string;
  attendee: Attendee;
  unregister: () => void;
}

export interface Rule {
  /** Which payload field names the sender. */
  self: 'attendee' | 'broadcaster';
  /** The original checks the access token on these events; others verify one when present. */
  token: 'required' | 'if-present';
  owner?: boolean;
}

export interface Authorized {
  ws: WorkspaceRecord;
  me: Attendee;
  data: Fields;
}

/** The server as an event handler sees it: identities, presence and checks. */
export interface WorkspacesContext {
  readonly o: WorkspacesOptions;
  /** Members one workspace keeps, present or not. */
  readonly maxMembers: number;
  alert(socket: Socket, message: string): void;
  identity(socket: Socket): Identity | undefined;
  /** The connection's normalized remote address, until its disconnect is handled. */
  addressOf(socket: Socket): string | undefined;
  presentAttendees(workspaceId: string): Record<string, Attendee>;
  presentCount(workspaceId: string, socket: Socket, attendeeId?: string): number;
  /** Whether the attendee is present in the workspace, on this hub or another. */
  isPresent(workspaceId: string, attendeeId: string): boolean;
  attach(socket: Socket, ws: WorkspaceRecord, attendee: Attendee): void;
  detach(socket: Socket): Identity | undefined;
  authorize(socket: Socket, raw: unknown, rule: Rule): Promise<Authorized | undefined>;
  /** To the attendee's connection, on this hub or another; nothing if it is not present. */
  sendTo(workspaceId: string, attendeeId: string | undefined, event: string, data: unknown): void;
  /**
   * To everyone present in the workspace, on every hub (but `except`), then
   * takes `remove` (an attendee ID, or 'all') out of it without a `leave`.
   */
  announce(
    workspaceId: string,
    event: string,
    data: unknown,
    options?: { except?: Socket; remove?: 'all' | string },
  ): void;
}

/** One client event's handler; `raw` is the payload as it came. */
export type EventHandler = (ctx: WorkspacesContext, socket: Socket, raw: unknown) => Promise<void>;

export const obj = (v: unknown): Fields | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : undefined;

export const idOf = (v: unknown): string | undefined => {
  const id = obj(v)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
};

/** As the original: a truthy nonce is echoed, anything else becomes ''. */
export const nonceOf = (data: Fields | undefined): string | number => {
  const n = data?.nonce;
  return (typeof n === 'string' || typeof n === 'number') && n ? n : '';
};
