// The state behind the SSE/HTTP WebRTC signaling: one session per peer id
// with its event stream (docs/protocols/sse.md#the-event-stream), its rooms and
// a short buffer of recent events for `Last-Event-ID` resumption
// (docs/protocols/sse.md#resuming-with-last-event-id). Events reach a peer
// through the bus, on the peer's own topic (the original's `messages:<id>`
// Redis channel).
//
// Fixes over the original (docs/protocols/sse.md#differences-from-the-original):
// one timer for every stream instead of a ping interval per stream that is
// never cleared; the bus subscription ends with the session; joining needs a
// session; a relay needs a room shared with its target; a stream that drops
// (rather than being closed by its client) may resume within the resume window
// (`resumeWindowMs`) without the others seeing the peer leave.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Bus } from '../../cluster/bus';
import { FULL_ACCESS } from '../../hub/permissions';
import type { Permissions } from '../../hub/permissions';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import type { LimitHits } from '../../transport/limit-hits';
import { TokenBucket } from '../../transport/rate-limit';
import type { IceServer } from '../../config/values';
import { SseDirectory } from './directory';
import type { RemotePeer } from './directory';
import { SseStream, formatEvent } from '../../transport/sse-stream';
import type { StreamEnd } from '../../transport/sse-stream';
import type { RtcTokens, RtcUser } from './token';

export const PROTOCOL = 'rtc-sse';
/** Events the server itself sends; a relay may not use these names. */
export const SERVER_EVENTS = new Set([
  'connected',
  'add-peer',
  'remove-peer',
  'ping',
  'token',
  'kicked',
]);

export interface SignalingOptions {
  /** Peers on other hubs take part (the hub shares its bus through Redis). */
  crossHub?: boolean;
  tokens: RtcTokens;
  registry: SessionRegistry;
  bus: Bus;
  log: Logger;
  now: () => number;
  iceServers: IceServer[];
  messagesPerSecond: number;
  maxQueuedBytes: number;
  /** The ping interval, which also drives token pushes and resume expiry. */
  pingMs: number;
  /** How long a dropped stream may come back, and how old a replayed event may be. */
  resumeWindowMs: number;
  /** Events kept per peer for resumption. */
  maxBufferedEvents: number;
  /** Bytes of events kept per peer for resumption (RtcResumeBytesPerPeer). */
  maxResumeBytesPerPeer: number;
  /** Bytes of events kept for resumption by every peer on this hub together (RtcResumeBytes). */
  maxResumeBytes: number;
  /** A peer that has joined no room this long after its session began is ended. */
  idleMs: number;
  /** Where trimmed resume buffers are counted (/metrics). */
  limitHits?: LimitHits;
  maxRoomsPerPeer: number;
  /** Peers in one room, on every hub (RtcMaxPeersPerRoom). */
  maxPeersPerRoom: number;
}

interface Membership {
  permissions: Permissions;
  unregister: () => void;
}

interface Buffered {
  seq: number;
  at: number;
  frame: string;
  /** The frame's size in UTF-8. */
  bytes: number;
}

interface Session {
  readonly id: string;
  user: RtcUser;
  /** Latest `exp` of a token this peer holds (Unix seconds). */
  tokenExp: number;
  /** Distinguishes this session's event ids from an earlier session's. */
  readonly tag: string;
  seq: number;
  readonly buffer: Buffered[];
  /** Bytes of `buffer`'s frames. */
  bufferedBytes: number;
  readonly startedAt: number;
  stream: SseStream | undefined;
  disconnectedAt: number;
  readonly rooms: Map<string, Membership>;
  readonly bucket: TokenBucket;
  readonly unsubscribe: () => void;
  /** A `token` event is being prepared. */
  refreshing: boolean;
}

interface PeerMessage {
  event: string;
  data: unknown;
}

export type JoinResult =
  'joined' | 'already-joined' | 'not-connected' | 'too-many-rooms' | 'room-full';
export type RelayResult = 'relayed' | 'unknown-peer' | 'not-shared';

const topicOf = (peerId: string) => `rtc-sse/peer/${peerId}`;
const PING = formatEvent('ping', '{}');

export class SseSignaling {
  private readonly sessions = new Map<string, Session>();
  private readonly rooms = new Map<string, Set<string>>();
  /** Kicked peer ids, until every token they could hold has expired (Unix seconds). */
  private readonly revoked = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Bytes in every session's resume buffer. */
  private bufferedBytes = 0;

  /** Peers in rooms on other hubs; none with one hub. */
  private readonly directory: SseDirectory | undefined;

