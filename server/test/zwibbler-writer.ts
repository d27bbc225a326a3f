// A Zwibbler client that writes as a teacher's whiteboard does (append at the
// end it knows, re-send after a conflict) and keeps its own copy of the
// document from what it receives, so tests can compare every client's bytes
// and check each acknowledged append against them.
import { AckStatus } from '../protocols/zwibbler/codec';
import { initMessage, ZwibblerClient } from './zwibbler-client';
import type { InitOptions } from './zwibbler-client';

export class ZwibblerWriter {
  /** Pieces of the document by offset: received appends and our own acknowledged ones. */
  private readonly pieces = new Map<number, Buffer>();
  /** Our acknowledged appends: offset and bytes. */
  readonly acked: { offset: number; data: Buffer }[] = [];
  conflicts = 0;
  private taken = 0;

  private constructor(public client: ZwibblerClient) {}

  static async join(url: string, init: InitOptions): Promise<ZwibblerWriter> {
    const writer = new ZwibblerWriter(await ZwibblerClient.open(url));
    writer.client.send(initMessage(init));
    await writer.waitFor(() => writer.pieces.size > 0 || undefined, 10_000);
    // A client that created the document gets an empty APPEND at the end of its own initial data.
    const initial = Buffer.from(init.initialData ?? '');
    if (initial.length > 0 && writer.pieces.get(initial.length)?.length === 0) {
      writer.pieces.set(0, initial);
    }
    return writer;
  }

  /**
   * Connects again, to any hub, and resumes from the end this client has, as
   * a Zwibbler client does after its connection drops (INIT with its offset).
   */
  async reconnect(url: string, docId: string): Promise<void> {
    void this.client.close();
    const resumeAt = this.end;
    this.client = await ZwibblerClient.open(url);
    this.taken = 0;
    this.ackQueue = [];
    this.client.send(initMessage({ docId, offset: resumeAt, creationMode: 1 }));
    await this.waitFor(
      () => this.client.messages.some((m) => m.type === 'append') || undefined,
      10_000,
    );
  }

  get isOpen(): boolean {
    return this.client.ws.readyState === this.client.ws.OPEN;
  }

  /** The length of the document this client has without holes. */
  get end(): number {
    this.take();
    let end = 0;
    for (let piece = this.pieces.get(end); piece; piece = this.pieces.get(end)) {
      end += piece.length;
      if (piece.length === 0) break;
    }
    return end;
  }

  /** The whole document as this client has it. */
  bytes(): Buffer {
    const end = this.end;
    const parts: Buffer[] = [];
    for (let at = 0; at < end;) {
      const piece = this.pieces.get(at)!;
      parts.push(piece);
      at += piece.length;
    }
    return Buffer.concat(parts);
  }

  /** Appends at the end, re-sending after conflicts, until acknowledged; returns the offset. */
  async write(data: string | Buffer, timeoutMs = 20_000): Promise<number> {
    const bytes = Buffer.from(data);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const offset = this.end;
      this.client.append(offset, bytes);
      const reply = await this.waitFor(() => {
        if (!this.isOpen && this.ackQueue.length === 0) throw new Error('connection closed');
        return this.takeAck();
      }, deadline - Date.now());
      if (reply.status === AckStatus.Appended) {
        this.pieces.set(offset, bytes);
        this.acked.push({ offset, data: bytes });
        return offset;
      }
      if (reply.status !== AckStatus.Conflict) throw new Error(`append refused: ${reply.status}`);
      this.conflicts++;
      // Someone else got there first: wait until their bytes have arrived, then retry.
      await this.waitFor(() => this.end >= reply.length || undefined, deadline - Date.now());
    }
  }

  /** Waits until this client's copy is at least `length` bytes long without holes. */
  async reach(length: number, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => this.end >= length || undefined, timeoutMs);
  }

  close(): Promise<unknown> {
    return this.client.close();
  }

  private ackQueue: { status: number; length: number }[] = [];

  private takeAck(): { status: number; length: number } | undefined {
    this.take();
    return this.ackQueue.shift();
  }

  private take(): void {
    const { messages } = this.client;
    for (; this.taken < messages.length; this.taken++) {
      const m = messages[this.taken]!;
      if (m.type === 'append') this.pieces.set(m.offset, Buffer.from(m.data));
      else if (m.type === 'ack-nack') this.ackQueue.push({ status: m.status, length: m.length });
    }
  }

  private async waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.take();
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out at end ${this.end}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
