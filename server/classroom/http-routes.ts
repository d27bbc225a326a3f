// The classroom API the board page uses (shapes in api-types.ts):
//   GET  /api/classes/<code>                class title, whether it takes new students
//   POST /api/classes/<code>/join {name}    a new student and their token (waiting for the
//                                           teacher when it matches a removed member)
//   GET  /api/classes/<code>/me             the caller's state (Authorization: Bearer)
//   GET  /api/classes/<code>/events?token=  SSE: `state` now and on every change, `removed`
//   PUT  /api/classes/<code>/presentation   what the teacher shows everyone (teacher's token)
//   PUT  /api/classes/<code>/mode {mode}    one board or each student's own (teacher's token)
//   GET  /api/classes/<code>/students       the students' own boards (teacher's token)
// No admin token here: a student's own token is the only credential.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeAddress } from '../transport/address';
import { RefusalLog, retryAfterSeconds } from '../transport/refusals';
import { HttpError, readJson, sendJson } from '../transport/reply';
import type { Logger } from '../log/logger';
import { formatEvent, SseStream } from '../transport/sse-stream';
import type { HttpRoute } from '../transport/routes';
import { normalizeClassCode } from './codes';
import type { JoinReply, RemovedEvent } from './api-types';
import { memberState } from './roles';
import type { ClassroomService, Watcher } from './service';
import type { Classroom, Member } from '../store/class-store';

const PREFIX = '/api/classes/';
/** Proxies and phones drop a silent stream; a comment line every so often keeps it open. */
const HEARTBEAT_MS = 25_000;
/** A page that stops reading its stream is cut off past this much queued output. */
const MAX_QUEUED_BYTES = 256 * 1024;
/** A join's body: a name. */
const MAX_BODY_BYTES = 256 * 1024;
/** A presentation (a room name and four numbers) or a mode. */
const MAX_CONTROL_BYTES = 4 * 1024;
/** A page refused a stream retries after this (it has others open). */
const STREAM_RETRY_SECONDS = '5';

export function classroomRoutes(classes: ClassroomService, log: Logger): HttpRoute {
  const refusals = new RefusalLog(log);
  return {
    name: 'classes',
    path: { matches: (p) => p.startsWith(PREFIX) },
    async handle(req, res, url) {
      const [rawCode = '', action = '', ...rest] = url.pathname.slice(PREFIX.length).split('/');
      const code = normalizeClassCode(decodeSegment(rawCode) ?? '');
      const route = `${req.method} ${action}`;
      try {
        if (rest.length > 0 || code === undefined) return notFound(res);
        const address = normalizeAddress(req.socket.remoteAddress);
        if (route === 'GET ') return await info(classes, res, code, address);
        if (route === 'POST join') return await join(classes, req, res, code, address);
        if (route === 'GET me' || route === 'GET events') {
          const admission = await classes.admit(code, tokenOf(req, url), address);
          if (!admission.ok) return refuse(res, admission);
          const { classroom, member } = admission;
          if (route === 'GET me') return sendJson(res, 200, memberState(classroom, member));
          if (streamEvents(classes, res, classroom, member)) return;
          refusals.note(address, 'class event stream refused: too many for one member', {
            limit: 'ClassStreamsPerMember',
            class: code,
          });
          return sendJson(
            res,
            429,
            { error: 'this member has too many event streams open' },
            {
              'Retry-After': STREAM_RETRY_SECONDS,
            },
          );
        }
        if (route === 'GET students') {
          const listed = await classes.studentBoards(code, bearerOf(req), address);
          return listed.ok ? sendJson(res, 200, listed.value) : refuse(res, listed);
        }
        if (route === 'PUT presentation' || route === 'PUT mode') {
          return await teacherControl(classes, req, res, code, address, action, log);
        }
        if (['', 'join', 'me', 'events', 'presentation', 'mode', 'students'].includes(action)) {
          return sendJson(res, 405, { error: `${req.method} is not allowed here` });
        }
        return notFound(res);
      } catch (err) {
        if (err instanceof HttpError) {
          return sendJson(res, err.status, { error: err.message }, err.headers);
        }
        log.error({ err: (err as Error).message, path: url.pathname }, 'classroom request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'the hub could not answer' });
        else res.destroy();
      }
    },
  };
}

async function info(classes: ClassroomService, res: ServerResponse, code: string, address: string) {
  const classroom = await classes.lookUp(code, address);
  if (!classroom) return notFound(res);
  if ('status' in classroom) return refuse(res, classroom);
  const { title, joinOpen } = classroom;
  sendJson(res, 200, { code: classroom.code, title, joinOpen });
}

async function join(
  classes: ClassroomService,
  req: IncomingMessage,
  res: ServerResponse,
  code: string,
  address: string,
) {
  // Only JSON: a form on another site cannot send it without a CORS preflight we never allow.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return sendJson(res, 415, { error: 'send the name as JSON: {"name": "…"}' });
  }
  const body = await readJson(req, MAX_BODY_BYTES);
  const name =
    typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  // A browser that was in the class sends its old token: a removed member's has to ask.
  const joined = await classes.join(code, name, address, bearerOf(req));
  if (!joined.ok) return refuse(res, joined);
  const { member, token } = joined;
  const reply: JoinReply = {
    token,
    member: { id: member.id, name: member.name, role: member.role },
    board: `/board/${member.code}`,
    waiting: member.waiting,
  };
  sendJson(res, member.waiting ? 202 : 201, reply);
}