  constructor(private readonly o: SignalingOptions) {
    if (!o.crossHub) return;
    this.directory = new SseDirectory(
      o.bus,
      () => this.localMembers(),
      (room, peer) => {
        for (const peerId of this.rooms.get(room) ?? []) {
          this.publish(peerId, 'remove-peer', { peer, roomId: room });
        }
      },
    );
  }

  private localMembers(): { room: string; peer: RemotePeer }[] {
    const out: { room: string; peer: RemotePeer }[] = [];
    for (const s of this.sessions.values()) {
      for (const room of s.rooms.keys()) {
        out.push({ room, peer: publicUser(s.user) });
      }
    }
    return out;
  }

  /** For tests and stats: sessions, open streams, whether the shared timer runs. */
  get state(): { sessions: number; streams: number; ticking: boolean; bufferedBytes: number } {
    let streams = 0;
    for (const s of this.sessions.values()) if (s.stream) streams++;
    return {
      sessions: this.sessions.size,
      streams,
      ticking: this.timer !== undefined,
      bufferedBytes: this.bufferedBytes,
    };
  }

  isRevoked(peerId: string): boolean {
    const until = this.revoked.get(peerId);
    if (until === undefined) return false;
    if (until > this.o.now() / 1000) return true;
    this.revoked.delete(peerId);
    return false;
  }

  /** Spends one of the peer's messages; a peer without a session is refused later anyway. */
  allowMessage(peerId: string): boolean {
    return this.sessions.get(peerId)?.bucket.take() ?? true;
  }

  /** A token was issued for this peer: its stream need not push one before then. */
  noteToken(user: RtcUser): void {
    const s = this.sessions.get(user.id);
    if (s) s.tokenExp = Math.max(s.tokenExp, user.exp);
  }

  /**
   * Opens the event stream. `lastEventId` resumes the peer's session when it
   * names an event still buffered (or the newest one); otherwise the peer
   * starts over, leaving its rooms. 'conflict' when the peer's stream is
   * already open and this request shows no event id of it.
   */
  connect(user: RtcUser, lastEventId: string | undefined, res: ServerResponse): 'ok' | 'conflict' {
    let s = this.sessions.get(user.id);
    if (s && !s.stream && this.resumeWindowOver(s)) {
      this.endSession(s, 'resume window passed');
      s = undefined;
    }
    let from = s && this.resumePoint(s, lastEventId);
    if (s && from === undefined) {
      // An id from this session means the same client has lost events: it
      // starts over. Anything else while the stream is open is a second client.
      const sameClient = lastEventId?.startsWith(`${s.tag}.`) ?? false;
      if (s.stream && !sameClient) return 'conflict';
      this.endSession(s, 'reconnected without resuming');
      s = undefined;
    }
    const resumed = s !== undefined;
    if (!s) {
      s = this.createSession(user);
      from = 0;
    }
    const session = s;
    session.user = user;
    session.tokenExp = Math.max(session.tokenExp, user.exp);
    session.stream?.end(); // a half-open stream the client has given up on
    const stream = new SseStream(res, this.o.maxQueuedBytes, (how) =>
      this.streamClosed(session, stream, how),
    );
    session.stream = stream;
    stream.send(
      formatEvent(
        'connected',
        JSON.stringify({ user, iceServers: this.o.iceServers, resumed }),
        `${session.tag}.${from}`,
      ),
    );
    for (const b of session.buffer) if (b.seq > (from ?? 0)) stream.send(b.frame);
    this.o.log.debug({ peer: user.id, resumed }, 'signaling stream opened');
    this.pushTokenIfDue(session);
    return 'ok';
  }

  join(user: RtcUser, room: string, remoteAddress: string): JoinResult {
    const s = this.sessions.get(user.id);
    if (!s) return 'not-connected';
    // Idempotent: the original client joins on every `connected`, resumed or not.
    if (s.rooms.has(room)) return 'already-joined';
    if (s.rooms.size >= this.o.maxRoomsPerPeer) return 'too-many-rooms';
    const remote = this.directory?.members(room) ?? [];
    if ((this.rooms.get(room)?.size ?? 0) + remote.length >= this.o.maxPeersPerRoom) {
      return 'room-full';
    }
    s.user = user;
    let members = this.rooms.get(room);
    if (!members) {
      members = new Set();
      this.rooms.set(room, members);
    }
    const others = [
      ...[...members].map((id) => ({ id, username: this.sessions.get(id)?.user.username })),
      ...remote,
    ];
    for (const other of others) {
      this.publish(other.id, 'add-peer', { peer: publicUser(user), roomId: room, offer: false });
      this.publish(user.id, 'add-peer', { peer: other, roomId: room, offer: true });
    }
    members.add(user.id);
    this.directory?.joined(room, publicUser(user));
    const membership: Membership = { permissions: { ...FULL_ACCESS }, unregister: () => {} };
    membership.unregister = this.o.registry.add(
      {
        id: this.o.registry.nextClientId(),
        protocol: PROTOCOL,
        room,
        remoteAddress,
        userId: user.username,
        permissions: membership.permissions,
        connectedAt: this.o.now(),
      },
      {
        kick: (reason) => this.kick(user.id, reason),
        setPermissions: (p) => {
          membership.permissions = { ...p };
          if (!p.read) this.kick(user.id, 'read permission removed');
        },
      },
    );
    s.rooms.set(room, membership);
    this.o.log.debug({ peer: user.id, room }, 'peer joined');
    return 'joined';
  }

