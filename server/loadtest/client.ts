// The load tester's own WebSocket client: lean, because one process runs
// thousands of them. It reassembles continuation chunks and hands over whole
// protocol messages as they arrive; it keeps no message history.
import { WebSocket } from '../transport/ws';
import { Reassembler } from '../protocols/zwibbler/chunks';

export interface LeanClientHandler {
  opened(): void;
  /** One whole protocol message. The buffer may be reused by ws after the call. */
  message(bytes: Buffer): void;
  /** A frame that cannot be reassembled (a continuation out of place, say). */
  malformed(reason: string): void;
  /** The connection, once opened, is gone, whoever closed it. */
  closed(code: number): void;
  /** The dial failed: refused, timed out, or not a WebSocket upgrade. */
  failed(reason: string): void;
}

/** Largest reassembled message accepted: the hub's default MaxDocumentBytes. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** How long a graceful close may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;

export class LeanClient {
  private readonly ws: WebSocket;
  private reassembler = new Reassembler(MAX_MESSAGE_BYTES);
  private wasOpen = false;
  private readonly done: Promise<void>;

  constructor(url: string, handler: LeanClientHandler) {
    this.ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: 30_000,
    });
    const ws = this.ws;
    let failure = '';
    ws.on('open', () => {
      this.wasOpen = true;
      handler.opened();
    });
    ws.on('message', (data: Buffer) => {
      const whole = this.reassemble(data, handler);
      if (whole) handler.message(whole as Buffer);
    });
    ws.on('error', (err) => {
      failure ||= err.message;
    });
    this.done = new Promise((resolve) => {
      ws.once('close', (code: number) => {
        if (this.wasOpen) handler.closed(code);
        else handler.failed(failure || `closed with ${code} before opening`);
        resolve();
      });
    });
  }

  /**
   * A broken chunk sequence is reported and dropped; the frame that broke it,
   * unless a continuation, starts afresh, so one bad message costs only itself.
   */
  private reassemble(frame: Buffer, handler: LeanClientHandler): Uint8Array | null {
    try {
      return this.reassembler.push(frame);
    } catch (err) {
      handler.malformed((err as Error).message);
      const resume = this.reassembler.inProgress && frame.length >= 2 && frame[0] !== 0xff;
      this.reassembler = new Reassembler(MAX_MESSAGE_BYTES);
      return resume ? this.reassemble(frame, handler) : null;
    }
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  /** Closes with 1000 and resolves once the socket is gone (dropped after a grace period). */
  close(): Promise<void> {
    const ws = this.ws;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, 'load test finished');
      const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      void this.done.then(() => clearTimeout(timer));
    }
    return this.done;
  }
}
