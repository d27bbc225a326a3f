// Puts the dashboard and its API on the hub, under AdminPath:
//   GET    <admin>/api/snapshot           server, sessions of every protocol, totals
//   GET    <admin>/api/events             SSE: stats every second, joins and leaves, log lines
//   GET    <admin>/api/history?range=     the chart's samples: 5m, 1h (per second), 24h (per minute)
//   GET    <admin>/api/logs?level=&q=&limit=
//   GET    <admin>/api/config             every setting: file value, running value, origin
//   PUT    <admin>/api/config             {values: {Key: "raw"}}: checked, then saved to the file
//   POST   <admin>/api/restart            apply the file: the hub restarts (clients get 1012)
//   POST   <admin>/api/sessions/<id>/kick <id> is `<protocol>:<room>`, URL-encoded
//   POST   <admin>/api/clients/<id>/kick
//   DELETE <admin>/api/documents/<id>     a Zwibbler document; its clients are closed
//   POST   <admin>/api/selftest           the hub fetches its own LAN URLs
//   POST   <admin>/api/login, logout, logout-everywhere: see login-routes.ts
//   …      <admin>/api/classes…           classes: see classes-api.ts
//   GET    <admin>/…                      the dashboard (renderer/dist)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TeacherMemberError } from '../classroom/service';
import { ConfigError } from '../config/load';
import { LoginThrottle } from '../auth/login-throttle';
import type { MountedProtocol } from '../hub/protocol';
import type { HttpTransport } from '../transport/http-server';
import { mountedAt } from '../transport/routes';
import { HISTORY_RANGES } from './api-types';
import type { HistoryRange, HistoryReply, RestartReply, SelftestReply } from './api-types';
import { checkApiCaller, checkCaller, hostName, ownHostNames } from './auth';
import type { AdminGuardOptions } from './auth';
import { CLASS_ROUTES } from './classes-api';
import { ConfigUpdateError, configView, saveConfig } from './config-api';
import type { ApiRoute } from './api-route';
import type { AdminContext } from './context';
import { openEventStream } from './events';
import { HttpError } from '../transport/reply';
import { readJson, sendJson } from './http';
import { LOGOUT_ROUTES, logIn } from './login-routes';
import { filterLogs, LogQueryError } from './logs';
import { selftest } from './selftest';
import { parseSessionId, snapshot } from './snapshot';
import { serveDashboard } from './static';

const API: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^snapshot$/,
    handle: async (ctx, _req, res) => sendJson(res, 200, await snapshot(ctx)),
  },
  { method: 'GET', pattern: /^events$/, handle: (ctx, _req, res) => openEventStream(ctx, res) },
  {
    method: 'GET',
    pattern: /^history$/,
    handle: (ctx, _req, res, url) => {
      const range = url.searchParams.get('range') ?? '1h';
      if (!(HISTORY_RANGES as readonly string[]).includes(range)) {
        return sendJson(res, 400, { error: `range must be one of ${HISTORY_RANGES.join(', ')}` });
      }
      const reply: HistoryReply = {
        range: range as HistoryRange,
        ...ctx.history.range(range as HistoryRange),
      };
      sendJson(res, 200, reply);
    },
  },
  {
    method: 'GET',
    pattern: /^logs$/,
    handle: (ctx, _req, res, url) => {
      const q = url.searchParams;
      const query = { level: q.get('level'), q: q.get('q'), limit: q.get('limit') };
      sendJson(res, 200, { lines: filterLogs(ctx.logs.recent(), query) });
    },
  },
  {
    method: 'GET',
    pattern: /^config$/,
    handle: (ctx, _req, res) => sendJson(res, 200, configView(ctx.config, ctx.host)),
  },
  {
    method: 'PUT',
    pattern: /^config$/,
    handle: async (ctx, req, res) => {
      const body = (await readJson(req)) as { values?: unknown } | null;
      const reply = saveConfig(ctx.host, body?.values);
      ctx.log.info({ keys: Object.keys(body?.values ?? {}), file: reply.file }, 'config saved');
      sendJson(res, 200, reply);
    },
  },
  { method: 'POST', pattern: /^restart$/, handle: restart },
  {
    method: 'POST',
    pattern: /^sessions\/([^/]+)\/kick$/,
    handle: (ctx, _req, res, _url, id) => {
      const session = parseSessionId(id);
      const kicked = session
        ? ctx.registry.kickRoom(session.protocol, session.room, 'removed from the dashboard')
        : 0;
      ctx.log.info({ session: id, kicked }, 'session kicked from the dashboard');
      sendJson(res, kicked > 0 ? 200 : 404, { kicked });
    },
  },
  {
    method: 'POST',
    pattern: /^clients\/([^/]+)\/kick$/,
    handle: (ctx, _req, res, _url, id) => {
      const kicked = ctx.registry.kick(id, 'removed from the dashboard');
      ctx.log.info({ client: id, kicked }, 'client kicked from the dashboard');
      sendJson(res, kicked ? 200 : 404, { kicked: kicked ? 1 : 0 });
    },
  },
  {
    method: 'DELETE',
    pattern: /^documents\/([^/]+)$/,
    handle: async (ctx, _req, res, _url, id) => {
      const deleted = await ctx.deleteDocument(id);
      ctx.log.info({ document: id, deleted }, 'document deleted from the dashboard');
      sendJson(res, deleted ? 200 : 404, { deleted });
    },
  },
  {
    method: 'POST',
    pattern: /^selftest$/,
    handle: async (ctx, _req, res) => {
      const join = await ctx.joinInfo();
      const reply: SelftestReply = {
        results: await selftest(join.urls),
        lanClientSeen: ctx.lanClientSeen(),
      };
      sendJson(res, 200, reply);
    },
  },
  ...CLASS_ROUTES,
  ...LOGOUT_ROUTES,
];

