// A chat client over the real `ws` library, for tests: it records every frame
// (text or binary) and waits for the next one, as the original browser client
// (beejjorgensen/websockets-demo chat-client.js) would receive them.
import WebSocket from 'ws';
import { Inbox } from './inbox';

export const CHAT_SUBPROTOCOL = 'beej-chat-protocol';

export interface ChatFrame {
  text: string;
  binary: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface ChatOpenOptions {
  /** Defaults to `beej-chat-protocol`; `[]` offers none. */
  protocols?: string | string[];
  origin?: string;
  headers?: Record<string, string>;
}

export class ChatClient {
  private readonly inbox = new Inbox<ChatFrame>();
  readonly frames: ChatFrame[] = this.inbox.items;
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.inbox.push({ text: data.toString('utf8'), binary: isBinary });
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.inbox.close();
      });
    });
    ws.on('error', () => {});
  }

  static async open(url: string, options: ChatOpenOptions = {}): Promise<ChatClient> {
    const ws = new WebSocket(url, options.protocols ?? CHAT_SUBPROTOCOL, {
      perMessageDeflate: false,
      origin: options.origin,
      headers: options.headers,
    });
    const client = new ChatClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Opens and joins, and waits for its own join to come back. */
  static async join(url: string, username: string, options?: ChatOpenOptions) {
    const client = await ChatClient.open(url, options);
    client.send('chat-join', { username });
    await client.next();
    return client;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(type: string, payload: unknown): void {
    this.ws.send(JSON.stringify({ type, payload }));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame's text; rejects when the socket closes first or after `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<string> {
    const frame = await this.inbox.next(timeoutMs);
    if (frame.binary) throw new Error('expected a text frame, got a binary one');
    return frame.text;
  }

  /** Frames received and not yet taken by next(). */
  get pending(): number {
    return this.inbox.unread;
  }

  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close();
    }
    return this.closed;
  }
}

/**
 * Tries an upgrade and returns the HTTP status: 101 when the hub accepted it
 * (the socket is then closed at once), otherwise the refusal's status.
 */
export function upgradeStatus(url: string, options: ChatOpenOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? CHAT_SUBPROTOCOL, {
      perMessageDeflate: false,
      origin: options.origin,
      headers: options.headers,
    });
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    ws.once('upgrade', () => resolve(101));
    ws.once('open', () => ws.close());
    ws.on('error', (err) => {
      if (!err.message.startsWith('Unexpected server response')) reject(err);
    });
  });
}

/** The JSON text the hub sends for a chat message, with the original's key order. */
export function chatJson(type: string, payload: Record<string, string | undefined>): string {
  return JSON.stringify({ type, payload });
}