  /** Sends `event` to a peer that shares a room (where the sender may write) with the sender. */
  relay(user: RtcUser, targetId: string, event: string, data: unknown): RelayResult {
    const target = this.sessions.get(targetId);
    if (!target && !this.directory?.knows(targetId)) return 'unknown-peer';
    const sender = this.sessions.get(user.id);
    let shared = false;
    for (const [room, m] of sender?.rooms ?? []) {
      const together = target ? target.rooms.has(room) : this.directory?.has(room, targetId);
      if (m.permissions.write && together) shared = true;
    }
    if (!shared) return 'not-shared';
    this.publish(targetId, event, { peer: publicUser(user), data });
    return 'relayed';
  }

  /** Ends the peer's stream and session; its tokens are refused until they expire. */
  kick(peerId: string, reason: string): void {
    const s = this.sessions.get(peerId);
    const nowSeconds = this.o.now() / 1000;
    for (const [id, until] of this.revoked) if (until <= nowSeconds) this.revoked.delete(id);
    // Every token issued so far expires within one lifetime from now.
    this.revoked.set(peerId, Math.ceil(nowSeconds) + this.o.tokens.lifetimeSeconds);
    if (!s) return;
    s.stream?.send(formatEvent('kicked', JSON.stringify({ reason })));
    this.endSession(s, `kicked: ${reason}`);
  }

  /** On hub stop: ends every stream, without telling the others. */
  stop(): void {
    for (const s of [...this.sessions.values()]) this.endSession(s, 'hub stopping', false);
    this.rooms.clear();
    this.directory?.dispose();
  }

  private createSession(user: RtcUser): Session {
    const s: Session = {
      id: user.id,
      user,
      tokenExp: user.exp,
      tag: randomBytes(6).toString('base64url'),
      seq: 0,
      buffer: [],
      bufferedBytes: 0,
      startedAt: this.o.now(),
      stream: undefined,
      disconnectedAt: 0,
      rooms: new Map(),
      bucket: new TokenBucket(this.o.messagesPerSecond, undefined, this.o.now),
      unsubscribe: this.o.bus.subscribe<PeerMessage>(topicOf(user.id), (m) =>
        this.record(s, m.event, m.data),
      ),
      refreshing: false,
    };
    this.sessions.set(user.id, s);
    this.timer ??= setInterval(() => this.tick(), this.o.pingMs);
    return s;
  }

  private publish(peerId: string, event: string, data: unknown): void {
    this.o.bus.publish<PeerMessage>(topicOf(peerId), { event, data });
  }

  /** Numbers the event, keeps it for resumption and sends it if the stream is open. */
  private record(s: Session, event: string, data: unknown): void {
    s.seq++;
    const frame = formatEvent(event, JSON.stringify(data), `${s.tag}.${s.seq}`);
    const bytes = Buffer.byteLength(frame);
    s.buffer.push({ seq: s.seq, at: this.o.now(), frame, bytes });
    s.bufferedBytes += bytes;
    this.bufferedBytes += bytes;
    const share = this.resumeShare();
    if (s.bufferedBytes > share) this.o.limitHits?.hit('RtcResumeBytesPerPeer');
    this.trimBuffer(s, share);
    // Over the hub's budget: every buffer down to its share, which brings the sum under it.
    if (this.bufferedBytes > this.o.maxResumeBytes) {
      this.o.limitHits?.hit('RtcResumeBytes');
      for (const other of this.sessions.values()) this.trimBuffer(other, share);
    }
    s.stream?.send(frame);
  }

  /**
   * What one peer's resume buffer may hold now: RtcResumeBytesPerPeer, or its
   * share of RtcResumeBytes when many peers would together pass that.
   */
  private resumeShare(): number {
    const fair = Math.floor(this.o.maxResumeBytes / Math.max(1, this.sessions.size));
    return Math.min(this.o.maxResumeBytesPerPeer, fair);
  }

