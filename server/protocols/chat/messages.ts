// The chat's wire format (docs/protocols/chat.md#messages): UTF-8 JSON text frames
// `{ "type": T, "payload": {...} }`. Pure functions, no sockets. Where the
// original throws (invalid JSON, a non-object, a chat-message without
// `message`), decoding answers with a close code and a reason instead.
import { CloseCode } from '../../transport/close-codes';

export const CHAT_SUBPROTOCOL = 'beej-chat-protocol';

/** Longest username, in characters. */
export const MAX_USERNAME_CHARS = 64;

/**
 * Who sent it, in a gated room (a class's): the member's ID and role, from the
 * hub, so that two members of one name, or a student named like the teacher,
 * are told apart. Absent in the hub-wide chat.
 */
export interface ChatSender {
  id?: string;
  role?: string;
}

export type ChatServerMessage =
  | { type: 'chat-join'; payload: { username: string } & ChatSender }
  | { type: 'chat-message'; payload: { username: string; message: string } & ChatSender }
  /** `username` is absent (the payload is `{}`) when the user never joined. */
  | { type: 'chat-leave'; payload: { username?: string } & ChatSender };

/** What one client message asks for. */
export type ChatCommand =
  | { kind: 'join'; username: string }
  /** Any `username` in a chat-message is ignored: the joined name is used. */
  | { kind: 'message'; message: string }
  | { kind: 'ignore'; why: string }
  | { kind: 'reject'; code: number; reason: string };

export interface ChatTextLimits {
  maxMessageChars: number;
  maxUsernameChars: number;
}

export function encodeChatMessage(message: ChatServerMessage): Uint8Array {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

export function decodeChatMessage(text: string, limits: ChatTextLimits): ChatCommand {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reject(CloseCode.ProtocolError, 'malformed JSON');
  }
  if (!isObject(value)) return reject(CloseCode.ProtocolError, 'a message must be a JSON object');
  const { type, payload } = value;
  if (typeof type !== 'string') return reject(CloseCode.ProtocolError, 'a message needs a "type"');
  if (type !== 'chat-join' && type !== 'chat-message') {
    return { kind: 'ignore', why: `unknown message type ${JSON.stringify(type.slice(0, 40))}` };
  }
  if (!isObject(payload)) return reject(CloseCode.BadRequest, `${type} needs a payload object`);

  if (type === 'chat-join') {
    if (typeof payload.username !== 'string') {
      return reject(CloseCode.BadRequest, 'chat-join needs a username string');
    }
    const username = payload.username.trim();
    if (username === '') return { kind: 'ignore', why: 'empty username' };
    if (!fits(username, limits.maxUsernameChars)) {
      return reject(
        CloseCode.BadRequest,
        `username longer than ${limits.maxUsernameChars} characters`,
      );
    }
    return { kind: 'join', username };
  }

  if (typeof payload.message !== 'string') {
    return reject(CloseCode.BadRequest, 'chat-message needs a message string');
  }
  const message = payload.message.trim();
  if (message === '') return { kind: 'ignore', why: 'empty message' };
  if (!fits(message, limits.maxMessageChars)) {
    return reject(
      CloseCode.MessageTooBig,
      `chat message longer than ${limits.maxMessageChars} characters`,
    );
  }
  return { kind: 'message', message };
}

function reject(code: number, reason: string): ChatCommand {
  return { kind: 'reject', code, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Counts characters as code points, so that an emoji is one. */
function fits(text: string, maxChars: number): boolean {
  if (text.length <= maxChars) return true; // UTF-16 units never undercount code points
  let count = 0;
  for (let i = 0; i < text.length; i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) {
    if (++count > maxChars) return false;
  }
  return true;
}
