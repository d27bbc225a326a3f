// One Yjs room in memory: its Y.Doc and Awareness, the connections in it, and
// its persistence. The stored state is applied before the room is handed to
// anyone, so no client ever syncs against a half-loaded document (the stock
// server's bug; see
// docs/protocols/yjs.md#the-stored-state-is-loaded-before-the-first-sync).
// Every update the doc accepts is appended to the store in per-tick batches
// and compacted past a threshold. With several hubs, a RoomLink carries the
// room's changes between them.
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Bus } from '../../cluster/bus';
import type { Logger } from '../../log/logger';
import type { YjsStore } from '../../store/yjs-store';
import { encodeAwareness, encodeUpdate } from './codec';
import { REMOTE, RoomLink } from './room-link';

/** What a broadcast frame carries: the document, or presence (awareness). */
export type FrameKind = 'doc' | 'presence';

/** What a room needs of a connection in it. */
export interface RoomMember {
  /** Live traffic: counted against the member's queue cap. */
  deliver(frame: Uint8Array, kind: FrameKind): void;
  /** Awareness client IDs this member introduced (removed when it leaves). */
  readonly controlledIds: Set<number>;
}

export interface RoomLimits {
  maxRoomBytes: number;
  compactUpdates: number;
  compactBytes: number;
  /** Updates within this many ms of the last broadcast go out together (default BROADCAST_MS). */
  broadcastMs?: number;
}

/** Retry delay after the store failed a write; the batch stays queued meanwhile. */
const WRITE_RETRY_MS = 1000;

/**
 * Fan-out costs one write syscall per member per frame, whatever the frame's
 * size: that is most of a busy room's CPU. So updates that arrive within this
 * long of the room's last broadcast are merged into the next one, sent when
 * the interval ends; an update after a quiet spell goes out at once. A busy
 * room then broadcasts at most 50 times a second, each update waiting 20 ms at
 * most, under one frame at 60 Hz.
 */
const BROADCAST_MS = 20;

export class YjsRoom {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly members = new Set<RoomMember>();
  /** Bytes of the stored rows, as the store last reported them. */
  private storedBytes: number;
  /** Bytes handed to the store and not yet committed. */
  private inFlightBytes = 0;
  private storedUpdates: number;
  private lastSeq: number;
  /** Size of the state at the last compaction: growth past it triggers the next one. */
  private compactedBytes: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private destroyed = false;
  private link: RoomLink | undefined;
  /** Updates waiting for the next broadcast, and when the last one went. */
  private outgoing: Uint8Array[] = [];
  private broadcastTimer: NodeJS.Timeout | undefined;
  private lastBroadcastAt = -Infinity;

