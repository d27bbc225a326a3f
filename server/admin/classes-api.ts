// The dashboard's class controls (shapes and paths in api-types.ts): every
// change goes through the ClassroomService, which stores it and applies it
// live to the class's boards on every hub.
import type { IncomingMessage } from 'node:http';
import type { Classroom, Member } from '../store/class-store';
import { checkClassTitle } from '../classroom/codes';
import { qrSvg } from '../discovery/qr-code';
import type { ApiRoute } from './api-route';
import type { ClassDetail, ClassPatch, ClassSummary, MemberView } from './api-types';
import type { AdminContext } from './context';
import { HttpError } from '../transport/reply';
import { readJson, sendJson } from './http';

const CODE = '([^/]+)';

export const CLASS_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^classes$/,
    async handle(ctx, _req, res) {
      const classes = await ctx.classes.list();
      const summaries = await Promise.all(classes.map((c) => summary(ctx, c)));
      sendJson(res, 200, { classes: summaries.map((s) => s.summary) });
    },
  },
  {
    method: 'POST',
    pattern: /^classes$/,
    async handle(ctx, req, res) {
      const body = await readObject(req);
      const title = checkClassTitle(body.title);
      if (!title.ok) throw new HttpError(400, title.reason);
      const classroom = await ctx.classes.create(title.text);
      sendJson(res, 201, await detail(ctx, req, classroom));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^classes/${CODE}$`),
    async handle(ctx, req, res, _url, code) {
      sendJson(res, 200, await detail(ctx, req, await classOf(ctx, code)));
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^classes/${CODE}$`),
    async handle(ctx, req, res, _url, code) {
      const patch = classPatch(await readObject(req));
      const updated = await ctx.classes.update((await classOf(ctx, code)).code, patch);
      if (!updated) throw new HttpError(404, 'there is no class with this code');
      sendJson(res, 200, await detail(ctx, req, updated));
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^classes/${CODE}$`),
    async handle(ctx, _req, res, _url, code) {
      const deleted = await ctx.classes.delete((await classOf(ctx, code)).code);
      sendJson(res, deleted ? 200 : 404, { deleted });
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^classes/${CODE}/members/([^/]+)$`),
    async handle(ctx, req, res, _url, code, [, id = '']) {
      const body = await readObject(req);
      if (typeof body.viewOnly !== 'boolean')
        throw new HttpError(400, 'viewOnly must be true or false');
      const classroom = await classOf(ctx, code);
      const member = await ctx.classes.setMemberViewOnly(classroom.code, id, body.viewOnly);
      if (!member) throw new HttpError(404, 'there is no such member in this class');
      sendJson(res, 200, memberView(member, ctx.classes.online(classroom.code)));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^classes/${CODE}/members/([^/]+)/kick$`),
    async handle(ctx, _req, res, _url, code, [, id = '']) {
      const classroom = await classOf(ctx, code);
      const connections = ctx.classes.online(classroom.code).get(id) ?? 0;
      const member = await ctx.classes.kick(classroom.code, id);
      if (!member) throw new HttpError(404, 'there is no such member in this class');
      sendJson(res, 200, { kicked: connections });
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^classes/${CODE}/members/([^/]+)/let-in$`),
    async handle(ctx, _req, res, _url, code, [, id = '']) {
      const classroom = await classOf(ctx, code);
      const member = await ctx.classes.letIn(classroom.code, id);
      if (!member) throw new HttpError(404, 'there is no such member in this class');
      sendJson(res, 200, memberView(member, ctx.classes.online(classroom.code)));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^classes/${CODE}/clear$`),
    async handle(ctx, _req, res, _url, code) {
      const cleared = await ctx.classes.clear((await classOf(ctx, code)).code);
      sendJson(res, 200, { cleared });
    },
  },
];

async function classOf(ctx: AdminContext, code: string): Promise<Classroom> {
  const classroom = await ctx.classes.find(code);
  if (!classroom) throw new HttpError(404, 'there is no class with this code');
  return classroom;
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The class's switches a PATCH may set. */
const SWITCHES = ['viewOnly', 'locked', 'joinOpen', 'chatOpen'] as const;

function classPatch(body: Record<string, unknown>): ClassPatch {
  const patch: ClassPatch = {};
  for (const key of SWITCHES) {
    if (body[key] === undefined) continue;
    if (typeof body[key] !== 'boolean') throw new HttpError(400, `${key} must be true or false`);
    patch[key] = body[key];
  }
  if (body.title !== undefined) {
    const title = checkClassTitle(body.title);
    if (!title.ok) throw new HttpError(400, title.reason);
    patch.title = title.text;
  }
  if (body.boardMode !== undefined) {
    if (body.boardMode !== 'shared' && body.boardMode !== 'own') {
      throw new HttpError(400, 'boardMode must be "shared" or "own"');
    }
    patch.boardMode = body.boardMode;
  }
  const unknown = Object.keys(body).filter(
    (k) => k !== 'title' && k !== 'boardMode' && !(SWITCHES as readonly string[]).includes(k),
  );
  if (unknown.length > 0) throw new HttpError(400, `unknown field: ${unknown.join(', ')}`);
  return patch;
}

function memberView(member: Member, online: Map<string, number>): MemberView {
  const { id, name, role, viewOnly, removed, waiting, joinedAt } = member;
  return { id, name, role, viewOnly, removed, waiting, joinedAt, online: online.get(id) ?? 0 };
}

async function summary(ctx: AdminContext, classroom: Classroom) {
  const members = await ctx.classes.members(classroom.code);
  const online = ctx.classes.online(classroom.code);
  const { code, title, createdAt, lastAccess, viewOnly, locked, joinOpen, chatOpen, boardMode } =
    classroom;
  const summary: ClassSummary = {
    code,
    title,
    createdAt,
    lastAccess,
    viewOnly,
    locked,
    joinOpen,
    chatOpen,
    boardMode,
    students: members.filter((m) => m.role === 'student' && !m.removed && !m.waiting).length,
    online: [...online.values()].reduce((a, b) => a + b, 0),
  };
  return { summary, members: members.map((m) => memberView(m, online)) };
}

async function detail(
  ctx: AdminContext,
  req: IncomingMessage,
  classroom: Classroom,
): Promise<ClassDetail> {
  const { summary: s, members } = await summary(ctx, classroom);
  const join = await ctx.joinInfo();
  const board = `board/${classroom.code}`;
  const url = `${join.preferredUrl}${board}`;
  // The teacher opens the board where they reached the dashboard (this computer, usually).
  const scheme = ctx.server().tls ? 'https' : 'http';
  const here = `${scheme}://${req.headers.host ?? `127.0.0.1:${ctx.server().address.port}`}`;
  return {
    ...s,
    members,
    join: {
      url,
      urls: join.urls.map((u) => `${u}${board}`),
      qrSvg: await qrSvg(url),
    },
    teacherUrl: `${here}/${board}#token=${encodeURIComponent(classroom.teacherToken)}`,
  };
}
