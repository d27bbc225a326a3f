// PINs and tokens of the workspaces signaling server
// (docs/protocols/workspaces.md#tokens, docs/protocols/workspaces.md#pins).
//
// The original's shapes are kept: the invite is a JWT `{id, singningToken}` and an
// attendee's access token `{id, owner, singningToken}`. What changes is what
// backs them. Each workspace has its own random HS256 key, kept with it in the
// store, so destroying (or expiring) a workspace revokes every token it issued,
// and a workspace created again under the same ID refuses the old ones. No key
// file or config key is needed, and a copy of the database carries its keys.
// `singningToken` is an HMAC under that key of what the token is for (the
// invite, or one attendee), compared in constant time. The PIN is not in the
// invite (the original put a bcrypt of it there, open to offline guessing): it
// is stored as a salted scrypt hash only. Access tokens expire.
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { loadJose } from '../../auth/jose';

/** How long an access token lasts; attending or re-attending issues a fresh one. */
export const ACCESS_TOKEN_SECONDS = 30 * 86_400;

const SCRYPT_KEY_BYTES = 32;
/** 2^14: about 16 MiB and a few tens of milliseconds per PIN check. */
const SCRYPT_OPTIONS = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export interface PinHash {
  salt: Uint8Array;
  hash: Uint8Array;
}

function scryptAsync(pin: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, SCRYPT_KEY_BYTES, SCRYPT_OPTIONS, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A fresh salt per workspace; an empty PIN is hashed like any other. */
export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(16);
  return { salt, hash: await scryptAsync(pin, salt) };
}

export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const candidate = await scryptAsync(pin, stored.salt);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

export function newTokenKey(): Uint8Array {
  return randomBytes(32);
}

export interface TokenSubject {
  id: string;
  owner: string;
  tokenKey: Uint8Array;
}

const binding = (key: Uint8Array, purpose: string): string =>
  createHmac('sha256', key).update(purpose).digest('base64url');

const INVITE = 'invite';
const attendeePurpose = (attendeeId: string) => `attendee:${attendeeId}`;

function sameText(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The shareable invite. It never expires; it dies with its workspace. */
export async function issueInvite(w: TokenSubject): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT({ id: w.id, singningToken: binding(w.tokenKey, INVITE) })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(w.tokenKey);
}

export async function issueAccessToken(
  w: TokenSubject,
  attendeeId: string,
  nowMs: number,
): Promise<string> {
  const { SignJWT } = await loadJose();
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({
    id: w.id,
    owner: w.owner,
    singningToken: binding(w.tokenKey, attendeePurpose(attendeeId)),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
    .sign(w.tokenKey);
}

/**
 * The workspace a token names, read before its signature can be checked
 * (the key is the workspace's). Undefined for anything that is not a JWT.
 */
export async function tokenWorkspaceId(token: string): Promise<string | undefined> {
  const { decodeJwt } = await loadJose();
  try {
    const { id } = decodeJwt(token);
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

async function verified(
  token: string,
  key: Uint8Array,
  nowMs: number,
  requiredClaims: string[],
): Promise<Record<string, unknown> | 'expired' | 'invalid'> {
  const { jwtVerify } = await loadJose();
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      currentDate: new Date(nowMs),
      requiredClaims,
    });
    return payload;
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid';
  }
}

export async function checkInvite(token: string, w: TokenSubject, nowMs: number): Promise<boolean> {
  const payload = await verified(token, w.tokenKey, nowMs, []);
  if (typeof payload === 'string') return false;
  return payload.id === w.id && sameText(payload.singningToken, binding(w.tokenKey, INVITE));
}

export type AccessCheck = 'ok' | 'expired' | 'invalid';

/** Is this the access token of `attendeeId` in this very workspace, and still valid? */
export async function checkAccessToken(
  token: string,
  w: TokenSubject,
  attendeeId: string,
  nowMs: number,
): Promise<AccessCheck> {
  const payload = await verified(token, w.tokenKey, nowMs, ['exp']);
  if (typeof payload === 'string') return payload;
  const ok =
    payload.id === w.id &&
    payload.owner === w.owner &&
    sameText(payload.singningToken, binding(w.tokenKey, attendeePurpose(attendeeId)));
  return ok ? 'ok' : 'invalid';
}
