// A Zwibbler client over the real `ws` library, for tests: it sends INIT and
// other messages, reassembles continuation chunks and decodes what arrives.
import WebSocket from 'ws';
import { Inbox } from './inbox';
import { splitIntoChunks } from '../protocols/zwibbler/chunks';
import { decodeMessage, encodeMessage } from '../protocols/zwibbler/codec';
import type { InitMessage, Message } from '../protocols/zwibbler/codec';

export interface InitOptions {
  docId: string;
  version?: 2 | 3;
  offset?: number;
  creationMode?: number;
  maxMessageSize?: number;
  initialData?: string | Uint8Array;
}

export function initMessage(o: InitOptions): InitMessage {
  return {
    type: 'init',
    version: o.version ?? 3,
    maxMessageSize: o.maxMessageSize ?? 0,
    creationMode: o.creationMode ?? 0,
    generation: 0,
    offset: o.offset ?? 0,
    docId: Buffer.from(o.docId),
    initialData:
      typeof o.initialData === 'string'
        ? Buffer.from(o.initialData)
        : (o.initialData ?? Buffer.alloc(0)),
  };
}

/** A SET-KEY from plain strings; `lifetime` 0 is a client key. */
export function setKeyMessage(o: {
  name: string;
  value: string;
  lifetime?: number;
  oldVersion?: number;
  newVersion: number;
  requestId?: number;
}): Message {
  return {
    type: 'set-key',
    requestId: o.requestId ?? 1,
    lifetime: o.lifetime ?? 0,
    oldVersion: o.oldVersion ?? 0,
    newVersion: o.newVersion,
    name: Buffer.from(o.name),
    value: Buffer.from(o.value),
  };
}

export interface Closed {
  code: number;
  reason: string;
}

export class ZwibblerClient {
  /** Every WebSocket message as received. */
  readonly frames: Buffer[] = [];
  /** Every whole protocol message, decoded. */
  private readonly inbox = new Inbox<Message>();
  readonly messages: Message[] = this.inbox.items;
  readonly closed: Promise<Closed>;
  private partial: Buffer[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onFrame(data));
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.inbox.close();
      });
    });
    ws.on('error', () => {});
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<ZwibblerClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new ZwibblerClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Opens, sends INIT and waits for the initial APPEND (or an ERROR). */
  static async join(url: string, init: InitOptions): Promise<ZwibblerClient> {
    const client = await ZwibblerClient.open(url);
    client.send(initMessage(init));
    await client.next();
    return client;
  }

  send(message: Message, chunkSize = Infinity): void {
    for (const chunk of splitIntoChunks(encodeMessage(message), chunkSize)) this.ws.send(chunk);
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  append(offset: number, data: string | Uint8Array, layout: 2 | 3 = 3): void {
    this.send({ type: 'append', layout, generation: 0, offset, data: Buffer.from(data) });
  }

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  next(timeoutMs = 5000): Promise<Message> {
    return this.inbox.next(timeoutMs, 'message');
  }

  /** The next message of one type, skipping others (key updates from other tests' clients, say). */
  async nextOf<T extends Message['type']>(
    type: T,
    timeoutMs = 5000,
  ): Promise<Extract<Message, { type: T }>> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.type === type) return m as Extract<Message, { type: T }>;
    }
  }

  /** Resolves true if nothing arrives within `ms`. */
  async quiet(ms = 150): Promise<boolean> {
    const before = this.messages.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.messages.length === before;
  }

  close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close();
    }
    return this.closed;
  }

  private onFrame(data: Buffer): void {
    this.frames.push(data);
    if (this.partial.length > 0) this.partial.push(data.subarray(2));
    else this.partial.push(data);
    if (data[1] !== 0) return;
    const whole = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
    this.partial = [];
    this.inbox.push(decodeMessage(whole));
  }
}
