// The document-change callback (docs/protocols/yjs.md#change-callback), the
// setting-driven twin of y-websocket-server's CALLBACK_URL: after a room's
// updates are stored, and once it has been quiet for the debounce wait (or the
// longest wait has passed), the hub POSTs the room's name and the named shared
// types' JSON. Unlike the original, each room has its own debounce (the
// original shared one across rooms, so a change in one room could swallow
// another's), at most one call per room is in flight, a few in all, and calls
// can be signed like the Zwibbler webhook. A room that leaves memory has its
// body built at once, to wait for a free call; those waiting bodies are capped
// in bytes together, the oldest dropped first, so a slow receiver cannot make
// the hub hold every room it ever closed.
import type * as Y from 'yjs';
import type { CallbackType } from '../../config/values';
import { hubVersion } from '../../config/version';
import type { Logger } from '../../log/logger';
import { postOnce, SIGNATURE_HEADER, signBody } from '../../transport/outbound-post';

export interface ChangeCallbackOptions {
  url: string;
  debounceMs: number;
  maxWaitMs: number;
  timeoutMs: number;
  /** Shared type name -> its type: what the body carries. */
  objects: Record<string, CallbackType>;
  /** Signs each call as the Zwibbler webhook does, when set. */
  secret?: string;
  log: Logger;
  /** Calls in flight at once, every room together. */
  maxConcurrent?: number;
  /** Bodies of rooms no longer in memory waiting for a call, in bytes together (YjsCallbackMaxQueuedBytes). */
  maxQueuedBytes: number;
  /** A waiting body was dropped to stay within maxQueuedBytes. */
  onDrop?: () => void;
}

interface Pending {
  /** The room's doc while it is in memory; let go once `body` is built from it. */
  doc?: Y.Doc;
  firstAt: number;
  timer?: NodeJS.Timeout;
  /** Built when due, or when the room leaves memory before that. */
  body?: Buffer;
}

/** What a room tells the callback. */
export interface RoomChanges {
  /** The room's updates up to now are stored. */
  changed(room: string, doc: Y.Doc): void;
  /** The room leaves memory: a call still waiting reads the doc now. */
  closing(room: string): void;
}

export class ChangeCallback implements RoomChanges {
  private readonly url: URL;
  private readonly pending = new Map<string, Pending>();
  /** Rooms whose call is due, in the order they became due. */
  private readonly due = new Set<string>();
  private readonly sending = new Set<string>();
  private readonly controller = new AbortController();
  private readonly tasks = new Set<Promise<void>>();
  private readonly maxConcurrent: number;
  /** Bytes of the bodies built and not yet sent. */
  private queuedBytes = 0;
  private stopping = false;

  constructor(private readonly o: ChangeCallbackOptions) {
    this.url = new URL(o.url);
    this.maxConcurrent = o.maxConcurrent ?? 4;
  }

  changed(room: string, doc: Y.Doc): void {
    if (this.stopping) return;
    const entry = this.pending.get(room);
    if (entry && (entry.body || this.due.has(room))) {
      // Its call is about to go: it reads this doc, which holds this change too.
      this.unqueue(entry);
      entry.body = undefined;
      entry.doc = doc;
      return;
    }
    const now = Date.now();
    const next = entry ?? { doc, firstAt: now };
    next.doc = doc;
    clearTimeout(next.timer);
    this.pending.set(room, next);
    const wait = Math.max(0, Math.min(this.o.debounceMs, next.firstAt + this.o.maxWaitMs - now));
    next.timer = setTimeout(() => this.makeDue(room), wait);
  }

  closing(room: string): void {
    const entry = this.pending.get(room);
    if (!entry?.doc || entry.body) return;
    clearTimeout(entry.timer);
    entry.body = this.bodyOf(room, entry.doc);
    entry.doc = undefined;
    this.queuedBytes += entry.body.length;
    this.makeDue(room);
    this.dropOldestOverCap();
  }

  /**
   * Sends what waits at once and gives the calls one timeout to finish, so that
   * the last changes before a stop are reported too; then aborts the rest.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const [room, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.due.add(room);
    }
    this.pump();
    const deadline = Date.now() + this.o.timeoutMs;
    while (this.tasks.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.tasks]),
        new Promise((r) => (timer = setTimeout(r, deadline - Date.now()))),
      ]);
      clearTimeout(timer);
    }
    this.controller.abort();
    this.pending.clear();
    this.due.clear();
    this.queuedBytes = 0;
    await Promise.allSettled([...this.tasks]);
  }

  private makeDue(room: string): void {
    this.due.add(room);
    this.pump();
  }

  private pump(): void {
    for (const room of this.due) {
      if (this.sending.size >= this.maxConcurrent) return;
      if (this.sending.has(room)) continue; // its next call waits for this one
      const entry = this.pending.get(room);
      this.due.delete(room);
      if (!entry) continue;
      this.pending.delete(room);
      this.sending.add(room);
      this.unqueue(entry);
      const body = entry.body ?? this.bodyOf(room, entry.doc!);
      const task = this.send(room, body).finally(() => {
        this.sending.delete(room);
        this.tasks.delete(task);
        this.pump();
      });
      this.tasks.add(task);
    }
  }

  /** The entry's body no longer waits: it is being sent, or will be rebuilt. */
  private unqueue(entry: Pending): void {
    if (entry.body) this.queuedBytes -= entry.body.length;
  }

  /** Waiting bodies, oldest first, go until the rest fit in maxQueuedBytes. */
  private dropOldestOverCap(): void {
    for (const room of [...this.due]) {
      if (this.queuedBytes <= this.o.maxQueuedBytes) return;
      const entry = this.pending.get(room);
      if (!entry?.body) continue;
      this.due.delete(room);
      this.pending.delete(room);
      this.queuedBytes -= entry.body.length;
      this.o.onDrop?.();
      this.o.log.warn(
        { room, bytes: entry.body.length, maxQueuedBytes: this.o.maxQueuedBytes },
        'change callback dropped: the receiver is too slow for the rooms waiting (YjsCallbackMaxQueuedBytes)',
      );
    }
  }

  private bodyOf(room: string, doc: Y.Doc): Buffer {
    const data: Record<string, { type: CallbackType; content: unknown }> = {};
    for (const [name, type] of Object.entries(this.o.objects)) {
      data[name] = { type, content: contentOf(doc, name, type) };
    }
    return Buffer.from(JSON.stringify({ room, data }), 'utf8');
  }

  private async send(room: string, body: Buffer): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `lanboard/${hubVersion()}`,
    };
    if (this.o.secret) headers[SIGNATURE_HEADER] = signBody(this.o.secret, body);
    const started = Date.now();
    const outcome = await postOnce(this.url, body, {
      headers,
      timeoutMs: this.o.timeoutMs,
      signal: this.controller.signal,
    });
    const fields = { room, bytes: body.length, ms: Date.now() - started, ...outcome };
    // Not retried, as the original: the next change sends the whole content again.
    if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
      this.o.log.debug(fields, 'change callback delivered');
    } else if (!this.controller.signal.aborted) {
      this.o.log.warn(fields, 'change callback failed');
    }
  }
}

function contentOf(doc: Y.Doc, name: string, type: CallbackType): unknown {
  switch (type) {
    case 'Array':
      return doc.getArray(name).toJSON();
    case 'Map':
      return doc.getMap(name).toJSON();
    case 'Text':
      return doc.getText(name).toJSON();
    case 'XmlFragment':
      return doc.getXmlFragment(name).toJSON();
    case 'XmlElement':
      return doc.get(name).toJSON();
  }
}
