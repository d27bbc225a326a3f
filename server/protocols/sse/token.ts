// Tokens for the SSE/HTTP WebRTC signaling (docs/protocols/sse.md#tokens):
// HS256 JWTs carrying the peer's id and username, as the original's
// `POST /access` hands out. The key is RtcTokenKey, or a random one kept in
// `<DataDir>/rtc-token.key` (mode 0600) so tokens survive a restart. The file
// is touched only when the first token is issued or checked, so a hub that
// never serves signaling writes nothing.
import path from 'node:path';
import { loadJose } from '../../auth/jose';
import { loadOrCreateSecret } from '../../config/secret-file';
import type { Logger } from '../../log/logger';

/** A peer as the original's events show it: the token's payload. */
export interface RtcUser {
  id: string;
  username: string;
  /** Unix seconds. */
  iat: number;
  /** Unix seconds. */
  exp: number;
}

/** Tells our tokens apart from other JWTs signed with the same key (JWTKey, say). */
const AUDIENCE = 'lanboard-rtc';
export const KEY_FILE = 'rtc-token.key';

export interface RtcTokenOptions {
  /** RtcTokenKey; empty to use the key file. */
  key: string;
  dataDir: string;
  lifetimeSeconds: number;
  now: () => number;
  log: Logger;
}

export class RtcTokens {
  private keyBytes: Uint8Array | undefined;

  constructor(private readonly o: RtcTokenOptions) {}

  get lifetimeSeconds(): number {
    return this.o.lifetimeSeconds;
  }

  async issue(id: string, username: string): Promise<{ token: string; user: RtcUser }> {
    const iat = Math.floor(this.o.now() / 1000);
    const exp = iat + this.o.lifetimeSeconds;
    const { SignJWT } = await loadJose();
    const token = await new SignJWT({ id, username })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setAudience(AUDIENCE)
      .sign(this.key());
    return { token, user: { id, username, iat, exp } };
  }

  /** The token's peer, or undefined when it is malformed, forged or expired. */
  async verify(token: string): Promise<RtcUser | undefined> {
    const { jwtVerify } = await loadJose();
    try {
      const { payload } = await jwtVerify(token, this.key(), {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['exp', 'iat'],
        currentDate: new Date(this.o.now()),
      });
      const { id, username, iat, exp } = payload as Record<string, unknown>;
      if (typeof id !== 'string' || typeof username !== 'string') return undefined;
      return { id, username, iat: iat as number, exp: exp as number };
    } catch {
      return undefined;
    }
  }

  private key(): Uint8Array {
    this.keyBytes ??= Buffer.from(
      this.o.key || loadOrCreateKey(path.join(this.o.dataDir, KEY_FILE), this.o.log),
      'utf8',
    );
    return this.keyBytes;
  }
}

/** Reads the key file, creating it (0600, random) when it is missing or empty. */
export function loadOrCreateKey(file: string, log: Logger): string {
  return loadOrCreateSecret(file, log, 'the signaling token key');
}
