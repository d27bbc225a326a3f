// Logging in and out of the dashboard:
//   POST <admin>/api/login               {token}: sets the login cookie (no bearer needed)
//   POST <admin>/api/logout              removes this browser's cookie
//   POST <admin>/api/logout-everywhere   every cookie issued so far stops working
// Login takes JSON only and, when the browser names an origin, this one: another
// site can neither log a teacher in nor out behind their back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from '../auth/basic-auth';
import { normalizeAddress } from '../transport/address';
import type { ApiRoute } from './api-route';
import { crossSiteRefusal, isLoopbackAddress, isJson } from './auth';
import type { AdminGuardOptions } from './auth';
import type { AdminContext } from './context';
import { readJson, sendJson } from './http';

export async function logIn(
  ctx: AdminContext,
  guard: AdminGuardOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const remote = normalizeAddress(req.socket.remoteAddress);
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return sendJson(res, 405, { error: 'use POST' });
  }
  const refused = req.headers.origin ? crossSiteRefusal(req) : undefined;
  if (refused) {
    ctx.log.info({ remote, status: refused.status }, `login refused: ${refused.error}`);
    return sendJson(res, refused.status, { error: refused.error });
  }
  if (!isJson(req)) return sendJson(res, 415, { error: 'send {"token": "…"} as application/json' });
  const local = isLoopbackAddress(remote);
  if (!local && guard.throttle.retryAfterMs(remote) > 0) {
    return sendJson(res, 429, { error: 'too many wrong tokens; try again later' });
  }
  const body = (await readJson(req)) as { token?: unknown } | null;
  const token = typeof body?.token === 'string' ? body.token.trim() : '';
  if (token === '' || !sameSecret(token, ctx.token())) {
    if (!local) guard.throttle.failure(remote);
    ctx.log.info({ remote }, 'dashboard login refused: wrong admin token');
    return sendJson(res, 401, {
      error: token === '' ? 'admin token required' : 'wrong admin token',
    });
  }
  if (!local) guard.throttle.success(remote);
  ctx.log.info({ remote }, 'dashboard login');
  sendJson(res, 200, { loggedIn: true }, { 'Set-Cookie': ctx.cookies.issue(token, isTls(ctx)) });
}

const isTls = (ctx: AdminContext) => ctx.server().tls;

export const LOGOUT_ROUTES: ApiRoute[] = [
  {
    method: 'POST',
    pattern: /^logout$/,
    handle: (ctx, _req, res) =>
      sendJson(res, 200, { loggedIn: false }, { 'Set-Cookie': ctx.cookies.clear(isTls(ctx)) }),
  },
  {
    method: 'POST',
    pattern: /^logout-everywhere$/,
    handle: (ctx, req, res) => {
      ctx.cookies.revokeAll();
      ctx.log.info({ remote: normalizeAddress(req.socket.remoteAddress) }, 'logged out everywhere');
      sendJson(res, 200, { loggedIn: false }, { 'Set-Cookie': ctx.cookies.clear(isTls(ctx)) });
    },
  },
];
