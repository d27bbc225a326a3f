// The small socket interface protocol sessions talk to, over a `ws` WebSocket.
// It owns the per-client limits: a cap on bytes queued for a peer that stops
// reading (docs/protocols/zwibbler.md#a-client-that-stops-reading-is-disconnected), keepalive
// (docs/protocols/zwibbler.md#keepalive-pings-drop-dead-peers), and proper close frames
// (docs/protocols/zwibbler.md#closes-are-websocket-close-frames).
import type { WebSocket } from './ws';
import type { Logger } from '../log/logger';
import { clampReason, CloseCode } from './close-codes';
import { FrameWriter, supportsFrameWriter } from './frame-writer';
import type { KeepaliveSweeper, Pingable } from './keepalive';
import type { LimitHits } from './limit-hits';
import { TokenBucket } from './rate-limit';
import type { AddressLimiter } from './rate-limit';
import { countIn, countOut, emptyTraffic } from './traffic';
import type { EndpointTraffic, Traffic } from './traffic';

export interface SendOptions {
  /**
   * Not counted against the queue cap. For a join's initial document, whose
   * size is bounded by the document limit and which is already in memory; the
   * cap is about live traffic piling up behind a peer that stopped reading.
   */
  uncapped?: boolean;
  /** Sends text frames (the bytes must be UTF-8), for JSON protocols; binary otherwise. */
  text?: boolean;
  /**
   * False: never compress these frames, even when permessage-deflate was
   * negotiated. For fan-out, where the same frame would be deflated once per member.
   */
  compress?: boolean;
  /**
   * One member's copy of a broadcast: deflated only from FAN_OUT_DEFLATE_FROM_BYTES
   * up, since each member's copy would be deflated again (no context is shared).
   */
  fanOut?: boolean;
}

/**
 * Fan-out frames smaller than this are sent uncompressed, so one frame built
 * once serves every member; large ones (a paste, an image) are still deflated.
 */
export const FAN_OUT_DEFLATE_FROM_BYTES = 16 * 1024;

/** The options of a binary broadcast's copy; one object, not one per delivery. */
export const FAN_OUT: Readonly<SendOptions> = Object.freeze({ fanOut: true });
/** The options of a text (JSON) broadcast's copy. */
export const TEXT_FAN_OUT: Readonly<SendOptions> = Object.freeze({ fanOut: true, text: true });

export interface ClientSocket {
  readonly remoteAddress: string;
  readonly isOpen: boolean;
  /** This connection's counters, for the registry (ClientControl.traffic). */
  readonly traffic?: Traffic;
  /**
   * Queues the WebSocket messages that make up one protocol message (its
   * continuation chunks). False if the socket is closed or was just cut off.
   */
  send(frames: Uint8Array | readonly Uint8Array[], options?: SendOptions): boolean;
  /** Sends a close frame with a code and reason; the socket is destroyed if the peer stalls. */
  close(code: number, reason: string): void;
  /** Stops reading from the peer until `resumeReading`, for inbound backpressure. */
  pauseReading(): void;
  resumeReading(): void;
}

/** What a protocol gives back for each accepted socket. */
export interface SocketHandler {
  message(data: Buffer, isBinary: boolean): void;
  /** Called once, whoever closed. */
  closed(code: number, reason: string): void;
}

export interface ClientSocketOptions {
  maxQueuedBytes: number;
  keepalive: KeepaliveSweeper;
  log: Logger;
  /** How long a closing peer gets to answer our close frame. */
  closeTimeoutMs?: number;
  /** The endpoint's totals, bumped with this connection's own counters. */
  totals?: EndpointTraffic;
  /** What a client may send, counted after decompression; unbounded when absent. */
  inbound?: InboundBudget;
  /** The budget every WebSocket of an address shares (InboundAddressBurstBytes); none when absent. */
  addressInbound?: AddressLimiter;
  /** The setting that sets this endpoint's largest message (ws's maxPayload), for the log and metrics. */
  messageLimit?: string;
  /** Where hits of these limits are counted. */
  limitHits?: LimitHits;
  /**
   * ws' permessage-deflate threshold: smaller messages are never compressed, so
   * they take the frame writer even where compression was negotiated.
   */
  compressFromBytes?: number;
}

/** Bytes a connection may send (docs/operating.md#budgets): a burst, then a steady rate. */
export interface InboundBudget {
  burstBytes: number;
  bytesPerSecond: number;
}

/** ws's error for a message over maxPayload, caught while it inflates; ws closes with 1009 itself. */
const TOO_BIG = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

