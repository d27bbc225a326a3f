// Fan-out's write path: each message's WebSocket frame is built once, however
// many sockets it goes to, and a socket's frames of one event-loop turn leave
// in one write (one `writev`), instead of one write per message per socket.
//
// This is the one module that reaches under ws's public API. ws has no call
// that takes a ready frame, so a FrameWriter writes to ws's socket (`_socket`)
// itself, and must not overtake what ws's sender still holds: while a
// compressed message is being deflated (`_sender._state` not 0) ws queues
// later sends, so the writer then hands its messages to `ws.send` in order.
// package.json pins ws to one minor version (~8.23) for these two fields;
// frame-writer.test.ts fails if they move. Unlike ws's own `send`, nothing
// here masks or compresses: a server's frames are never masked, and fan-out
// frames go out uncompressed (RSV1 clear) even where permessage-deflate was
// negotiated, which RFC 7692 allows message by message.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;

/** A whole, unmasked, uncompressed WebSocket frame: header and payload in one buffer. */
export function encodeFrame(payload: Uint8Array, text: boolean): Buffer {
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = FIN | (text ? OPCODE_TEXT : OPCODE_BINARY);
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerBytes);
  return frame;
}

const isBinary = (frame: Buffer) => (frame[0]! & 0x0f) === OPCODE_BINARY;

/** The payload of a frame encodeFrame built. */
function payloadOf(frame: Buffer): Buffer {
  const length = frame[1]!;
  return frame.subarray(length < 126 ? 2 : length === 126 ? 4 : 10);
}

/**
 * The last message framed, and its frame. A broadcast hands the same payload to
 * every member one after another, so one slot is enough to frame it once; it
 * holds one frame at most.
 */
let lastPayload: Uint8Array | undefined;
let lastText = false;
let lastFrame: Buffer | undefined;

function frameOf(payload: Uint8Array, text: boolean): Buffer {
  if (payload !== lastPayload || text !== lastText || !lastFrame) {
    lastFrame = encodeFrame(payload, text);
    lastPayload = payload;
    lastText = text;
  }
  return lastFrame;
}

/** The ws internals a FrameWriter relies on (ws 8.23). */
interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: unknown; _queue?: unknown[] };
}

const internals = (ws: WebSocket) => ws as unknown as WsInternals;

/** True when this ws has the fields a FrameWriter writes through. */
export function supportsFrameWriter(ws: WebSocket): boolean {
  const { _socket, _sender } = internals(ws);
  return (
    !!_socket &&
    typeof _socket.cork === 'function' &&
    typeof _sender?._state === 'number' &&
    Array.isArray(_sender._queue)
  );
}

/** Writers with messages waiting for the end of this turn. */
let dirty: FrameWriter[] = [];
let flushScheduled = false;

/**
 * setImmediate runs once the turn's I/O callbacks are done: every message that
 * arrived in this turn has been handled, so its fan-out leaves together. An
 * idle hub waits for nothing: the check phase follows the message's own.
 */
function scheduleFlush(writer: FrameWriter): void {
  dirty.push(writer);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushDirty);
}

function flushDirty(): void {
  flushScheduled = false;
  const writers = dirty;
  dirty = [];
  for (const writer of writers) writer.flush();
}

const writers = new WeakMap<WebSocket, FrameWriter>();

/** Writes what `ws`'s writer holds now: before a close that does not go through it. */
export function flushFramesOf(ws: WebSocket): void {
  writers.get(ws)?.flush();
}

/** One socket's queue of whole frames, written once per event-loop turn. */
export class FrameWriter {
  /** Whole frames; a frame's payload and kind are read back from it if ws must send them. */
  private pending: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly ws: WebSocket) {
    writers.set(ws, this);
  }

  /** Bytes queued here and not yet handed to the socket (ws' bufferedAmount does not see them). */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Queues one message; it leaves at the end of this turn with the socket's others. */
  write(payload: Uint8Array, text: boolean): void {
    if (this.pending.length === 0) scheduleFlush(this);
    const frame = frameOf(payload, text);
    this.pending.push(frame);
    this.bytes += frame.length;
  }

  /**
   * Hands everything queued to the socket now, in order. Called at the end of
   * the turn, and before anything that goes through ws itself (a compressed or
   * uncapped send, a close) so that it cannot overtake these.
   */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.bytes = 0;
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return; // closing or gone: nothing more may follow the close
    const { _socket: socket, _sender: sender } = internals(ws);
    if (!socket || sender?._state !== 0 || sender._queue?.length) {
      // ws is deflating a message (or its socket is gone): its own queue keeps the order.
      for (const frame of batch) {
        ws.send(payloadOf(frame), { binary: isBinary(frame), compress: false });
      }
      return;
    }
    if (batch.length === 1) {
      socket.write(batch[0]!);
      return;
    }
    socket.cork();
    for (const frame of batch) socket.write(frame);
    socket.uncork();
  }

  /** Drops what is queued: the socket was cut off. */
  discard(): void {
    this.pending = [];
    this.bytes = 0;
  }
}
