// The HTTP side of the SSE/HTTP WebRTC signaling, under RtcBasePath
// (docs/protocols/sse.md#routes):
//   POST <base>/access                  a token (or, with a valid token, a fresh one for the same peer)
//   GET  <base>/connect?token=          the event stream
//   POST <base>/<room>/join             join a room
//   POST <base>/relay/<peer>/<event>    send an event to a peer in a shared room
//   GET  <base>/ice-servers             the ICE servers (IceServers=)
// The matcher takes only these shapes, so with RtcBasePath=/ the rest of `/`
// stays with the other routes.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isThrottled } from '../../auth/credential-throttle';
import type { CredentialThrottle } from '../../auth/credential-throttle';
import type { IceServer } from '../../config/values';
import type { Logger } from '../../log/logger';
import { normalizeAddress } from '../../transport/address';
import type { AddressLimiter } from '../../transport/rate-limit';
import { retryAfterSeconds } from '../../transport/refusals';
import type { RefusalLog } from '../../transport/refusals';
import { HttpError, readJson as readJsonBody, sendJson, sendText } from '../../transport/reply';
import type { HttpRoute } from '../../transport/routes';
import { SERVER_EVENTS } from './signaling';
import type { SseSignaling } from './signaling';
import type { RtcTokens, RtcUser } from './token';

export type RtcPath =
  | { kind: 'access' }
  | { kind: 'connect' }
  | { kind: 'ice-servers' }
  | { kind: 'join'; room: string }
  | { kind: 'relay'; peer: string; event: string };

const MAX_USERNAME_CHARS = 128;
const MAX_ROOM_CHARS = 256;
const EVENT_NAME = /^[A-Za-z0-9][\w.:-]{0,63}$/;

/** RtcBasePath without its trailing slash: `/` becomes the empty prefix. */
export function rtcPrefix(basePath: string): string {
  return basePath.replace(/\/+$/, '');
}

/** The endpoint a path names (segments still percent-encoded), or undefined. */
export function parseRtcPath(prefix: string, pathname: string): RtcPath | undefined {
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const parts = pathname.slice(prefix.length + 1).split('/');
  const [a, b, c] = parts;
  if (parts.length === 1) {
    if (a === 'access' || a === 'connect' || a === 'ice-servers') return { kind: a };
    return undefined;
  }
  if (parts.length === 2 && a && b === 'join') return { kind: 'join', room: a };
  if (parts.length === 3 && a === 'relay' && b && c) return { kind: 'relay', peer: b, event: c };
  return undefined;
}

export interface RtcRouteOptions {
  prefix: string;
  /** Only these endpoints (all when absent), under the route's own name. */
  only?: { kinds: ReadonlyArray<RtcPath['kind']>; name: string };
  /** New peers (tokens without one) per address (RtcPeersPerMinute). */
  newPeers: AddressLimiter;
  refusals: RefusalLog;
  /** Failed tokens per address, shared with the other protocols. */
  credentials: CredentialThrottle;
  signaling: SseSignaling;
  tokens: RtcTokens;
  iceServers: IceServer[];
  maxBodyBytes: number;
  log: Logger;
}