  /**
   * Drops the oldest buffered events that are past the resume window, past the
   * count, or over `share` bytes: a peer that misses them starts over instead
   * of resuming.
   */
  private trimBuffer(s: Session, share = this.resumeShare()): void {
    const oldest = this.o.now() - this.o.resumeWindowMs;
    for (;;) {
      const first = s.buffer[0];
      if (!first) break;
      const over = s.buffer.length > this.o.maxBufferedEvents || s.bufferedBytes > share;
      if (!over && first.at >= oldest) break;
      s.buffer.shift();
      s.bufferedBytes -= first.bytes;
      this.bufferedBytes -= first.bytes;
    }
  }

  /** The sequence number to replay after, or undefined when `lastEventId` cannot resume. */
  private resumePoint(s: Session, lastEventId: string | undefined): number | undefined {
    const match = /^([\w-]+)\.(\d{1,15})$/.exec(lastEventId ?? '');
    if (!match || match[1] !== s.tag) return undefined;
    const seq = Number(match[2]);
    if (seq > s.seq) return undefined;
    this.trimBuffer(s);
    // Every event after `seq` must still be buffered.
    const firstKept = s.buffer[0]?.seq ?? s.seq + 1;
    return seq + 1 >= firstKept ? seq : undefined;
  }

  private resumeWindowOver(s: Session): boolean {
    return this.o.now() - s.disconnectedAt >= this.o.resumeWindowMs;
  }

  /**
   * A client that closed its stream in order (its tab closed or navigated, or
   * it closed its EventSource) has left: the others hear `remove-peer` now.
   * Only a stream that dropped keeps its session for the resume window.
   */
  private streamClosed(s: Session, stream: SseStream, how: StreamEnd): void {
    if (s.stream !== stream) return; // replaced, or its session already ended
    if (how === 'client-closed') {
      this.endSession(s, 'stream closed by the client');
      return;
    }
    s.stream = undefined;
    s.disconnectedAt = this.o.now();
    this.o.log.debug({ peer: s.id }, 'signaling stream closed; waiting for it to resume');
  }

  private endSession(s: Session, reason: string, notify = true): void {
    if (this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    this.bufferedBytes -= s.bufferedBytes;
    s.bufferedBytes = 0;
    s.buffer.length = 0;
    s.unsubscribe();
    const stream = s.stream;
    s.stream = undefined;
    stream?.end();
    for (const [room, membership] of s.rooms) {
      membership.unregister();
      // The other hubs tell their own members (SseDirectory's onRemoteLeave).
      this.directory?.left(room, s.id);
      const members = this.rooms.get(room);
      members?.delete(s.id);
      if (!members || members.size === 0) {
        this.rooms.delete(room);
        continue;
      }
      if (notify) {
        for (const peerId of members) {
          this.publish(peerId, 'remove-peer', { peer: publicUser(s.user), roomId: room });
        }
      }
    }
    s.rooms.clear();
    if (this.sessions.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.o.log.debug({ peer: s.id, reason }, 'signaling session ended');
  }

  private tick(): void {
    const now = this.o.now();
    for (const s of [...this.sessions.values()]) {
      if (s.rooms.size === 0 && now - s.startedAt >= this.o.idleMs) {
        this.endSession(s, 'idle: joined no room');
      } else if (s.stream) {
        s.stream.send(PING);
        this.pushTokenIfDue(s);
        this.trimBuffer(s); // an idle peer's old events are no use to anyone
      } else if (this.resumeWindowOver(s)) {
        this.endSession(s, 'did not come back');
      } else this.trimBuffer(s);
    }
  }

  /** Sends a fresh token shortly before the peer's newest one expires. */
  private pushTokenIfDue(s: Session): void {
    const lifetime = this.o.tokens.lifetimeSeconds;
    const lead = Math.min(300, lifetime / 5);
    if (s.refreshing || this.o.now() / 1000 < s.tokenExp - lead) return;
    s.refreshing = true;
    this.o.tokens
      .issue(s.id, s.user.username)
      .then(({ token, user }) => {
        s.tokenExp = Math.max(s.tokenExp, user.exp);
        s.stream?.send(formatEvent('token', JSON.stringify({ token, expiresAt: user.exp })));
      })
      .catch((err: Error) => this.o.log.error({ err: err.message }, 'token refresh failed'))
      .finally(() => {
        s.refreshing = false;
      });
  }
}

function publicUser(u: RtcUser): RtcUser {
  return { id: u.id, username: u.username, iat: u.iat, exp: u.exp };
}
