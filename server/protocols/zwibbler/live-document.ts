// The live state of one Zwibbler document while clients are connected: its
// members, its client keys, and one queue that runs every operation on the
// document in arrival order. Because a commit and its fan-out happen inside the
// same queued task, every reader sees appends in commit order
// (docs/protocols/zwibbler.md#fan-out-follows-commit-order), and a join's read
// cannot interleave with an append
// (docs/protocols/zwibbler.md#a-join-never-misses-an-append).
//
// With several hubs, appends committed elsewhere arrive over the bus, and two
// hubs' announcements may cross on the way. Each document therefore tracks the
// end its members have been sent: an append past that end waits for the ones
// before it, and if they do not come (a message lost while Redis was down),
// the missing bytes are read from the store, which is the truth.
import type { Bus } from '../../cluster/bus';
import type { DocumentStore } from '../../store/types';
import { encodeAppend, encodeMessage } from './codec';
import type { KeyEntry } from './codec';
import { LocalSessionKeys } from './session-keys';
import type { SessionKeys } from './session-keys';

/** `origin` is the sending client; `hub` the hub it is on (set by LiveDocument.publish). */
export type DocumentEvent = (
  | { kind: 'append'; origin: string; offset: number; data: Uint8Array }
  | { kind: 'keys'; origin: string; keys: KeyEntry[] }
  | { kind: 'broadcast'; origin: string; data: Uint8Array }
  | { kind: 'deleted' }
) & { hub?: string };

type AppendEvent = Extract<DocumentEvent, { kind: 'append' }>;

/** How long an append past a hole waits for the appends before it, before the store fills the hole. */
const HOLE_WAIT_MS = 250;
/** Appends held behind a hole before the store is asked at once. */
const MAX_HELD = 256;

/** An event as delivered to members, encoded at most once per wire form. */
export class Delivery {
  private v2: Buffer | undefined;
  private v3: Buffer | undefined;
  private broadcast: Buffer | undefined;
  constructor(readonly event: DocumentEvent) {}

  broadcastBytes(): Buffer {
    const e = this.event;
    if (e.kind !== 'broadcast') throw new Error('not a broadcast');
    return (this.broadcast ??= encodeMessage({ type: 'broadcast', data: e.data }));
  }

  appendBytes(layout: 2 | 3): Buffer {
    const e = this.event;
    if (e.kind !== 'append') throw new Error('not an append');
    if (layout === 2) return (this.v2 ??= encodeAppend(2, e.offset, e.data));
    return (this.v3 ??= encodeAppend(3, e.offset, e.data));
  }
}

export interface DocumentMember {
  readonly clientId: string;
  deliver(delivery: Delivery): void;
}

