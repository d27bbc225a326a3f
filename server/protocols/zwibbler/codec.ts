// Zwibbler collaboration protocol V2/V3: pure functions between bytes and messages.
// Layouts are in docs/protocols/zwibbler.md#message-layouts. Integers are big-endian.
// Decoding never allocates more than the input: every length prefix is checked
// against the bytes actually present before anything is sliced.

export const MessageType = {
  Init: 0x01,
  AppendV2: 0x02,
  SetKey: 0x03,
  Broadcast: 0x04,
  AppendV3: 0x05,
  Error: 0x80,
  AckNack: 0x81,
  KeyInformation: 0x82,
  SetKeyAckNack: 0x83,
  ServerIdentification: 0x84,
  Continuation: 0xff,
} as const;

export const CreationMode = { PossiblyCreate: 0, NeverCreate: 1, AlwaysCreate: 2 } as const;

export const AckStatus = { Conflict: 0, Appended: 1, NoPermission: 2 } as const;

export const ErrorCode = {
  Unspecified: 0,
  DoesNotExist: 1,
  AlreadyExists: 2,
  InvalidOffset: 3,
  AccessDenied: 4,
} as const;

export const ERROR_TEXT: Record<number, string> = {
  [ErrorCode.DoesNotExist]: 'does not exist',
  [ErrorCode.AlreadyExists]: 'already exists',
  [ErrorCode.InvalidOffset]: 'invalid offset',
  [ErrorCode.AccessDenied]: 'access denied',
};

export interface InitMessage {
  type: 'init';
  /** The version field; the V2 layout always reports 2. */
  version: number;
  maxMessageSize: number;
  creationMode: number;
  /** Only present in the V3 layout; ignored by servers. */
  generation: number;
  offset: number;
  docId: Uint8Array;
  initialData: Uint8Array;
}

export interface AppendMessage {
  type: 'append';
  /** 2 for type 0x02 (no generation), 3 for type 0x05. */
  layout: 2 | 3;
  generation: number;
  offset: number;
  data: Uint8Array;
}

export interface SetKeyMessage {
  type: 'set-key';
  requestId: number;
  /** 0 = client key (dies with its owner); anything else = document key. */
  lifetime: number;
  oldVersion: number;
  newVersion: number;
  name: Uint8Array;
  value: Uint8Array;
}

export interface BroadcastMessage {
  type: 'broadcast';
  data: Uint8Array;
}

export interface ErrorMessage {
  type: 'error';
  code: number;
  description: Uint8Array;
}

export interface AckNackMessage {
  type: 'ack-nack';
  status: number;
  length: number;
}

export interface KeyEntry {
  version: number;
  name: Uint8Array;
  value: Uint8Array;
}

export interface KeyInformationMessage {
  type: 'key-information';
  keys: KeyEntry[];
}

export interface SetKeyAckNackMessage {
  type: 'set-key-ack-nack';
  accepted: boolean;
  requestId: number;
}

/** Any type this codec has no layout for (0x84, 0xFF, 0x07…): kept raw. */
export interface UnknownMessage {
  type: 'unknown';
  code: number;
  body: Uint8Array;
}

export type Message =
  | InitMessage
  | AppendMessage
  | SetKeyMessage
  | BroadcastMessage
  | ErrorMessage
  | AckNackMessage
  | KeyInformationMessage
  | SetKeyAckNackMessage
  | UnknownMessage;

export class ZwibblerCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZwibblerCodecError';
  }
}

const TWO_POW_32 = 2 ** 32;

/** Reads fields front to back, failing with the codec's own error when one does not fit. */
class FieldReader {
  private pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new ZwibblerCodecError(`message too short for ${what}`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /**
   * A u64 as a JS number. Values above 2^53 lose precision, which is harmless:
   * they are far beyond any document length, so they fail every offset check.
   */
  u64(what: string): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return hi * TWO_POW_32 + lo;
  }

  bytesOf(length: number, what: string): Uint8Array {
    this.need(length, what);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return out;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }
}

/** Decodes one reassembled protocol message. Byte 1 (the "more" flag) is ignored. */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length < 2) throw new ZwibblerCodecError('message shorter than 2 bytes');
  const type = bytes[0]!;
  const r = new FieldReader(bytes, 2);
  switch (type) {
    case MessageType.Init:
      return decodeInit(bytes, r);
    case MessageType.AppendV2:
      return { type: 'append', layout: 2, generation: 0, offset: r.u64('offset'), data: r.rest() };
    case MessageType.AppendV3: {
      const generation = r.u32('generation');
      return { type: 'append', layout: 3, generation, offset: r.u64('offset'), data: r.rest() };
    }
    case MessageType.SetKey: {
      const requestId = r.u16('requestID');
      const lifetime = r.u8('lifetime');
      const oldVersion = r.u32('oldVersion');
      const newVersion = r.u32('newVersion');
      const name = r.bytesOf(r.u32('nameLength'), 'name');
      const value = r.bytesOf(r.u32('valueLength'), 'value');
      return { type: 'set-key', requestId, lifetime, oldVersion, newVersion, name, value };
    }
    case MessageType.Broadcast:
      // The declared length is informational only; the payload is the rest
      // (docs/protocols/zwibbler.md#broadcast-0x04).
      r.u32('dataLength');
      return { type: 'broadcast', data: r.rest() };
    case MessageType.Error:
      return { type: 'error', code: r.u16('errorCode'), description: r.rest() };
    case MessageType.AckNack:
      return { type: 'ack-nack', status: r.u16('ack'), length: r.u64('offset') };
    case MessageType.KeyInformation: {
      const keys: KeyEntry[] = [];
      while (r.remaining > 0) {
        const version = r.u32('version');
        const name = r.bytesOf(r.u32('nameLength'), 'name');
        const value = r.bytesOf(r.u32('valueLength'), 'value');
        keys.push({ version, name, value });
      }
      return { type: 'key-information', keys };
    }
    case MessageType.SetKeyAckNack: {
      const accepted = r.u16('ack') !== 0;
      return { type: 'set-key-ack-nack', accepted, requestId: r.u16('requestID') };
    }
    default:
      return { type: 'unknown', code: type, body: bytes.subarray(2) };
  }
}