  private constructor(
    readonly name: string,
    private readonly store: YjsStore,
    private readonly limits: RoomLimits,
    private readonly log: Logger,
    stored: { updates: number; bytes: number; lastSeq: number; firstBytes: number },
  ) {
    this.doc = new Y.Doc({ gc: true });
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null); // the hub itself is not a participant
    this.storedBytes = stored.bytes;
    this.storedUpdates = stored.updates;
    this.lastSeq = stored.lastSeq;
    this.compactedBytes = stored.firstBytes;
  }

  /** Reads the room from the store and applies it; only then is the room usable. */
  static async load(
    name: string,
    store: YjsStore,
    limits: RoomLimits,
    log: Logger,
    bus?: Bus,
  ): Promise<YjsRoom> {
    const stored = await store.load(name);
    const room = new YjsRoom(name, store, limits, log, {
      updates: stored.updates.length,
      bytes: stored.bytes,
      lastSeq: stored.lastSeq,
      firstBytes: stored.updates[0]?.length ?? 0,
    });
    try {
      if (stored.updates.length > 0) Y.applyUpdate(room.doc, Y.mergeUpdates(stored.updates));
    } catch (err) {
      room.destroy();
      throw new Error(`stored state of Yjs room cannot be applied: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // Listeners go on after loading, so the loaded state is not stored again.
    room.doc.on('update', (update: Uint8Array, origin: unknown) =>
      room.onDocUpdate(update, origin),
    );
    room.awareness.on('update', (changes: AwarenessChanges, origin: unknown) =>
      room.onAwarenessUpdate(changes, origin),
    );
    if (room.needsCompaction()) room.compactSoon();
    if (bus) {
      room.link = new RoomLink(room, bus, log);
      room.link.requestSync(); // another hub may hold updates not stored yet
    }
    return room;
  }

  /** After the bus may have lost messages: ask the other hubs again. */
  resync(): void {
    this.link?.requestSync();
  }

  /** Whether an update of this size still fits under YjsMaxRoomBytes. */
  fits(updateBytes: number): boolean {
    return this.bytes + updateBytes <= this.limits.maxRoomBytes;
  }

  /** Stored, being stored and queued: what the room limit checks. */
  get bytes(): number {
    return this.storedBytes + this.inFlightBytes + this.pendingBytes;
  }

  /** Every awareness state the room knows, as one awareness message; undefined if none. */
  awarenessFrame(clientIds = [...this.awareness.getStates().keys()]): Uint8Array | undefined {
    if (clientIds.length === 0) return undefined;
    return encodeAwareness(encodeAwarenessUpdate(this.awareness, clientIds));
  }

  /** Writes what is queued; true once everything accepted so far is durable. */
  async flush(): Promise<boolean> {
    this.writeNow();
    let seen: Promise<void>;
    do {
      seen = this.writing;
      await seen;
    } while (seen !== this.writing); // a compaction may have been chained meanwhile
    return this.pending.length === 0;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Drops the doc and its awareness timer. Call flush() first. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.link?.dispose();
    clearTimeout(this.flushTimer);
    clearTimeout(this.broadcastTimer); // members resync on their next connection
    this.awareness.destroy();
    this.doc.destroy();
  }

  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    this.outgoing.push(update);
    this.broadcastSoon();
    // The hub whose client sent an update stores it and tells the others.
    if (origin === REMOTE) return;
    this.link?.announceUpdate(update);
    this.pending.push(update);
    this.pendingBytes += update.length;
    this.flushTimer ??= setTimeout(() => this.writeNow(), 0);
  }

  private broadcastSoon(): void {
    if (this.broadcastTimer) return;
    const wait =
      this.lastBroadcastAt + (this.limits.broadcastMs ?? BROADCAST_MS) - performance.now();
    if (wait <= 0) this.broadcast();
    else this.broadcastTimer = setTimeout(() => this.broadcast(), wait);
  }

  private broadcast(): void {
    this.broadcastTimer = undefined;
    const updates = this.outgoing;
    this.outgoing = [];
    this.lastBroadcastAt = performance.now();
    const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    const frame = encodeUpdate(merged);
    // Senders get their own updates back, as from the stock server
    // (docs/protocols/yjs.md#updates).
    for (const member of this.members) member.deliver(frame, 'doc');
  }

  /** Sends the updates waiting for the next broadcast now, so every member has all the doc holds. */
  broadcastPendingNow(): void {
    if (!this.broadcastTimer) return;
    clearTimeout(this.broadcastTimer);
    this.broadcast();
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChanges, origin: unknown): void {
    const member = origin as RoomMember | undefined;
    if (member && this.members.has(member)) {
      for (const id of added) member.controlledIds.add(id);
      for (const id of removed) member.controlledIds.delete(id);
    }
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const update = encodeAwarenessUpdate(this.awareness, changed);
    const frame = encodeAwareness(update);
    for (const m of this.members) m.deliver(frame, 'presence');
    if (origin !== REMOTE) this.link?.announceAwareness(update);
  }

  private writeNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const batchBytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlightBytes += batchBytes;
    this.writing = this.writing
      .then(() => this.store.append(this.name, batch))
      .then(
        (usage) => {
          this.inFlightBytes -= batchBytes;
          this.storedBytes = usage.bytes;
          this.storedUpdates = usage.updates;
          this.lastSeq = usage.lastSeq;
          if (this.needsCompaction()) this.compactSoon();
        },
        (err: Error) => {
          // Kept in memory and written again: an acknowledged edit is not dropped on a store hiccup.
          this.log.error({ err: err.message, room: this.name }, 'storing Yjs updates failed');
          this.inFlightBytes -= batchBytes;
          this.pending.unshift(...batch);
          this.pendingBytes += batchBytes;
          if (!this.destroyed)
            this.flushTimer ??= setTimeout(() => this.writeNow(), WRITE_RETRY_MS);
        },
      );
  }

  private needsCompaction(): boolean {
    return (
      this.storedUpdates >= this.limits.compactUpdates ||
      (this.storedUpdates > 1 && this.storedBytes - this.compactedBytes >= this.limits.compactBytes)
    );
  }

  /**
   * Replaces the stored rows with one update holding their garbage-collected
   * state. Built from the rows themselves, not from this doc: with several
   * hubs, the store may hold rows this hub has not applied yet.
   */
  private compactSoon(): void {
    this.writing = this.writing.then(async () => {
      if (this.destroyed) return;
      try {
        const stored = await this.store.load(this.name);
        const scratch = new Y.Doc({ gc: true });
        Y.applyUpdate(scratch, Y.mergeUpdates(stored.updates));
        const merged = Y.encodeStateAsUpdate(scratch);
        scratch.destroy();
        const usage = await this.store.compact(this.name, merged, stored.lastSeq);
        this.log.debug(
          { room: this.name, from: this.storedUpdates, to: usage.updates, bytes: usage.bytes },
          'Yjs room compacted',
        );
        this.storedUpdates = usage.updates;
        this.storedBytes = usage.bytes;
        this.compactedBytes = merged.length;
      } catch (err) {
        this.log.error({ err: (err as Error).message, room: this.name }, 'Yjs compaction failed');
      }
    });
  }
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}
