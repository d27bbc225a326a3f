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
//
// While it has clients, a document keeps its committed bytes in a LiveCopy that
// follows the appends delivered here, so that a join is answered from memory
// (docs/protocols/zwibbler.md#joins-of-a-live-document).
import type { Bus } from '../../cluster/bus';
import type { DocumentStore, LoadResult, OpenMode } from '../../store/types';
import { splitIntoChunks } from './chunks';
import { encodeAppend, encodeMessage } from './codec';
import type { KeyEntry } from './codec';
import { LiveCopy, LiveCopyBudget } from './live-copy';
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
/** How long a first join waits for the bus to follow the document before it reads without a copy. */
const SUBSCRIBE_WAIT_MS = 1000;
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

/** What the live copies may hold: MaxDocumentBytes each, MaxLiveDocumentBytes together. */
export interface CopyLimits {
  budget: LiveCopyBudget;
  maxDocumentBytes: number;
}

/** Copies of any size, for callers without budgets (a hub always gives its own). */
const UNBOUNDED: CopyLimits = {
  budget: new LiveCopyBudget(Number.MAX_SAFE_INTEGER),
  maxDocumentBytes: Number.MAX_SAFE_INTEGER,
};

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
  /** The committed bytes [0, end), once a join has read them all; joins are answered from it. */
  private copy: LiveCopy | undefined;
  /** A join was answered from the copy: the store has not counted it as an access. */
  private untouched = false;

  constructor(
    readonly id: string,
    private readonly bus: Bus,
    private readonly store: DocumentStore,
    private readonly limits: CopyLimits = UNBOUNDED,
  ) {
    this.unsubscribe = bus.subscribe<DocumentEvent>(topicOf(id), (e) => this.fanOut(e));
  }

  /**
   * A join's load, run in the queue: from the live copy when it holds the
   * client's offset, else from the store. A load from the store reads the whole
   * document and keeps it as the copy, once the bus delivers this document's
   * appends (so that none committed elsewhere can fall between the read and
   * the subscription).
   */
  async open(mode: OpenMode, initialData: Uint8Array, offset: number): Promise<LoadResult> {
    const copy = this.copy;
    if (copy && offset <= copy.length) {
      if (mode === 'always-create') return { status: 'exists' };
      this.untouched = true;
      return { status: 'ok', created: false, length: copy.length, tail: copy.from(offset) };
    }
    // A client that has more than the copy (it came from another hub) asks the store.
    if (copy) {
      const loaded = await this.store.loadDocument(this.id, mode, initialData, offset);
      if (loaded.status === 'ok') this.noteLength(loaded.length);
      return loaded;
    }
    const following = await this.subscribed();
    const loaded = await this.store.loadDocument(this.id, mode, initialData, 0);
    if (loaded.status !== 'ok') return loaded;
    const whole = loaded.created ? initialData : loaded.tail;
    if (following && !this.disposed && this.end <= whole.length) {
      this.copy = LiveCopy.keep(this.limits.budget, this.limits.maxDocumentBytes, whole);
    }
    this.noteLength(loaded.length);
    if (loaded.created) return loaded;
    if (offset > loaded.length) return { status: 'invalid-offset', length: loaded.length };
    return { ...loaded, tail: loaded.tail.subarray(offset) };
  }

  /** Whether the bus delivers this document's events yet; a subscription that lags gets no copy. */
  private async subscribed(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS);
    });
    const following = this.bus.subscribed(topicOf(this.id)).then(() => true as const);
    try {
      return await Promise.race([following, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** What a join read from the store: appends before it need not be waited for. */
  private noteLength(length: number): void {
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
    this.dropCopy();
    // Joins answered from memory still count as uses of the document for its expiration.
    if (this.untouched) this.store.touchDocument(this.id).catch(() => undefined);
  }

  /**
   * The initial APPEND of a join that open() answered, from `offset` to
   * `length`, in chunks of `maxChunk`: the copy's shared one when it ends there.
   */
  initialAppend(
    layout: 2 | 3,
    offset: number,
    load: { length: number; tail: Uint8Array },
    maxChunk: number,
  ): Uint8Array[] {
    if (
      this.copy &&
      this.copy.length === load.length &&
      offset + load.tail.length === load.length
    ) {
      return this.copy.initialAppend(layout, offset, maxChunk);
    }
    return splitIntoChunks(encodeAppend(layout, offset, load.tail), maxChunk);
  }

  /** Bytes the live copy holds, 0 without one. */
  get copyBytes(): number {
    return this.copy?.length ?? 0;
  }

  private dropCopy(): void {
    this.copy?.release();
    this.copy = undefined;
  }

  /** Reads whatever this hub has not sent yet from the store (after the bus may have lost some). */
  catchUp(): void {
    // A failed read is a storage fault the store's watch reports; the next hole or
    // resync tries again. Never an unhandled rejection, which would end the hub.
    this.run(() => this.fillFromStore()).catch(() => undefined);
  }

  private fanOut(event: DocumentEvent): void {
    if (event.kind === 'append') return this.fanOutAppend(event);
    if (event.kind === 'deleted') this.dropCopy();
    this.deliver(event);
  }

  /** Delivers an append in commit order, and the copy follows it. */
  private deliverAppend(event: AppendEvent): void {
    if (this.copy && !this.copy.extend(event.offset, event.data)) this.dropCopy();
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
    this.deliverAppend(event);
    // Whatever was waiting on this append can go now, in order.
    for (let next = this.held.get(this.end); next; next = this.held.get(this.end)) {
      this.held.delete(next.offset);
      this.end = next.offset + next.data.length;
      this.deliverAppend(next);
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
    private readonly copyLimits: CopyLimits = UNBOUNDED,
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
      doc = new LiveDocument(id, this.bus, this.store, this.copyLimits);
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

  /** Tells every hub's clients of a document deleted here (its own live copy is gone). */
  announceDeleted(id: string): void {
    this.bus.publish(topicOf(id), { kind: 'deleted', hub: this.bus.hubId });
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
  if (!live) {
    // Other hubs may hold it live: their clients and copies must learn of it.
    const deleted = await store.deleteDocument(id);
    if (deleted) documents.announceDeleted(id);
    return deleted;
  }
  return live.run(async () => {
    const deleted = await store.deleteDocument(id);
    live.publish({ kind: 'deleted' });
    return deleted;
  });
}
