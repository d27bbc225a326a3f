// Class codes, member IDs and tokens. What a code looks like is in
// api-types.ts (the board page shares it); a token is a bearer secret, so
// only its hash is ever stored.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { CODE_ALPHABET, CODE_LENGTH } from './api-types';

export { CODE_ALPHABET, CODE_LENGTH, isClassCode, normalizeClassCode } from './api-types';

export function newClassCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export function newMemberId(): string {
  return randomBytes(9).toString('base64url');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type TextCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Student names (required, up to 40) and class titles (optional, up to 80). */
export const checkMemberName = (raw: unknown): TextCheck => checkText(raw, 'name', 40, true);
export const checkClassTitle = (raw: unknown): TextCheck =>
  raw === undefined ? { ok: true, text: '' } : checkText(raw, 'title', 80, false);

/** Trimmed, spaces collapsed, no control or format characters (they hide text in lists). */
function checkText(raw: unknown, what: string, max: number, required: boolean): TextCheck {
  if (typeof raw !== 'string') return { ok: false, reason: `${what} must be a string` };
  const text = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (required && text.length === 0) return { ok: false, reason: `a ${what} is required` };
  if ([...text].length > max)
    return { ok: false, reason: `a ${what} has at most ${max} characters` };
  if (/\p{Cc}|\p{Cf}/u.test(text)) {
    return { ok: false, reason: `a ${what} cannot hold control characters` };
  }
  return { ok: true, text };
}