export function rtcSseRoute(o: RtcRouteOptions): HttpRoute {
  const allow = (req: IncomingMessage, ...methods: string[]) => {
    if (!methods.includes(req.method ?? '')) {
      throw new HttpError(405, 'Method not allowed', { Allow: methods.join(', ') });
    }
  };

  async function authenticate(req: IncomingMessage, url: URL): Promise<RtcUser> {
    const token = tokenOf(req, url);
    const challenge = 'Bearer realm="lanboard-rtc"';
    if (token === undefined) {
      throw new HttpError(401, 'Unauthorized: no token', { 'WWW-Authenticate': challenge });
    }
    // A token that does not verify costs the address one of its failed credentials.
    const user = await o.credentials.attempt(
      remoteOf(req),
      () => o.tokens.verify(token),
      (u) => !u,
    );
    if (isThrottled(user)) {
      throw new HttpError(429, `Too many requests: ${user.reason}`, {
        'Retry-After': retryAfterSeconds(user.retryAfterMs),
      });
    }
    if (!user) {
      throw new HttpError(401, 'Unauthorized: token invalid or expired', {
        'WWW-Authenticate': `${challenge}, error="invalid_token"`,
      });
    }
    if (o.signaling.isRevoked(user.id)) throw new HttpError(403, 'Forbidden: kicked');
    return user;
  }

  /** An empty body reads as `{}`. */
  const readJson = (req: IncomingMessage) => readJsonBody(req, o.maxBodyBytes, {});

  const limitRate = (user: RtcUser) => {
    if (!o.signaling.allowMessage(user.id)) {
      throw new HttpError(429, 'Too many requests', { 'Retry-After': '1' });
    }
  };

  async function access(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    allow(req, 'POST');
    if (tokenOf(req, url) !== undefined) {
      // A refresh: the same peer id, a new expiry.
      const current = await authenticate(req, url);
      await readJson(req);
      const { token, user } = await o.tokens.issue(current.id, current.username);
      o.signaling.noteToken(user);
      return sendJson(res, 200, { token, expiresAt: user.exp });
    }
    // Each new peer may become a session held for the resume window: counted per address.
    const remote = remoteOf(req);
    const wait = o.newPeers.take(remote);
    if (wait > 0) {
      o.refusals.note(remote, 'signaling peer refused: too many new peers from this address', {
        limit: 'RtcPeersPerMinute',
      });
      throw new HttpError(
        429,
        `Too many requests: too many new peers from this address; try again in ${retryAfterSeconds(wait)} s`,
        { 'Retry-After': retryAfterSeconds(wait) },
      );
    }
    const body = await readJson(req);
    const username = (body as { username?: unknown } | null)?.username;
    if (typeof username !== 'string' || username === '') {
      throw new HttpError(403, 'Forbidden: username required');
    }
    if (username.length > MAX_USERNAME_CHARS) {
      throw new HttpError(400, `Bad request: username longer than ${MAX_USERNAME_CHARS}`);
    }
    const { token, user } = await o.tokens.issue(randomUUID(), username);
    sendJson(res, 200, { token, expiresAt: user.exp });
  }

  async function connect(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    allow(req, 'GET');
    const user = await authenticate(req, url);
    // As the original: anything but an event-stream request is not found.
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      throw new HttpError(404, 'Not found');
    }
    const header = req.headers['last-event-id'];
    const lastEventId =
      (typeof header === 'string' ? header : undefined) ??
      url.searchParams.get('lastEventId') ??
      undefined;
    if (o.signaling.connect(user, lastEventId, res) === 'conflict') {
      throw new HttpError(409, 'Conflict: this peer already has an open stream');
    }
  }

  async function join(req: IncomingMessage, res: ServerResponse, url: URL, rawRoom: string) {
    allow(req, 'POST');
    const user = await authenticate(req, url);
    limitRate(user);
    const room = decodeSegment(rawRoom, 'room');
    if (room.length > MAX_ROOM_CHARS) {
      throw new HttpError(400, `Bad request: room name longer than ${MAX_ROOM_CHARS}`);
    }
    await readJson(req);
    switch (o.signaling.join(user, room, remoteOf(req))) {
      case 'not-connected':
        throw new HttpError(409, 'Conflict: open the event stream (connect) before joining');
      case 'too-many-rooms':
        throw new HttpError(403, 'Forbidden: too many rooms');
      case 'room-full':
        o.refusals.note(remoteOf(req), 'signaling join refused: the room is full', {
          limit: 'RtcMaxPeersPerRoom',
        });
        throw new HttpError(403, 'Forbidden: the room is full');
      default:
        return ok(res);
    }
  }

  async function relay(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    rawPeer: string,
    rawEvent: string,
  ) {
    allow(req, 'POST');
    const user = await authenticate(req, url);
    limitRate(user);
    const peer = decodeSegment(rawPeer, 'peer id');
    const event = decodeSegment(rawEvent, 'event');
    if (!EVENT_NAME.test(event)) throw new HttpError(400, 'Bad request: invalid event name');
    if (SERVER_EVENTS.has(event)) throw new HttpError(400, `Bad request: ${event} is reserved`);
    const data = await readJson(req);
    switch (o.signaling.relay(user, peer, event, data)) {
      case 'unknown-peer':
        throw new HttpError(404, 'Not found: no such peer');
      case 'not-shared':
        throw new HttpError(403, 'Forbidden: that peer is not in a room with you');
      default:
        return ok(res);
    }
  }

  const parse = (pathname: string): RtcPath | undefined => {
    const path = parseRtcPath(o.prefix, pathname);
    return path && (!o.only || o.only.kinds.includes(path.kind)) ? path : undefined;
  };
  return {
    name: o.only?.name ?? 'rtc-sse',
    path: { matches: (pathname) => parse(pathname) !== undefined },
    async handle(req, res, url) {
      const path = parse(url.pathname);
      try {
        switch (path?.kind) {
          case 'access':
            return await access(req, res, url);
          case 'connect':
            return await connect(req, res, url);
          case 'join':
            return await join(req, res, url, path.room);
          case 'relay':
            return await relay(req, res, url, path.peer, path.event);
          case 'ice-servers':
            allow(req, 'GET', 'HEAD');
            return sendJson(res, 200, { iceServers: o.iceServers });
          default:
            throw new HttpError(404, 'Not found');
        }
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        o.log.debug({ status: err.status, path: url.pathname }, err.message);
        sendText(res, err.status, `${err.message}\n`, err.headers);
      }
    },
  };
}

const remoteOf = (req: IncomingMessage) => normalizeAddress(req.socket.remoteAddress);

/** As the original: `Authorization: Bearer <t>` first, then `?token=`. */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer +(\S+) *$/i.exec(header)?.[1];
  return url.searchParams.get('token') || undefined;
}

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `Bad request: malformed ${what}`);
  }
}

const ok = (res: ServerResponse) => sendText(res, 200, 'OK');
