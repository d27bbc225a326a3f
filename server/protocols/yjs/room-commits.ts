// What a Yjs room has stored, and what it may show. Every update the room's
// doc applies is numbered. This hub's own updates are queued and committed
// when something that may hold them is to be sent (whenDurable): a busy
// room's broadcast at the end of its interval, a SyncStep2, an answer to
// another hub; one commit at a time, each taking everything queued. Updates
// from other hubs were committed there before they were announced. So nothing
// a client has seen is lost in a crash, and a busy room pays one commit per
// broadcast, not one per update (docs/protocols/yjs.md#when-updates-are-stored). Compaction runs beside the
// commits, never in front of them
// (docs/protocols/yjs.md#compaction).
import * as Y from 'yjs';
import type { Logger } from '../../log/logger';
import type { RoomUsage, YjsStore } from '../../store/yjs-store';
import { applyInSteps } from './stepped-load';

/** Retry delay after the store failed a write; the batch stays queued meanwhile. */
const WRITE_RETRY_MS = 1000;

export interface CompactionLimits {
  compactUpdates: number;
  compactBytes: number;
  /** What one event-loop turn of a compaction may apply (YjsMaxUpdateStructs); all at once when absent. */
  maxUpdateStructs?: number;
}

/** What the room hears from its commits. */
export interface CommitHooks {
  /** A batch is committed (the room announces it to other hubs). */
  committed(batch: Uint8Array[]): void;
  /** A commit failed; the batch is kept and written again every WRITE_RETRY_MS. */
  failed(err: Error): void;
  /** A commit succeeded after one or more failed. */
  recovered(): void;
}

interface Waiter {
  /** The number of the last update the waiter may show. */
  through: number;
  run(): void;
  /** Called instead of run when the room is dropped first. */
  dropped?(): void;
  /** Called instead of run when a commit it waits for fails (it would wait until the fault clears). */
  failed?(): void;
}

/** What a waiter does instead of running, if the room is dropped or a commit fails first. */
export interface Otherwise {
  dropped?(): void;
  failed?(): void;
}

export class RoomCommits {
  /** The number of the last update the doc applied. */
  private applied = 0;
  /** Every update numbered up to this one is stored (here or by another hub). */
  private durable = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The commit in flight, if any; it never rejects. */
  private writing: Promise<void> | undefined;
  private inFlightBytes = 0;
  private writeFailed = false;
  private compacting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private disposed = false;
  /** Bytes and rows of the stored state, as the store last reported them. */
  private storedBytes: number;
  private storedUpdates: number;
  /** Size of the state at the last compaction: growth past it triggers the next one. */
  private compactedBytes: number;

  constructor(
    private readonly name: string,
    private readonly store: YjsStore,
    private readonly limits: CompactionLimits,
    private readonly log: Logger,
    stored: { updates: number; bytes: number; firstBytes: number },
    private readonly hooks: CommitHooks,
  ) {
    this.storedBytes = stored.bytes;
    this.storedUpdates = stored.updates;
    this.compactedBytes = stored.firstBytes;
    if (this.needsCompaction()) this.compactSoon();
  }

  /** Stored, being stored and queued: what the room limit checks. */
  get bytes(): number {
    return this.storedBytes + this.inFlightBytes + this.pendingBytes;
  }

  /** The number of the last update known to be stored. */
  get durableThrough(): number {
    return this.durable;
  }

  /**
   * Numbers an update the doc has applied. This hub's own (`local`) are
   * queued until a waiter needs them (whenDurable); another hub's are stored
   * already. Committing per update instead cost a busy room over twice the
   * transactions (docs/benchmarks.md).
   */
  add(update: Uint8Array, local: boolean): number {
    const n = ++this.applied;
    if (local) {
      this.pending.push(update);
      this.pendingBytes += update.length;
    }
    this.advance();
    return n;
  }

  /**
   * Runs `run` once every update up to `through` (by default all applied so
   * far) is stored, committing what is queued if nothing is being written.
   */
  whenDurable(run: () => void, through = this.applied, otherwise: Otherwise = {}): void {
    if (through <= this.durable) return run();
    this.waiters.push({ through, run, ...otherwise });
    if (!this.retryTimer) this.commit();
  }

  /** Commits what is queued; true once everything applied so far is stored. */
  async flush(): Promise<boolean> {
    for (;;) {
      this.commit();
      const busy = this.writing ?? this.compacting;
      if (!busy) return this.pending.length === 0;
      await busy;
      if (this.writeFailed) return false;
    }
  }