/** Answers first, then restarts: the restart closes this very connection. */
async function restart(ctx: AdminContext, req: IncomingMessage, res: ServerResponse) {
  const host = ctx.host;
  if (!host.restart) {
    return sendJson(res, 501, { error: 'this host cannot restart the hub; restart it yourself' });
  }
  let next;
  try {
    next = host.check().config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return sendJson(res, 400, { error: err.message, errors: { config: err.message } });
  }
  const current = ctx.server();
  const tls = Boolean(next.CertFile);
  const port = next.ServerPort === 0 ? 0 : next.ServerPort;
  const seenAs = hostName(req.headers.host ?? '127.0.0.1');
  const host6 = seenAs.includes(':') ? `[${seenAs}]` : seenAs;
  const reply: RestartReply = {
    restarting: true,
    port,
    tls,
    portChanged: next.ServerPort !== ctx.config.ServerPort,
    tlsChanged: tls !== current.tls,
    url: `${tls ? 'https' : 'http'}://${host6}:${port || current.address.port}${next.AdminPath.replace(/\/+$/, '')}/`,
  };
  ctx.log.info({ port, tls }, 'restart requested from the dashboard');
  // `Connection: close`, and the restart only once this socket has closed: the
  // restart drops every connection, and a reset could lose this answer in flight.
  res.setHeader('Connection', 'close');
  res.once('close', () => {
    setTimeout(() => {
      host.restart!().catch((err: Error) => ctx.log.error({ err: err.message }, 'restart failed'));
    }, 50);
  });
  sendJson(res, 202, reply);
}

export function addAdminRoutes(transport: HttpTransport, ctx: AdminContext): MountedProtocol {
  const prefix = ctx.config.AdminPath.replace(/\/+$/, '');
  const guard: AdminGuardOptions = {
    token: ctx.token,
    allowRemote: ctx.config.AdminAllowRemote,
    ownNames: ownHostNames(),
    throttle: new LoginThrottle(
      ctx.config.LoginFailureLimit,
      ctx.config.LoginLockoutSeconds * 1000,
    ),
    cookies: ctx.cookies,
  };
  transport.addRoute({
    name: 'admin',
    path: mountedAt(`${prefix}/`),
    async handle(req, res, url) {
      const apiPath = url.pathname.startsWith(`${prefix}/api/`)
        ? url.pathname.slice(prefix.length + 5)
        : undefined;
      const open = apiPath === undefined || apiPath === 'login';
      const refused = open ? checkCaller(req, guard) : checkApiCaller(req, guard);
      if (refused) {
        const remote = req.socket.remoteAddress;
        if (refused.status !== 401) ctx.log.info({ remote, status: refused.status }, refused.error);
        return sendJson(res, refused.status, { error: refused.error });
      }
      if (apiPath === 'login') return loginOrError(ctx, guard, req, res);
      if (url.pathname === prefix) {
        res.writeHead(308, { Location: `${prefix}/${url.search}` });
        res.end();
        return;
      }
      if (apiPath === undefined) {
        return serveDashboard(ctx.dashboardDir, url.pathname.slice(prefix.length + 1), req, res);
      }
      return api(ctx, apiPath, req, res, url);
    },
  });
  ctx.history.start();
  return { stop: async () => ctx.history.stop() };
}

async function loginOrError(
  ctx: AdminContext,
  guard: AdminGuardOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    await logIn(ctx, guard, req, res);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendJson(res, err.status, { error: err.message }, err.headers);
  }
}

async function api(
  ctx: AdminContext,
  apiPath: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const matching = API.filter((r) => r.pattern.test(apiPath));
  const route = matching.find((r) => r.method === req.method);
  if (!route) {
    if (matching.length === 0) return sendJson(res, 404, { error: 'no such admin endpoint' });
    res.setHeader('Allow', matching.map((r) => r.method).join(', '));
    return sendJson(res, 405, { error: `use ${matching.map((r) => r.method).join(' or ')}` });
  }
  let params: string[];
  try {
    params = (route.pattern.exec(apiPath) ?? []).slice(1).map((p) => decodeURIComponent(p ?? ''));
  } catch {
    return sendJson(res, 400, { error: 'bad percent-encoding in the path' });
  }
  try {
    await route.handle(ctx, req, res, url, params[0] ?? '', params);
  } catch (err) {
    if (err instanceof ConfigUpdateError) {
      return sendJson(res, 400, { error: err.message, errors: err.errors });
    }
    if (err instanceof HttpError) {
      return sendJson(res, err.status, { error: err.message }, err.headers);
    }
    if (err instanceof LogQueryError) return sendJson(res, 400, { error: err.message });
    if (err instanceof TeacherMemberError) return sendJson(res, 409, { error: err.message });
    throw err;
  }
}