export class WsClientSocket implements ClientSocket, Pingable {
  /** Bytes of uncapped sends not yet handed to the kernel. */
  private uncappedBytes = 0;
  private alive = true;
  private closing = false;
  private closeTimer: NodeJS.Timeout | undefined;
  readonly traffic: Traffic = emptyTraffic();
  /** Where uncompressed frames go, built once per broadcast and written once per turn. */
  private readonly writer: FrameWriter | undefined;
  /** Smallest message ws would deflate on this socket (Infinity: never). */
  private readonly deflateFrom: number;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly options: ClientSocketOptions,
  ) {
    this.writer = supportsFrameWriter(ws) ? new FrameWriter(ws) : undefined;
    this.deflateFrom = ws.extensions.includes('permessage-deflate')
      ? (options.compressFromBytes ?? 0)
      : Infinity;
  }

  /** Wires ws events to the protocol's handler. Call once, right after construction. */
  attach(handler: SocketHandler): void {
    const { ws, options } = this;
    const totals = options.totals;
    if (totals) totals.connections++;
    const inbound =
      options.inbound &&
      new TokenBucket(options.inbound.bytesPerSecond, options.inbound.burstBytes);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.alive = true;
      const now = Date.now();
      countIn(this.traffic, data.length, now);
      if (totals) countIn(totals, data.length, now);
      if (this.closing) return; // once closing, nothing more is handled
      if (inbound && !inbound.take(data.length)) return this.overBudget(data.length, 'connection');
      if (options.addressInbound?.take(this.remoteAddress, data.length)) {
        return this.overBudget(data.length, 'address');
      }
      handler.message(data, isBinary);
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === TOO_BIG && !this.closing) {
        const limit = options.messageLimit ?? 'maxPayload';
        options.limitHits?.hit(limit);
        options.log.warn(
          { remote: this.remoteAddress, limit },
          `message over ${limit} (counted as it inflates), closed with 1009`,
        );
      } else options.log.debug({ err: err.message, remote: this.remoteAddress }, 'socket error');
    });
    ws.once('close', (code: number, reason: Buffer) => {
      this.writer?.discard();
      if (totals) totals.connections--;
      options.keepalive.delete(this);
      clearTimeout(this.closeTimer);
      handler.closed(code, reason.toString());
    });
    options.keepalive.add(this);
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  send(frames: Uint8Array | readonly Uint8Array[], options?: SendOptions): boolean {
    if (!this.isOpen) return false;
    const list = frames instanceof Uint8Array ? [frames] : frames;
    this.countSent(list);
    if (options?.uncapped) {
      this.writer?.flush(); // ws writes these at once: what is queued goes first
      for (const frame of list) {
        this.uncappedBytes += frame.length;
        this.ws.send(frame, { binary: !options.text }, () => (this.uncappedBytes -= frame.length));
      }
      return true;
    }
    // What is still waiting in user space, less the initial load. Checked per message,
    // before queuing it, so one large message never trips the cap by itself.
    const backlog = this.ws.bufferedAmount + (this.writer?.pendingBytes ?? 0) - this.uncappedBytes;
    if (backlog > this.options.maxQueuedBytes) {
      this.options.log.warn(
        { remote: this.remoteAddress, backlog },
        'peer is not reading: send queue over its limit, disconnecting',
      );
      this.destroy();
      return false;
    }
    const text = options?.text ?? false;
    const compress = options?.compress ?? true;
    const deflateFrom = options?.fanOut
      ? Math.max(this.deflateFrom, FAN_OUT_DEFLATE_FROM_BYTES)
      : this.deflateFrom;
    for (const frame of list) {
      const plain = !compress || frame.length < deflateFrom;
      if (plain && this.writer) this.writer.write(frame, text);
      else {
        this.writer?.flush();
        this.ws.send(frame, { binary: !text, compress: !plain });
      }
    }
    return true;
  }

  /** One protocol message, however many frames it takes. */
  private countSent(frames: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const frame of frames) bytes += frame.length;
    const now = Date.now();
    countOut(this.traffic, bytes, now);
    if (this.options.totals) countOut(this.options.totals, bytes, now);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.writer?.flush(); // what was sent before the close leaves before it
    // A paused socket would never read the peer's closing handshake.
    this.ws.resume();
    this.ws.close(code, clampReason(reason));
    // ws waits 30 s for the peer's close frame; a stalled peer should not hold us that long.
    this.closeTimer = setTimeout(() => this.ws.terminate(), this.options.closeTimeoutMs ?? 5000);
    this.closeTimer.unref();
  }

  pauseReading(): void {
    this.ws.pause();
  }

  /**
   * Past its inbound budget: closed with 1008, and nothing more it sent is
   * inflated. ws has no public way to stop its receiver part-way through what
   * it has read (64 KiB of compressed zeros is 64 MiB): at a limit of one byte
   * its next data frame fails before it inflates, and ws drops the rest unread.
   */
  private overBudget(bytes: number, whose: 'connection' | 'address'): void {
    const [limit, burst] =
      whose === 'connection'
        ? ['InboundBytesPerSecond', 'InboundBurstBytes']
        : ['InboundAddressBytesPerSecond', 'InboundAddressBurstBytes'];
    this.options.limitHits?.hit(limit);
    this.options.log.warn(
      { remote: this.remoteAddress, bytes, limit },
      `${whose === 'connection' ? 'client' : "client's address"} sent more than its inbound budget (${burst}, ${limit}), closing`,
    );
    this.close(
      CloseCode.PolicyViolation,
      whose === 'connection'
        ? 'sending faster than the hub accepts (InboundBytesPerSecond)'
        : 'this address is sending faster than the hub accepts (InboundAddressBytesPerSecond)',
    );
    // ws has no public way to stop inflating what is already arriving: its
    // receiver's private limit is cut to 1 byte. package.json pins ws to one
    // minor version for this; inbound-budget.test.ts fails if the field moves.
    const receiver = (this.ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
    if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = 1;
  }

  resumeReading(): void {
    if (!this.closing) this.ws.resume(); // close() resumes for the handshake itself, or not at all
  }

  takeAlive(): boolean {
    const was = this.alive;
    this.alive = false;
    return was;
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  dead(): void {
    this.options.log.info({ remote: this.remoteAddress }, 'peer missed keepalive, disconnecting');
    this.destroy();
  }

  /** Drops the TCP connection at once: for peers that cannot be reached by a close frame. */
  private destroy(): void {
    this.closing = true;
    this.writer?.discard();
    this.ws.terminate();
  }
}