  /** Stops writing; waiters are dropped (their clients are going). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.dropped?.();
  }

  private commit(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.writing || this.pending.length === 0 || this.disposed) return;
    const batch = this.pending;
    const bytes = this.pendingBytes;
    const through = this.applied;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlightBytes = bytes;
    this.writing = this.store.append(this.name, batch).then(
      (usage) => {
        this.writing = undefined;
        this.inFlightBytes = 0;
        const recovered = this.writeFailed;
        this.writeFailed = false;
        this.recordUsage(usage);
        this.durable = through;
        if (recovered) this.hooks.recovered();
        this.hooks.committed(batch);
        this.advance();
        // What arrived while this commit was in flight goes next, if a waiter needs it.
        if (this.waiters.length > 0) this.commit();
        if (this.needsCompaction()) this.compactSoon();
      },
      (err: Error) => {
        this.writing = undefined;
        this.inFlightBytes = 0;
        this.writeFailed = true;
        // Kept, unseen by anyone, and written again: a store hiccup loses nothing.
        this.log.error({ err: err.message, room: this.name }, 'storing Yjs updates failed');
        this.pending = batch.concat(this.pending);
        this.pendingBytes += bytes;
        if (this.disposed) return;
        this.retryTimer = setTimeout(() => this.retry(), WRITE_RETRY_MS);
        this.hooks.failed(err);
        // Those that would rather not wait for the fault to clear (a newcomer's first sync).
        const stranded = this.waiters.filter((w) => w.failed);
        this.waiters = this.waiters.filter((w) => !w.failed);
        for (const w of stranded) w.failed!();
      },
    );
  }

  /**
   * After a failed commit: the store's own small write first, where it has
   * one, so that a large kept batch is not sent every second into a store
   * that cannot take it (on Redis, each one sent may yet run when it wakes).
   */
  private retry(): void {
    this.retryTimer = undefined;
    if (this.disposed) return;
    if (!this.store.probeWrite) return this.commit();
    this.store.probeWrite().then(
      () => this.commit(),
      (err: Error) => {
        if (this.disposed || this.writing || this.retryTimer) return;
        this.hooks.failed(err);
        this.retryTimer = setTimeout(() => this.retry(), WRITE_RETRY_MS);
      },
    );
  }

  /** Everything applied is stored when nothing is queued or in flight; runs the waiters it frees. */
  private advance(): void {
    if (!this.writing && this.pending.length === 0) this.durable = this.applied;
    if (this.waiters.length === 0 || this.waiters[0]!.through > this.durable) return;
    const ready = this.waiters.filter((w) => w.through <= this.durable);
    this.waiters = this.waiters.filter((w) => w.through > this.durable);
    for (const w of ready) w.run();
  }

  private recordUsage(usage: RoomUsage): void {
    this.storedBytes = usage.bytes;
    this.storedUpdates = usage.updates;
  }

  private needsCompaction(): boolean {
    return (
      this.storedUpdates >= this.limits.compactUpdates ||
      (this.storedUpdates > 1 && this.storedBytes - this.compactedBytes >= this.limits.compactBytes)
    );
  }

  /** After the current turn, so that the broadcast a commit frees goes out first. */
  private compactSoon(): void {
    if (this.compacting || this.disposed) return;
    this.compacting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.compact())
      .finally(() => (this.compacting = undefined));
  }

  /**
   * Replaces the stored rows with one update holding their garbage-collected
   * state. Built from the rows themselves, not from the room's doc: with
   * several hubs, the store may hold rows this hub has not applied yet. Rows
   * appended meanwhile stay after it (YjsStore.compact), so commits go on.
   */
  private async compact(): Promise<void> {
    if (this.disposed) return;
    try {
      const stored = await this.store.load(this.name);
      if (stored.updates.length < 2) return; // deleted, or compacted meanwhile
      const scratch = new Y.Doc({ gc: true });
      // A room of YjsMaxRoomStructs rebuilt in one turn would stall every client of the hub.
      await applyInSteps(scratch, stored.updates, this.limits.maxUpdateStructs ?? Infinity);
      const merged = Y.encodeStateAsUpdate(scratch);
      scratch.destroy();
      const from = this.storedUpdates;
      const usage = await this.store.compact(this.name, merged, stored.lastSeq);
      this.recordUsage(usage);
      this.compactedBytes = merged.length;
      this.log.debug(
        { room: this.name, from, to: usage.updates, bytes: usage.bytes },
        'Yjs room compacted',
      );
    } catch (err) {
      this.log.error({ err: (err as Error).message, room: this.name }, 'Yjs compaction failed');
    }
  }
}
