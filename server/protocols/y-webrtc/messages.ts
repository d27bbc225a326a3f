// The y-webrtc signaling messages: JSON objects with a `type`, in text frames
// (docs/protocols/y-webrtc.md#messages). Pure functions: bytes in, a checked
// message out.
//
// "The reference", here and in the other files of this folder, is y-webrtc's
// own signaling server, bin/server.js. Where it is lenient we are too
// (non-string topics are skipped, an unknown or missing `type` is ignored, a
// publish to a non-string topic reaches no one). Where it throws inside its
// handler (non-JSON, `topics` that is not an array) we raise a
// SignalFormatError, and the session closes that connection
// (docs/protocols/y-webrtc.md#bad-input).

export type SignalMessage =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  /** `message` is the whole object as sent: it is relayed with `clients` added. */
  | { type: 'publish'; topic: string | undefined; message: Record<string, unknown> }
  | { type: 'ping' }
  /** Unknown or missing `type`: the reference ignores it, and so do we. */
  | { type: 'ignored'; what: string };

/** The frame is not a signaling message at all; the connection should close with 1002. */
export class SignalFormatError extends Error {
  override name = 'SignalFormatError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeSignalMessage(data: Uint8Array): SignalMessage {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    throw new SignalFormatError('message is not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SignalFormatError('message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new SignalFormatError(`message is ${what}, not a JSON object`);
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'subscribe':
    case 'unsubscribe':
      return { type: message.type, topics: topicList(message.topics) };
    case 'publish':
      return {
        type: 'publish',
        topic: typeof message.topic === 'string' ? message.topic : undefined,
        message,
      };
    case 'ping':
      return { type: 'ping' };
    default:
      return { type: 'ignored', what: describeType(message.type) };
  }
}

/** The reference treats a missing list as empty and skips entries that are not strings. */
function topicList(topics: unknown): string[] {
  if (topics === undefined || topics === null) return [];
  if (!Array.isArray(topics)) throw new SignalFormatError('"topics" is not an array');
  return topics.filter((t): t is string => typeof t === 'string');
}

function describeType(type: unknown): string {
  if (typeof type !== 'string') return type === undefined ? 'no type' : `a ${typeof type} type`;
  return `type "${type.length > 40 ? `${type.slice(0, 40)}…` : type}"`;
}

/**
 * A relayed publish: the client's whole object with `clients` set, as the
 * reference sends it. JSON.parse takes any depth but JSON.stringify recurses,
 * so a deeply nested `data` is refused rather than allowed to throw elsewhere.
 */
export function encodePublish(message: Record<string, unknown>, clients: number): string {
  try {
    return JSON.stringify({ ...message, clients });
  } catch {
    throw new SignalFormatError('message is nested too deeply to relay');
  }
}

export const PONG = JSON.stringify({ type: 'pong' });