function decodeInit(bytes: Uint8Array, r: FieldReader): InitMessage {
  // Bytes 2-3 = 00 02 on a message longer than 4 bytes means V2
  // (docs/protocols/zwibbler.md#telling-v2-from-v3).
  const isV2 = bytes.length > 4 && bytes[2] === 0 && bytes[3] === 2;
  const version = r.u16('protocolVersion');
  const maxMessageSize = r.u32('maxMessageSize');
  const creationMode = r.u8('creationMode');
  // V2 has no generation field and a one-byte document-ID length.
  const generation = isV2 ? 0 : r.u32('generation');
  const offset = r.u64('offset');
  const docId = r.bytesOf(isV2 ? r.u8('docIDLength') : r.u32('docIDLength'), 'docID');
  return {
    type: 'init',
    version,
    maxMessageSize,
    creationMode,
    generation,
    offset,
    docId,
    initialData: r.rest(),
  };
}

/** Writes fields front to back into a buffer sized up front. */
class FieldWriter {
  readonly bytes: Buffer;
  private pos = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }
  u8(v: number): this {
    this.bytes[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.bytes.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.bytes.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  u64(v: number): this {
    this.u32(Math.floor(v / TWO_POW_32));
    return this.u32(v % TWO_POW_32);
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  done(): Buffer {
    if (this.pos !== this.bytes.length) throw new Error('codec bug: size mismatch');
    return this.bytes;
  }
}

/** Encodes one whole protocol message with byte 1 = 0. Split it with `splitIntoChunks`. */
export function encodeMessage(m: Message): Buffer {
  switch (m.type) {
    case 'init':
      if (m.version === 2) {
        if (m.docId.length > 255) throw new RangeError('a V2 document ID is at most 255 bytes');
        return new FieldWriter(18 + m.docId.length + m.initialData.length)
          .u8(MessageType.Init)
          .u8(0)
          .u16(2)
          .u32(m.maxMessageSize)
          .u8(m.creationMode)
          .u64(m.offset)
          .u8(m.docId.length)
          .raw(m.docId)
          .raw(m.initialData)
          .done();
      }
      return new FieldWriter(25 + m.docId.length + m.initialData.length)
        .u8(MessageType.Init)
        .u8(0)
        .u16(m.version)
        .u32(m.maxMessageSize)
        .u8(m.creationMode)
        .u32(m.generation)
        .u64(m.offset)
        .u32(m.docId.length)
        .raw(m.docId)
        .raw(m.initialData)
        .done();
    case 'append':
      return encodeAppend(m.layout, m.offset, m.data, m.generation);
    case 'set-key':
      return new FieldWriter(21 + m.name.length + m.value.length)
        .u8(MessageType.SetKey)
        .u8(0)
        .u16(m.requestId)
        .u8(m.lifetime)
        .u32(m.oldVersion)
        .u32(m.newVersion)
        .u32(m.name.length)
        .raw(m.name)
        .u32(m.value.length)
        .raw(m.value)
        .done();
    case 'broadcast':
      return new FieldWriter(6 + m.data.length)
        .u8(MessageType.Broadcast)
        .u8(0)
        .u32(m.data.length)
        .raw(m.data)
        .done();
    case 'error':
      return new FieldWriter(4 + m.description.length)
        .u8(MessageType.Error)
        .u8(0)
        .u16(m.code)
        .raw(m.description)
        .done();
    case 'ack-nack':
      return new FieldWriter(12).u8(MessageType.AckNack).u8(0).u16(m.status).u64(m.length).done();
    case 'key-information': {
      let size = 2;
      for (const k of m.keys) size += 12 + k.name.length + k.value.length;
      const w = new FieldWriter(size).u8(MessageType.KeyInformation).u8(0);
      for (const k of m.keys) {
        w.u32(k.version).u32(k.name.length).raw(k.name).u32(k.value.length).raw(k.value);
      }
      return w.done();
    }
    case 'set-key-ack-nack':
      return new FieldWriter(6)
        .u8(MessageType.SetKeyAckNack)
        .u8(0)
        .u16(m.accepted ? 1 : 0)
        .u16(m.requestId)
        .done();
    case 'unknown':
      return new FieldWriter(2 + m.body.length).u8(m.code).u8(0).raw(m.body).done();
  }
}

export function encodeAppend(
  layout: 2 | 3,
  offset: number,
  data: Uint8Array,
  generation = 0,
): Buffer {
  if (layout === 2) {
    return new FieldWriter(10 + data.length)
      .u8(MessageType.AppendV2)
      .u8(0)
      .u64(offset)
      .raw(data)
      .done();
  }
  return new FieldWriter(14 + data.length)
    .u8(MessageType.AppendV3)
    .u8(0)
    .u32(generation)
    .u64(offset)
    .raw(data)
    .done();
}

export function encodeError(code: number, text = ERROR_TEXT[code] ?? 'unspecified'): Buffer {
  return encodeMessage({ type: 'error', code, description: Buffer.from(text, 'utf8') });
}