export class LiveDocument {
  readonly members = new Map<string, DocumentMember>();
  /** Sessions holding this document, joined or joining. */
  holders = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;
  /** The end of the appends sent to members so far; -1 until the first is known. */
  private end = -1;
  private readonly held = new Map<number, AppendEvent>();
  private holeTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    readonly id: string,
    private readonly bus: Bus,
    private readonly store: DocumentStore,
  ) {
    this.unsubscribe = bus.subscribe<DocumentEvent>(topicOf(id), (e) => this.fanOut(e));
  }

  /** What a join read from the store: appends before it need not be waited for. */
  noteLength(length: number): void {
    if (length > this.end) this.end = length;
  }

  /** Runs `task` after every task queued before it; a failure does not block later tasks. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  publish(event: DocumentEvent): void {
    this.bus.publish(topicOf(this.id), { ...event, hub: this.bus.hubId });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.holeTimer);
    this.unsubscribe();
  }

  /** Reads whatever this hub has not sent yet from the store (after the bus may have lost some). */
  catchUp(): void {
    // A failed read is a storage fault the store's watch reports; the next hole or
    // resync tries again. Never an unhandled rejection, which would end the hub.
    this.run(() => this.fillFromStore()).catch(() => undefined);
  }

  private fanOut(event: DocumentEvent): void {
    if (event.kind === 'append') return this.fanOutAppend(event);
    this.deliver(event);
  }

  private fanOutAppend(event: AppendEvent): void {
    if (this.end >= 0 && event.offset > this.end) {
      this.held.set(event.offset, event);
      if (this.held.size >= MAX_HELD) this.catchUp();
      else this.holeTimer ??= setTimeout(() => this.catchUp(), HOLE_WAIT_MS);
      return;
    }
    this.end = Math.max(this.end, event.offset + event.data.length);
    this.deliver(event);
    // Whatever was waiting on this append can go now, in order.
    for (let next = this.held.get(this.end); next; next = this.held.get(this.end)) {
      this.held.delete(next.offset);
      this.end = next.offset + next.data.length;
      this.deliver(next);
    }
    if (this.held.size === 0) {
      clearTimeout(this.holeTimer);
      this.holeTimer = undefined;
    }
  }

  private async fillFromStore(): Promise<void> {
    clearTimeout(this.holeTimer);
    this.holeTimer = undefined;
    if (this.disposed || this.end < 0) return;
    const loaded = await this.store.loadDocument(
      this.id,
      'never-create',
      new Uint8Array(),
      this.end,
    );
    if (loaded.status !== 'ok' || loaded.length <= this.end) return;
    const fill: AppendEvent = { kind: 'append', origin: '', offset: this.end, data: loaded.tail };
    this.fanOutAppend(fill);
    // Held appends inside what the store gave are duplicates now; members skip them by offset.
    for (const [offset, held] of this.held) {
      if (offset < this.end) {
        this.held.delete(offset);
        this.deliver(held);
      }
    }
  }

  private deliver(event: DocumentEvent): void {
    const delivery = new Delivery(event);
    // Only the sender's own hub knows it by clientId; elsewhere the same ID is another client.
    const origin = event.hub === this.bus.hubId && 'origin' in event ? event.origin : undefined;
    for (const member of [...this.members.values()]) {
      if (member.clientId !== origin) member.deliver(delivery);
    }
  }
}

export const topicOf = (documentId: string): string => `zwibbler:${documentId}`;

/** The documents that have clients, created on first join and dropped after the last leave. */
export class LiveDocuments {
  private readonly docs = new Map<string, LiveDocument>();
  private readonly stopCatchingUp: () => void;

  constructor(
    private readonly bus: Bus,
    private readonly store: DocumentStore,
    readonly sessionKeys: SessionKeys = new LocalSessionKeys(),
  ) {
    this.stopCatchingUp = bus.onGap(() => {
      for (const doc of this.docs.values()) doc.catchUp();
    });
  }

  /** Stops listening to the bus; the documents go as their sessions leave. */
  dispose(): void {
    this.stopCatchingUp();
  }

  acquire(id: string): LiveDocument {
    let doc = this.docs.get(id);
    if (!doc) {
      doc = new LiveDocument(id, this.bus, this.store);
      this.docs.set(id, doc);
    }
    doc.holders++;
    return doc;
  }

  release(doc: LiveDocument): void {
    if (--doc.holders > 0) return;
    doc.dispose();
    if (this.docs.get(doc.id) === doc) this.docs.delete(doc.id);
  }

  get(id: string): LiveDocument | undefined {
    return this.docs.get(id);
  }

  /** The IDs of the documents in memory. */
  ids(): string[] {
    return [...this.docs.keys()];
  }

  get size(): number {
    return this.docs.size;
  }
}

/**
 * Deletes a document (the management API's deleteDocument, the dashboard's
 * DELETE). On a live one it runs in the document's queue: the rows go first,
 * then the `deleted` event (each member sends ERROR 1 and closes), so a member
 * told is never shown the document again after a crash; a delete that fails
 * tells nobody.
 */
export async function deleteDocument(
  documents: LiveDocuments,
  store: DocumentStore,
  id: string,
): Promise<boolean> {
  const live = documents.get(id);
  if (!live) return store.deleteDocument(id);
  return live.run(async () => {
    const deleted = await store.deleteDocument(id);
    live.publish({ kind: 'deleted' });
    return deleted;
  });
}
