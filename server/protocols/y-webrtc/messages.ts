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
 * How many levels of objects and arrays a relayed publish may nest; signaling
 * data nests a few. JSON.parse takes any depth, and JSON.stringify overflowed
 * its stack some 4000 levels down up to Node 24 but not on Node 26: a fixed
 * limit refuses the same messages on every Node
 * (docs/protocols/y-webrtc.md#deeply-nested-data-is-refused).
 */
export const MAX_PUBLISH_DEPTH = 1000;

/** Whether `value` nests objects or arrays more than `limit` deep, found without recursing. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value))
      pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/** A relayed publish: the client's whole object with `clients` set, as the reference sends it. */
export function encodePublish(message: Record<string, unknown>, clients: number): string {
  if (nestsDeeperThan(message, MAX_PUBLISH_DEPTH))
    throw new SignalFormatError('message is nested too deeply to relay');
  return JSON.stringify({ ...message, clients });
}

export const PONG = JSON.stringify({ type: 'pong' });
