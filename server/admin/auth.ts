// Who may use the dashboard's API
// (docs/architecture.md#the-dashboard-talks-to-the-hub-over-http). Three checks, in order:
// the Host header (a DNS-rebinding page sends its own host name), the caller's
// address (loopback only unless AdminAllowRemote), then the bearer token or the
// login cookie. A cookie alone never changes anything from another site: it is
// SameSite=Strict, and a request that changes something must also come from
// this very origin with a JSON body type, which no form or plain link can send.
import { isIP } from 'node:net';
import os from 'node:os';
import type { IncomingMessage } from 'node:http';
import { sameSecret } from '../auth/basic-auth';
import type { LoginThrottle } from '../auth/login-throttle';
import { normalizeAddress } from '../transport/address';
import type { LoginCookies } from './login-cookie';

export function isLoopbackAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The host part of a Host header, lowercased, without port or IPv6 brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** This machine's own names, which a rebinding attacker's domain cannot be. */
export function ownHostNames(hostname = os.hostname()): Set<string> {
  const name = hostname.toLowerCase();
  const short = name.split('.')[0]!;
  return new Set([name, short, `${short}.local`]);
}

/**
 * A Host that no attacker-controlled DNS name can produce: an IP literal,
 * `localhost` (and `*.localhost`, which browsers resolve to loopback
 * themselves), or one of this machine's names.
 */
export function hostAllowed(header: string | undefined, ownNames: ReadonlySet<string>): boolean {
  if (!header) return false;
  const host = hostName(header);
  if (host === '') return false;
  if (isIP(host) !== 0) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return ownNames.has(host.replace(/\.$/, ''));
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export interface AdminGuardOptions {
  /** Read on each request: the token file is created only when first needed. */
  token: () => string;
  allowRemote: boolean;
  ownNames: ReadonlySet<string>;
  /** Failed tokens from other machines (only reachable with AdminAllowRemote). */
  throttle: LoginThrottle;
  cookies: LoginCookies;
}

export interface Refusal {
  status: 401 | 403 | 415 | 429;
  error: string;
}

/** The network checks every admin path gets, the static dashboard included. */
export function checkCaller(req: IncomingMessage, o: AdminGuardOptions): Refusal | undefined {
  if (!hostAllowed(req.headers.host, o.ownNames)) {
    return { status: 403, error: 'Host header not allowed (DNS rebinding guard)' };
  }
  const remote = normalizeAddress(req.socket.remoteAddress);
  if (!o.allowRemote && !isLoopbackAddress(remote)) {
    return { status: 403, error: 'the admin API answers this computer only (AdminAllowRemote=0)' };
  }
  return undefined;
}

/** Reading is always safe; a change with a cookie must come from the page's own origin, as JSON. */
export function crossSiteRefusal(req: IncomingMessage): Refusal | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const origin = req.headers.origin;
  let originHost: string | undefined;
  try {
    originHost = origin ? new URL(origin).host : undefined;
  } catch {
    originHost = undefined;
  }
  if (originHost === undefined || originHost !== (req.headers.host ?? '').toLowerCase()) {
    return {
      status: 403,
      error: 'a change with the login cookie must come from the dashboard itself',
    };
  }
  if (!isJson(req)) return { status: 415, error: 'send the request as application/json' };
  return undefined;
}

export function isJson(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

/** checkCaller, then the bearer token or the login cookie. */
export function checkApiCaller(req: IncomingMessage, o: AdminGuardOptions): Refusal | undefined {
  const refused = checkCaller(req, o);
  if (refused) return refused;
  const remote = normalizeAddress(req.socket.remoteAddress);
  const local = isLoopbackAddress(remote);
  const waitMs = local ? 0 : o.throttle.retryAfterMs(remote);
  if (waitMs > 0) return { status: 429, error: 'too many wrong tokens; try again later' };
  const given = bearerToken(req.headers.authorization);
  if (given !== undefined && sameSecret(given, o.token())) {
    if (!local) o.throttle.success(remote);
    return undefined;
  }
  if (given === undefined && o.cookies.accepts(req, o.token())) return crossSiteRefusal(req);
  if (!local) o.throttle.failure(remote);
  return { status: 401, error: given === undefined ? 'admin token required' : 'wrong admin token' };
}
