// The y-websocket wire format (docs/protocols/yjs.md#message-types, encoded as
// in docs/protocols/yjs.md#encoding): pure functions between frames and
// messages. Every length is checked against the frame, so a truncated or
// garbage frame becomes a YjsProtocolError, never a bad read.

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3 } as const;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;
/** The only auth subtype y-protocols defines. */
const PERMISSION_DENIED = 0;

export type YjsMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'auth'; denied: boolean; reason: string }
  | { type: 'query-awareness' };

export class YjsProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YjsProtocolError';
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varUint(): number {
    let value = 0;
    let multiplier = 1;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new YjsProtocolError('truncated varint');
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return value;
      multiplier *= 128;
      // lib0 stops at 53 bits; anything longer is not a number it wrote.
      if (multiplier > 2 ** 53) throw new YjsProtocolError('varint longer than 53 bits');
    }
  }

  bytesOf(length: number): Uint8Array {
    if (length > this.bytes.length - this.pos) {
      throw new YjsProtocolError(`length ${length} runs past the end of the frame`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  varBytes(): Uint8Array {
    return this.bytesOf(this.varUint());
  }
}

/**
 * All messages in one frame. Clients send one per frame, but the 4.x client
 * reads several per frame, so accepting several costs nothing and stays compatible.
 */
export function decodeFrame(
  frame: Uint8Array,
  maxMessages = Number.POSITIVE_INFINITY,
): YjsMessage[] {
  if (frame.length === 0) throw new YjsProtocolError('empty frame');
  const reader = new Reader(frame);
  const out: YjsMessage[] = [];
  while (!reader.done) {
    // Checked as it decodes: a frame of zeros is millions of empty sync steps.
    if (out.length === maxMessages) {
      throw new YjsProtocolError(`more than ${maxMessages} messages in one frame`);
    }
    out.push(decodeOne(reader));
  }
  return out;
}

function decodeOne(reader: Reader): YjsMessage {
  const type = reader.varUint();
  switch (type) {
    case MessageType.Sync: {
      const syncType = reader.varUint();
      // The subtype is judged before its payload is read, so that an unknown
      // one is named as such whatever bytes follow it.
      if (syncType === SyncType.Step1)
        return { type: 'sync-step1', stateVector: reader.varBytes() };
      if (syncType === SyncType.Step2) return { type: 'sync-step2', update: reader.varBytes() };
      if (syncType === SyncType.Update) return { type: 'update', update: reader.varBytes() };
      throw new YjsProtocolError(`unknown sync message type ${syncType}`);
    }
    case MessageType.Awareness:
      return { type: 'awareness', update: reader.varBytes() };
    case MessageType.Auth: {
      const denied = reader.varUint() === PERMISSION_DENIED;
      return { type: 'auth', denied, reason: new TextDecoder().decode(reader.varBytes()) };
    }
    case MessageType.QueryAwareness:
      return { type: 'query-awareness' };
    default:
      throw new YjsProtocolError(`unknown message type ${type}`);
  }
}

function varUintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

function writeVarUint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/** `prefix… varUint(payload.length) payload`, in one allocation. */
function withPrefix(prefix: readonly number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + varUintLength(payload.length) + payload.length);
  out.set(prefix);
  const pos = writeVarUint(out, prefix.length, payload.length);
  out.set(payload, pos);
  return out;
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  withPrefix([MessageType.Sync, SyncType.Step1], stateVector);

export const encodeSyncStep2 = (update: Uint8Array): Uint8Array =>
  withPrefix([MessageType.Sync, SyncType.Step2], update);

export const encodeUpdate = (update: Uint8Array): Uint8Array =>
  withPrefix([MessageType.Sync, SyncType.Update], update);

export const encodeAwareness = (update: Uint8Array): Uint8Array =>
  withPrefix([MessageType.Awareness], update);

export const encodePermissionDenied = (reason: string): Uint8Array =>
  withPrefix([MessageType.Auth, PERMISSION_DENIED], new TextEncoder().encode(reason));

export const QUERY_AWARENESS = Uint8Array.of(MessageType.QueryAwareness);
