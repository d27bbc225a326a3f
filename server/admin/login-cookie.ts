// The dashboard's login cookie (docs/admin-api.md#logging-in): the admin token,
// exchanged once, becomes an HttpOnly, SameSite=Strict cookie under AdminPath.
// Its value is an issue time and an HMAC over that time and the token's hash,
// keyed by a per-hub session secret: a new token invalidates every cookie, and
// "log out everywhere" replaces the secret. Nothing per login is stored.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { sameSecret } from '../auth/basic-auth';
import { loadOrCreateSecret } from '../config/secret-file';
import type { Logger } from '../log/logger';

export const ADMIN_SESSIONS_FILE = 'admin-sessions';

/** How long a login lasts without being renewed. */
export const LOGIN_DAYS = 90;
const LOGIN_SECONDS = LOGIN_DAYS * 24 * 3600;

export interface LoginCookieOptions {
  /** Tells this hub's cookie from another hub's on the same host (cookies ignore ports). */
  hubId: string;
  /** `<DataDir>/admin-sessions` (0600); undefined keeps the secret in memory (Database=memory). */
  file: string | undefined;
  /** The cookie's Path: AdminPath with its trailing slash. */
  path: string;
  log: Logger;
  now?: () => number;
}

export class LoginCookies {
  readonly name: string;
  private secret: string | undefined;
  private readonly now: () => number;

  constructor(private readonly o: LoginCookieOptions) {
    this.name = `lanboard-admin-${o.hubId}`;
    this.now = o.now ?? Date.now;
  }

  /** The Set-Cookie header for a login with `token`. */
  issue(token: string, secure: boolean): string {
    const issued = Math.floor(this.now() / 1000);
    return this.header(`${issued}.${this.mac(issued, token)}`, LOGIN_SECONDS, secure);
  }

  /** The Set-Cookie header that removes this browser's cookie. */
  clear(secure: boolean): string {
    return this.header('', 0, secure);
  }

  /** Whether the request carries a cookie this hub issued for `token`, not yet expired or revoked. */
  accepts(req: IncomingMessage, token: string): boolean {
    const value = cookieValue(req.headers.cookie, this.name);
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!m) return false;
    const issued = Number(m[1]);
    const age = this.now() / 1000 - issued;
    if (age < -60 || age > LOGIN_SECONDS) return false;
    return sameSecret(m[2]!, this.mac(issued, token));
  }

  /** Every cookie issued so far stops working, in every browser. */
  revokeAll(): void {
    const fresh = randomBytes(32).toString('base64url');
    if (this.o.file) {
      // Written beside, then renamed: a crash never leaves an empty secret.
      const tmp = `${this.o.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${fresh}\n`, { mode: 0o600 });
      fs.renameSync(tmp, this.o.file);
    }
    this.secret = fresh;
  }

  private key(): string {
    if (this.secret === undefined) {
      this.secret = this.o.file
        ? loadOrCreateSecret(this.o.file, this.o.log, 'a dashboard session secret')
        : randomBytes(32).toString('base64url');
    }
    return this.secret;
  }

  private mac(issued: number, token: string): string {
    const tokenHash = createHash('sha256').update(token).digest('base64url');
    return createHmac('sha256', this.key()).update(`${issued}.${tokenHash}`).digest('base64url');
  }

  private header(value: string, maxAge: number, secure: boolean): string {
    const parts = [
      `${this.name}=${value}`,
      `Path=${this.o.path}`,
      `Max-Age=${maxAge}`,
      'HttpOnly',
      'SameSite=Strict',
    ];
    if (secure) parts.push('Secure');
    return parts.join('; ');
  }
}

/** One cookie's value from a Cookie header; undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Where a hub keeps its session secret, beside the admin token. */
export function sessionsFile(dataDir: string, database: string): string | undefined {
  return database === 'memory' ? undefined : path.join(dataDir, ADMIN_SESSIONS_FILE);
}
