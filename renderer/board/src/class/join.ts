// Joining a class from this device: the name a student may use, what the hub's
// refusals mean in a sentence, and the whole join by code (look the code up,
// join with the name, keep the token) that the join page runs in one go.
import { classToken, removedClassToken, saveClassToken, saveName } from '../net/identity';
import { classInfo, joinClass } from './api';
import type { ApiResult } from './api';
import { spacedCode } from './types';

export const MAX_NAME = 40;

/** The name as the hub will store it, or undefined when it cannot be one. */
export function cleanName(raw: string): string | undefined {
  const name = raw.trim().replace(/\s+/g, ' ');
  return name.length > 0 && [...name].length <= MAX_NAME ? name : undefined;
}

export const NAME_PROBLEM = `Type your name (1 to ${MAX_NAME} characters).`;

/** Why a join was refused, for the student. */
export function whyNotJoined(status: number, error: string): string {
  switch (status) {
    case 0:
      return 'Cannot reach the hub. Check the network and try again.';
    case 400:
      return `That name cannot be used: ${error}.`;
    case 403:
      return 'The teacher has closed joining for this class. Ask your teacher.';
    case 404:
      return 'This class no longer exists. Ask your teacher for the new code.';
    case 409:
      return 'This class is full. Ask your teacher.';
    case 429:
      return `The hub asks you to wait a moment: ${error}.`;
    default:
      return `The hub could not add you (${status}${error ? `: ${error}` : ''}).`;
  }
}

/** Why a code's lookup found no class to open, for the student. */
export function whyNoClass(code: string, reply: ApiResult<unknown> & { ok: false }): string {
  switch (reply.status) {
    case 404:
      return `No class with code ${spacedCode(code)} — check the code with your teacher.`;
    case 429:
      return `The hub asks you to wait before trying another code: ${reply.error}.`;
    case 0:
      return 'Cannot reach the hub. Check the network and try again.';
    default:
      return `The hub could not look the code up (${reply.status}).`;
  }
}

/**
 * The join page's class code: checked with the hub before anything opens,
 * then joined under the name (or not at all, when this device is in the class
 * already). Resolves to the board's address, or what went wrong.
 */
export async function joinByCode(
  code: string,
  rawName: string,
): Promise<{ ok: true; board: string } | { ok: false; problem: string }> {
  const board = `/board/${encodeURIComponent(code)}`;
  if (classToken(code)) return { ok: true, board };
  const name = cleanName(rawName);
  if (!name) return { ok: false, problem: NAME_PROBLEM };
  const info = await classInfo(code);
  if (!info.ok) return { ok: false, problem: whyNoClass(code, info) };
  const joined = await joinClass(info.value.code, name, removedClassToken(info.value.code));
  if (!joined.ok) return { ok: false, problem: whyNotJoined(joined.status, joined.error) };
  saveName(name);
  saveClassToken(info.value.code, joined.value.token);
  return { ok: true, board: `/board/${encodeURIComponent(info.value.code)}` };
}
