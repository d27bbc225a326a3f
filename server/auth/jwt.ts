// JWT mode (docs/protocols/zwibbler.md#jwt-mode) with jose. Only the HMAC family
// is accepted, `exp` is required, clock skew is bounded, and errors sent to
// clients are our own short texts: the reference echoes the parser's internals
// (docs/protocols/zwibbler.md#jwt-errors-are-short-texts-and-clocks-may-drift).
// A failure is neutral (denied or invalid); each protocol maps it to its own error.
import type { errors as JoseErrors } from 'jose';
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import { parsePermissions } from '../hub/permissions';
import type { Permissions } from '../hub/permissions';
import { loadJose } from './jose';

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/** What a valid token grants: the claims `sub`, `u` and `p`. */
export interface JwtGrant {
  /** `sub`: the document or room the token opens. */
  room: string;
  userId: string;
  permissions: Permissions;
}

export type JwtResult =
  | { ok: true; grant: JwtGrant }
  /**
   * `denied`: expired, no `exp`, or a wrong signature (what the reference calls
   * access denied); `invalid`: anything else wrong with the token.
   */
  | { ok: false; failure: 'denied' | 'invalid'; text: string };

export interface JwtVerifier {
  verify(token: string): Promise<JwtResult>;
}

/** The HMAC key's bytes: the key string itself, or its base64 decoding (JWTKeyIsBase64). */
export function jwtKeyBytes(key: string, isBase64: boolean): Uint8Array {
  if (!isBase64) return Buffer.from(key, 'utf8');
  const trimmed = key.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new ConfigError(
      'JWTKey=(hidden) is not valid: expected standard padded base64 (JWTKeyIsBase64=1)',
    );
  }
  return Buffer.from(trimmed, 'base64');
}

const denied = (): JwtResult => ({ ok: false, failure: 'denied', text: 'access denied' });
const invalid = (text: string): JwtResult => ({ ok: false, failure: 'invalid', text });

export function createJwtVerifier(
  key: Uint8Array,
  clockSkewSeconds: number,
  now: () => number = Date.now,
): JwtVerifier {
  return {
    async verify(token) {
      const { errors, jwtVerify } = await loadJose();
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: HMAC_ALGORITHMS,
          clockTolerance: clockSkewSeconds,
          requiredClaims: ['exp'],
          currentDate: new Date(now()),
        }));
      } catch (err) {
        return describeFailure(err, errors);
      }
      // A token issued in the future is refused, as the reference does (jose only checks iat's type).
      if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + clockSkewSeconds) {
        return invalid('token used before issued');
      }
      const { sub, u, p } = payload as { sub?: unknown; u?: unknown; p?: unknown };
      if (typeof sub !== 'string') return invalid('token has no document (sub)');
      if (
        (u !== undefined && typeof u !== 'string') ||
        (p !== undefined && typeof p !== 'string')
      ) {
        return invalid('token claims u and p must be strings');
      }
      return {
        ok: true,
        grant: { room: sub, userId: u ?? '', permissions: parsePermissions(p ?? '') },
      };
    },
  };
}

function describeFailure(err: unknown, errors: typeof JoseErrors): JwtResult {
  // Expired, missing exp and a wrong signature are "access denied", as in the reference.
  if (err instanceof errors.JWTExpired || err instanceof errors.JWSSignatureVerificationFailed) {
    return denied();
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp')
      return err.reason === 'missing' ? denied() : invalid('token exp must be a number');
    if (err.claim === 'nbf') return invalid('token is not valid yet');
    if (err.claim === 'iat') return invalid('token used before issued');
    return invalid(`token claim ${err.claim} is not valid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return invalid('unexpected signing method');
  }
  return invalid('malformed token');
}

/** The verifier JWT mode uses, or undefined in open mode; a bad JWTKey is a ConfigError. */
export function configuredJwtVerifier(
  config: HubConfig,
  now: () => number,
): JwtVerifier | undefined {
  return config.JWTKey
    ? createJwtVerifier(
        jwtKeyBytes(config.JWTKey, config.JWTKeyIsBase64),
        config.JWTClockSkewSeconds,
        now,
      )
    : undefined;
}
