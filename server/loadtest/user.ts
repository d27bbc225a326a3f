// What teachers and students share: connecting (with reconnects), the V2 INIT
// of the reference tester (docs/loadtest.md#connecting), the initial load,
// following the document's end, and recording screen-to-screen samples. Nothing
// the server sends makes a client throw: unexpected messages and errors are
// counted, and the run goes on.
import {
  CreationMode,
  decodeMessage,
  encodeMessage,
  MessageType,
} from '../protocols/zwibbler/codec';
import type { Message } from '../protocols/zwibbler/codec';
import { LeanClient } from './client';
import type { LeanClientHandler } from './client';
import type { Metrics } from './metrics';
import type { LoadTestOptions } from './options';
import { elapsedSince, readStamp } from './timestamp';

export type Role = 'teacher' | 'student';

export interface ChangeEvent {
  kind: 'sent' | 'acked' | 'conflict' | 'abandoned';
  teacher: number;
  /** The teacher's own change number, from 1; a re-send keeps it. */
  seq: number;
  /** Where it was sent, or the document length in the ACK or NACK. */
  offset: number;
  /** The bytes sent (only on 'sent'). */
  data?: Uint8Array;
}

/** What every client of one run shares. */
export interface RunState {
  readonly options: LoadTestOptions;
  readonly metrics: Metrics;
  /** No new connections or reconnects. */
  stopping: boolean;
  /** Teachers make no new changes (in-flight ones still settle). */
  stopWriting: boolean;
  log: ((line: string) => void) | undefined;
  onChange: ((e: ChangeEvent) => void) | undefined;
}

export abstract class SimUser implements LeanClientHandler {
  /** Document length as this client has it. */
  end = 0;
  /** The initial load has arrived. */
  joined = false;
  private client: LeanClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private initMessage: Buffer | undefined;

  constructor(
    readonly id: number,
    readonly role: Role,
    protected readonly run: RunState,
  ) {}

  /** Connects after `delayMs` (the ramp-up). */
  start(delayMs: number): void {
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  /** Cancels a pending (re)connect, and closes the socket if one is open. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await client.close();
  }

  get isOpen(): boolean {
    return this.client?.isOpen ?? false;
  }

  protected send(bytes: Uint8Array): void {
    this.client?.send(bytes);
  }

  protected say(line: string): void {
    this.run.log?.(`${this.role} ${this.id}: ${line}`);
  }

  private connect(): void {
    this.timer = undefined;
    if (this.run.stopping) return;
    const { url, urls } = this.run.options;
    this.client = new LeanClient(urls?.length ? urls[this.id % urls.length]! : url, this);
  }

  private scheduleReconnect(): void {
    this.client = undefined;
    const { options } = this.run;
    if (this.run.stopping || !options.reconnect) return;
    // A little jitter, so that a restarted server is not hit by every client at once.
    const wait = options.reconnectDelayMs * (1 + options.random());
    this.timer = setTimeout(() => this.connect(), wait);
  }

  // ---- LeanClientHandler -------------------------------------------------------

  opened(): void {
    this.run.metrics.opened();
    // As the reference: V2, possibly-create, default size, offset 0 (the whole document).
    this.initMessage ??= encodeMessage({
      type: 'init',
      version: 2,
      maxMessageSize: 0,
      creationMode: CreationMode.PossiblyCreate,
      generation: 0,
      offset: 0,
      docId: Buffer.from(this.run.options.docId),
      initialData: Buffer.alloc(0),
    });
    this.send(this.initMessage);
  }

  message(bytes: Buffer): void {
    const type = bytes[0];
    if (type === MessageType.AppendV2 || type === MessageType.AppendV3) {
      const at = type === MessageType.AppendV2 ? 10 : 14;
      if (bytes.length < at) return this.unexpected('an APPEND too short to decode');
      const offset = bytes.readUInt32BE(at - 8) * 0x1_0000_0000 + bytes.readUInt32BE(at - 4);
      return this.append(offset, bytes, at);
    }
    let msg: Message;
    try {
      msg = decodeMessage(bytes);
    } catch (err) {
      return this.unexpected(`undecodable message: ${(err as Error).message}`);
    }
    if (msg.type === 'error') {
      this.run.metrics.serverErrors++;
      this.say(`server error ${msg.code}: ${Buffer.from(msg.description).toString()}`);
      return;
    }
    if (msg.type === 'ack-nack') return this.ackNack(msg.status, msg.length);
    this.unexpected(`unexpected ${msg.type} message`);
  }

  malformed(reason: string): void {
    this.unexpected(reason);
  }

  closed(code: number): void {
    const { metrics } = this.run;
    metrics.open--;
    if (this.joined) metrics.joined--;
    this.disconnected();
    this.joined = false;
    this.end = 0;
    if (!this.run.stopping) {
      metrics.disconnects++;
      this.say(`disconnected (close code ${code})`);
    }
    this.scheduleReconnect();
  }

  failed(reason: string): void {
    if (!this.run.stopping) {
      this.run.metrics.failedDials++;
      this.say(`could not connect: ${reason}`);
    }
    this.scheduleReconnect();
  }

  // ---- The document ------------------------------------------------------------

  private append(offset: number, bytes: Buffer, dataAt: number): void {
    const { metrics } = this.run;
    const length = bytes.length - dataAt;
    const newEnd = offset + length;
    if (!this.joined) {
      // The initial load: the document from offset 0. Not a sample
      // (docs/loadtest.md#what-a-sample-covers).
      this.joined = true;
      metrics.joined++;
      this.end = newEnd;
      metrics.seenEnd(newEnd);
      this.loaded(length > 0 ? bytes[bytes.length - 1]! : undefined);
      return;
    }
    metrics.delivered++;
    if (offset > this.end) {
      metrics.gaps++;
      this.say(`gap: append at ${offset}, but the document ended at ${this.end}`);
    }
    if (newEnd > this.end) this.end = newEnd;
    metrics.seenEnd(newEnd);
    if (length >= 4) {
      metrics.latency.record(elapsedSince(readStamp(bytes, dataAt), this.run.options.clock()));
    }
    this.appended(length > 0 ? bytes[bytes.length - 1]! : undefined);
  }

  protected unexpected(what: string): void {
    this.run.metrics.unexpected++;
    this.say(what);
  }

  // ---- What each role adds ---------------------------------------------------------

  /** The initial load arrived; `lastByte` is the document's last byte, if any. */
  protected abstract loaded(lastByte: number | undefined): void;
  /** A live append from another client moved `end`. */
  protected abstract appended(lastByte: number | undefined): void;
  protected abstract ackNack(status: number, length: number): void;
  /** The connection is gone (before any reconnect). */
  protected abstract disconnected(): void;
}
