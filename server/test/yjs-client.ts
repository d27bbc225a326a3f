// Yjs clients for tests: the real y-websocket WebsocketProvider (with `ws` and
// `disableBc`, so that providers in one process cannot sync behind the hub's
// back), and a raw socket that records the hub's frames byte for byte.
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { Inbox } from './inbox';
import { decodeFrame } from '../protocols/yjs/codec';
import type { YjsMessage } from '../protocols/yjs/codec';

export interface ProviderOptions {
  doc?: Y.Doc;
  params?: Record<string, string>;
  protocols?: string[];
  connect?: boolean;
  /** The client's source address (any of 127.0.0.0/8 on Linux): a device of its own. */
  localAddress?: string;
}

/** `ws` bound to a source address, as the provider's WebSocketPolyfill. */
export function webSocketFrom(localAddress: string): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress });
    }
  } as typeof WebSocket;
}

export interface TestProvider {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close events the provider saw, in order. */
  closes: { code: number; reason: string }[];
  /** Permission-denied reasons the provider received. */
  denied: string[];
  /** Resolves at the next `sync(true)` (at once if already synced). */
  synced(): Promise<void>;
  destroy(): void;
}

export function openProvider(
  wsUrl: string,
  room: string,
  options: ProviderOptions = {},
): TestProvider {
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, room, doc, {
    WebSocketPolyfill: (options.localAddress
      ? webSocketFrom(options.localAddress)
      : WebSocket) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: options.connect ?? true,
    params: options.params ?? {},
    protocols: options.protocols ?? [],
  });
  const closes: TestProvider['closes'] = [];
  const denied: string[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  // The stock client only logs permission-denied; tests read it from the socket.
  provider.on('status', ({ status }) => {
    if (status !== 'connected' || !provider.ws) return;
    provider.ws.addEventListener('message', (event: MessageEvent) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (bytes[0] === 2) {
        const m = decodeFrame(bytes)[0];
        if (m?.type === 'auth') denied.push(m.reason);
      }
    });
  });
  return {
    doc,
    provider,
    closes,
    denied,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise((resolve) => provider.once('sync', () => resolve())),
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export interface Closed {
  code: number;
  reason: string;
}

/** A bare WebSocket speaking the y-websocket protocol by hand. */
export class RawYjsClient {
  private readonly inbox = new Inbox<Uint8Array>();
  readonly frames: Uint8Array[] = this.inbox.items;
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      this.inbox.push(new Uint8Array(data));
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.inbox.close();
      });
    });
    ws.on('error', () => {});
  }

  /** `origin`: the Origin header a browser page would send (none, as a program, when absent). */
  static async open(url: string, protocols: string[] = [], origin?: string): Promise<RawYjsClient> {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, origin });
    const client = new RawYjsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes, { binary: typeof bytes !== 'string' });
  }

  /** The next frame; rejects if the socket closes first. */
  next(timeoutMs = 10_000): Promise<Uint8Array> {
    return this.inbox.next(timeoutMs);
  }

  /** Skips frames until one decodes to a message of this type. */
  async nextOf<T extends YjsMessage['type']>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<YjsMessage, { type: T }>> {
    for (;;) {
      const message = decodeFrame(await this.next(timeoutMs))[0]!;
      if (message.type === type) return message as Extract<YjsMessage, { type: T }>;
    }
  }

  /** Resolves when no frame arrives for `ms`; returns what did arrive meanwhile. */
  async quiet(ms = 300): Promise<Uint8Array[]> {
    const start = this.frames.length;
    await new Promise((r) => setTimeout(r, ms));
    const extra = this.frames.slice(start);
    this.inbox.skipAll();
    return extra;
  }

  close(): void {
    this.ws.close();
  }
}
