// Continuation chunks: a protocol message larger than the peer's maximum
// WebSocket message size travels as a first chunk with byte 1 = 1, then `FF mm`
// chunks where mm = 1 while more follow
// (docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size).
import { MessageType, ZwibblerCodecError } from './codec';

/** Splits an encoded message into WebSocket messages of at most `maxSize` bytes. */
export function splitIntoChunks(message: Uint8Array, maxSize: number): Uint8Array[] {
  if (message.length <= maxSize) return [message];
  if (maxSize < 3) throw new RangeError('a chunk limit below 3 bytes cannot carry data');
  const first = Buffer.from(message.subarray(0, maxSize));
  first[1] = 1;
  const chunks: Uint8Array[] = [first];
  for (let pos = maxSize; pos < message.length;) {
    const take = Math.min(maxSize - 2, message.length - pos);
    const chunk = Buffer.allocUnsafe(2 + take);
    chunk[0] = MessageType.Continuation;
    pos += take;
    chunk[1] = pos < message.length ? 1 : 0;
    chunk.set(message.subarray(pos - take, pos), 2);
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * Rebuilds protocol messages from incoming WebSocket messages. Unlike the
 * reference, the total size is capped
 * (docs/protocols/zwibbler.md#incoming-messages-have-a-size-limit) and every
 * violation is the codec's own error, so the caller can close cleanly instead
 * of panicking.
 */
export class Reassembler {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxMessageBytes: number) {}

  get inProgress(): boolean {
    return this.parts.length > 0;
  }

  /** Returns the complete message, or null while more chunks are expected. */
  push(frame: Uint8Array): Uint8Array | null {
    if (frame.length < 2) {
      throw new ZwibblerCodecError('WebSocket message shorter than 2 bytes');
    }
    const more = frame[1] !== 0;
    if (!this.inProgress) {
      if (!more) {
        if (frame.length > this.maxMessageBytes) throw new MessageTooBigError(this.maxMessageBytes);
        return frame;
      }
      this.add(frame);
      return null;
    }
    if (frame[0] !== MessageType.Continuation) {
      throw new ZwibblerCodecError('expected a continuation chunk (0xFF)');
    }
    this.add(frame.subarray(2));
    if (more) return null;
    const whole = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return whole;
  }

  private add(part: Uint8Array): void {
    this.size += part.length;
    if (this.size > this.maxMessageBytes) {
      this.parts = [];
      this.size = 0;
      throw new MessageTooBigError(this.maxMessageBytes);
    }
    this.parts.push(part);
  }
}

export class MessageTooBigError extends ZwibblerCodecError {
  constructor(readonly limit: number) {
    super(`message larger than the ${limit}-byte limit`);
    this.name = 'MessageTooBigError';
  }
}