/** The teacher page's own controls: what it presents, and the board mode. */
async function teacherControl(
  classes: ClassroomService,
  req: IncomingMessage,
  res: ServerResponse,
  code: string,
  address: string,
  action: string,
  log: Logger,
) {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return sendJson(res, 415, { error: 'send JSON' });
  }
  const body = await readJson(req, MAX_CONTROL_BYTES).catch((err: Error) => {
    log.info({ class: code, remote: address, reason: err.message }, `class ${action} refused`);
    throw err;
  });
  const token = bearerOf(req);
  if (action === 'presentation') {
    const presented = await classes.present(code, token, address, body);
    return presented.ok ? sendJson(res, 200, presented.value) : refuse(res, presented);
  }
  const mode =
    typeof body === 'object' && body !== null ? (body as { mode?: unknown }).mode : undefined;
  const switched = await classes.setBoardMode(code, token, address, mode);
  if (!switched.ok) return refuse(res, switched);
  sendJson(res, 200, { mode: switched.value.boardMode });
}

/**
 * The member's state now and on every change, until removed or the hub stops;
 * false when the member holds too many streams already
 * (docs/protocols/classroom.md#limits).
 */
function streamEvents(
  classes: ClassroomService,
  res: ServerResponse,
  classroom: Classroom,
  member: Member,
): boolean {
  // Changes arrive from the bus, never before the stream below exists.
  const stop = classes.watch(classroom, member, (event) => deliver(stream, event));
  if (!stop) return false;
  const heartbeat = setInterval(() => stream.send(':\n\n'), HEARTBEAT_MS);
  const stream = new SseStream(res, MAX_QUEUED_BYTES, () => {
    clearInterval(heartbeat);
    stop();
  });
  deliver(stream, { state: memberState(classroom, member) });
  return true;
}

function deliver(stream: SseStream, event: Parameters<Watcher>[0]): void {
  if ('state' in event) return stream.send(formatEvent('state', JSON.stringify(event.state)));
  if ('removed' in event) {
    const removed: RemovedEvent = { reason: event.removed };
    stream.send(formatEvent('removed', JSON.stringify(removed)));
  }
  stream.end();
}

/** A refusal, with Retry-After when it is a limit. */
function refuse(res: ServerResponse, r: { status: number; reason: string; retryAfterMs?: number }) {
  const headers =
    r.retryAfterMs === undefined ? {} : { 'Retry-After': retryAfterSeconds(r.retryAfterMs) };
  sendJson(res, r.status, { error: r.reason }, headers);
}

/** `Authorization: Bearer <token>`, or `?token=` (EventSource cannot set headers). */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  return bearerOf(req) ?? url.searchParams.get('token') ?? undefined;
}

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function notFound(res: ServerResponse) {
  sendJson(res, 404, { error: 'there is no class with this code' });
}
