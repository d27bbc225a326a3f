// One Yjs room in memory: its Y.Doc and Awareness, the connections in it, and
// its persistence. The stored state is applied before the room is handed to
// anyone, so no client ever syncs against a half-loaded document (the stock
// server's bug; see
// docs/protocols/yjs.md#the-stored-state-is-loaded-before-the-first-sync).
// Every update the doc accepts is committed (room-commits.ts) before any
// member or other hub sees it; members get them merged, at most once per
// broadcast interval. With several hubs, a RoomLink carries the room's
// changes between them.
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Bus } from '../../cluster/bus';
import type { StorageFaults } from '../../hub/storage-faults';
import type { RoomChanges } from './change-callback';
import type { Logger } from '../../log/logger';
import type { YjsStore } from '../../store/yjs-store';
import { encodeAwareness, encodeUpdate } from './codec';
import { docStructs } from './doc-structs';
import { applyInSteps } from './stepped-load';
import { RoomCommits } from './room-commits';
import { REMOTE, RoomLink } from './room-link';

/** The limits on what a room holds that an update can pass. */
export type RoomLimitName =
  'YjsMaxRoomBytes' | 'YjsMaxLiveBytes' | 'YjsMaxRoomStructs' | 'YjsMaxLiveStructs';

/** What a broadcast frame carries: the document, or presence (awareness). */
export type FrameKind = 'doc' | 'presence';

/** What a room needs of a connection in it. */
export interface RoomMember {
  /** Live traffic: counted against the member's queue cap. */
  deliver(frame: Uint8Array, kind: FrameKind): void;
  /** Awareness client IDs this member introduced (removed when it leaves). */
  readonly controlledIds: Set<number>;
  /** The room's updates cannot be stored (`reason`): a member that writes must stop. */
  storeFailed?(reason: string): void;
}

export interface RoomLimits {
  maxRoomBytes: number;
  /** Bytes of every room in memory together (YjsMaxLiveBytes); unbounded when absent. */
  maxLiveBytes?: number;
  /** Those bytes now: the rooms' sum, which the hub's YjsRooms keeps. */
  liveBytes?(): number;
  /** Structs one room may hold in memory (YjsMaxRoomStructs); unbounded when absent. */
  maxRoomStructs?: number;
  /** Structs of every room in memory together (YjsMaxLiveStructs); unbounded when absent. */
  maxLiveStructs?: number;
  /** Those structs now: the rooms' sum, which the hub's YjsRooms keeps. */
  liveStructs?(): number;
  /** What one event-loop turn may apply while the room loads (YjsMaxUpdateStructs); all at once when absent. */
  maxUpdateStructs?: number;
  compactUpdates: number;
  compactBytes: number;
  /** Updates within this many ms of the last broadcast go out together (default BROADCAST_MS). */
  broadcastMs?: number;
}

/**
 * Fan-out costs one write syscall per member per frame, whatever the frame's
 * size: that is most of a busy room's CPU. So updates that arrive within this
 * long of the room's last broadcast are merged into the next one, sent when
 * the interval ends; an update after a quiet spell is committed at the end
 * of its event-loop turn, with any others read in it, and goes out as soon as
 * the commit is done. A busy room then broadcasts
 * at most 50 times a second, each update waiting 20 ms at most, under one
 * frame at 60 Hz.
 */
const BROADCAST_MS = 20;

/** An update the doc applied, waiting for the next broadcast, with its number in RoomCommits. */
interface Outgoing {
  update: Uint8Array;
  n: number;
}

export class YjsRoom {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly members = new Set<RoomMember>();
  private readonly commits: RoomCommits;
  private destroyed = false;
  private link: RoomLink | undefined;
  private outgoing: Outgoing[] = [];
  /** The doc's structs, counted after each update (docStructs): what YjsMaxRoomStructs bounds. */
  private structCount = 0;
  /** Set while a broadcast waits for its interval to end, or for its updates' commit. */
  private broadcastTimer: NodeJS.Timeout | undefined;
  /** Set while a broadcast after a quiet spell waits for the end of the event-loop turn. */
  private broadcastTurn: NodeJS.Immediate | undefined;
  private awaitingCommit = false;
  private lastBroadcastAt = -Infinity;
  private fault: string | undefined;
  /** While writes fail: the room as stored, read once for every newcomer meanwhile. */
  private storedWhileFailing: Promise<Y.Doc> | undefined;

  private constructor(
    readonly name: string,
    private readonly store: YjsStore,
    private readonly limits: RoomLimits,
    log: Logger,
    stored: { updates: number; bytes: number; firstBytes: number },
    private readonly faults: StorageFaults | undefined,
    private readonly changes: RoomChanges | undefined,
  ) {
    this.doc = new Y.Doc({ gc: true });
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState(null); // the hub itself is not a participant
    this.commits = new RoomCommits(name, store, limits, log, stored, {
      // Other hubs show what they are told at once: tell them only what is stored.
      committed: (batch) => {
        this.link?.announceUpdate(batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch));
        this.changes?.changed(this.name, this.doc);
      },
      failed: (err) => this.writesFailed(err.message),
      recovered: () => this.writesRecovered(),
    });
  }

  /** Reads the room from the store and applies it; only then is the room usable. */
  static async load(
    name: string,
    store: YjsStore,
    limits: RoomLimits,
    log: Logger,
    /**
     * Other hubs, when the hub shares a bus with them; where failed writes are
     * reported; who hears of stored changes (the change callback).
     */
    hub: { bus?: Bus; faults?: StorageFaults; changes?: RoomChanges } = {},
  ): Promise<YjsRoom> {
    // A room opened while the store takes no writes is still read, without counting as a use.
    const stored = await store.load(name).catch(() => store.load(name, { use: false }));
    const stats = {
      updates: stored.updates.length,
      bytes: stored.bytes,
      firstBytes: stored.updates[0]?.length ?? 0,
    };
    const room = new YjsRoom(name, store, limits, log, stats, hub.faults, hub.changes);
    try {
      await applyInSteps(room.doc, stored.updates, limits.maxUpdateStructs ?? Infinity);
    } catch (err) {
      room.destroy();
      throw new Error(`stored state of Yjs room cannot be applied: ${(err as Error).message}`, {
        cause: err,
      });
    }
    room.structCount = docStructs(room.doc);
    // Listeners go on after loading, so the loaded state is not stored again.
    room.doc.on('update', (update: Uint8Array, origin: unknown) =>
      room.onDocUpdate(update, origin),
    );
    room.awareness.on('update', (changes: AwarenessChanges, origin: unknown) =>
      room.onAwarenessUpdate(changes, origin),
    );
    if (hub.bus) {
      room.link = new RoomLink(room, hub.bus, log);
      room.link.requestSync(); // another hub may hold updates not stored yet
    }
    return room;
  }

  /** After the bus may have lost messages: ask the other hubs again. */
  resync(): void {
    this.link?.requestSync();
  }

  /**
   * The limit an update of this many bytes and structs would pass; undefined
   * when it fits. Its structs are an upper bound of what it adds (some may be
   * known already, or merge with their neighbours).
   */
  limitPassedBy(updateBytes: number, updateStructs: number): RoomLimitName | undefined {
    const { maxRoomStructs, maxLiveBytes, liveBytes, maxLiveStructs, liveStructs } = this.limits;
    if (this.bytes + updateBytes > this.limits.maxRoomBytes) return 'YjsMaxRoomBytes';
    if (maxRoomStructs !== undefined && this.structCount + updateStructs > maxRoomStructs) {
      return 'YjsMaxRoomStructs';
    }
    if (maxLiveBytes !== undefined && liveBytes && liveBytes() + updateBytes > maxLiveBytes) {
      return 'YjsMaxLiveBytes';
    }
    if (
      maxLiveStructs !== undefined &&
      liveStructs &&
      liveStructs() + updateStructs > maxLiveStructs
    ) {
      return 'YjsMaxLiveStructs';
    }
    return undefined;
  }

  /** Structs the doc holds in memory (YjsMaxRoomStructs). */
  get structs(): number {
    return this.structCount;
  }

  /** Stored, being stored and queued: what the room limit checks. */
  get bytes(): number {
    return this.commits.bytes;
  }

  /**
   * Runs `send` once everything the doc holds now is stored. Whatever the hub
   * sends that holds document content (a SyncStep2, an answer to another hub)
   * is encoded now and sent from here, so no client sees what a crash could lose.
   * If a commit it waits for fails, `failed` runs instead, at once.
   */
  whenDurable(send: () => void, failed?: () => void): void {
    this.commits.whenDurable(send, undefined, { failed });
  }

  /** Resolves once everything the doc holds now is stored (the hub's own edits answer after it). */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      const gone = () => reject(new Error('the room was unloaded before its updates were stored'));
      if (this.destroyed) return gone();
      this.commits.whenDurable(resolve, undefined, { dropped: gone });
    });
  }

  /**
   * The state vector of what every member has been sent: the doc's, less the
   * updates still waiting for a broadcast. A member that stops getting
   * broadcasts (a locked screen) holds at least this.
   */
  sentStateVector(): Uint8Array {
    const sv = Y.decodeStateVector(Y.encodeStateVector(this.doc));
    for (const { update } of this.outgoing) {
      for (const [client, clock] of Y.parseUpdateMeta(update).from) {
        if (clock < (sv.get(client) ?? 0)) sv.set(client, clock);
      }
    }
    return Y.encodeStateVector(sv);
  }

  /** Every awareness state the room knows, as one awareness message; undefined if none. */
  awarenessFrame(clientIds = [...this.awareness.getStates().keys()]): Uint8Array | undefined {
    if (clientIds.length === 0) return undefined;
    return encodeAwareness(encodeAwarenessUpdate(this.awareness, clientIds));
  }

  /** Commits what is queued; true once everything accepted so far is durable. */
  flush(): Promise<boolean> {
    return this.commits.flush();
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * While the room's updates cannot be stored: the room as the store holds it,
   * without the edits waiting to be stored, for newcomers to read
   * (docs/protocols/yjs.md#when-updates-are-stored). Undefined while writes work.
   */
  storedState(): Promise<Y.Doc> | undefined {
    if (this.fault === undefined || this.destroyed) return undefined;
    if (!this.storedWhileFailing) {
      const reading = this.store.load(this.name, { use: false }).then((stored) => {
        const doc = new Y.Doc({ gc: true });
        if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates));
        return doc;
      });
      // A failed read is tried again by the next newcomer.
      reading.catch(() => {
        if (this.storedWhileFailing === reading) this.storedWhileFailing = undefined;
      });
      this.storedWhileFailing = reading;
    }
    return this.storedWhileFailing;
  }

  /** Why this room's updates cannot be stored now; undefined while they can. */
  get writeFault(): string | undefined {
    return this.fault;
  }

  /**
   * A commit failed: what it held stays unseen and is retried, the hub's
   * health says why, and members that write are stopped, so that no one goes
   * on editing what is not being saved (docs/protocols/yjs.md#when-updates-are-stored).
   */
  private writesFailed(reason: string): void {
    const first = this.fault === undefined;
    this.fault = reason;
    this.faults?.report(this.faultName, reason);
    if (first) for (const member of [...this.members]) member.storeFailed?.(reason);
  }

  private writesRecovered(): void {
    this.fault = undefined;
    this.faults?.clear(this.faultName);
    void this.storedWhileFailing?.then(
      (doc) => doc.destroy(),
      () => undefined,
    );
    this.storedWhileFailing = undefined;
  }

  private get faultName(): string {
    return `Yjs room ${this.name}`;
  }

  /** Drops the doc and its awareness timer. Call flush() first. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.link?.dispose();
    this.commits.dispose();
    if (this.fault !== undefined) this.writesRecovered(); // the room and its queue are gone
    clearTimeout(this.broadcastTimer); // members resync on their next connection
    clearImmediate(this.broadcastTurn);
    this.changes?.closing(this.name);
    this.awareness.destroy();
    this.doc.destroy();
  }

  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    this.structCount = docStructs(this.doc);
    // The hub whose client sent an update stores it; another hub's is stored already.
    const n = this.commits.add(update, origin !== REMOTE);
    this.outgoing.push({ update, n });
    this.broadcastSoon();
  }

  private untilNextBroadcast(): number {
    return this.lastBroadcastAt + (this.limits.broadcastMs ?? BROADCAST_MS) - performance.now();
  }

  private broadcastSoon(): void {
    if (this.broadcastTimer || this.broadcastTurn || this.awaitingCommit) return;
    const wait = this.untilNextBroadcast();
    // After a quiet spell: at the end of this turn, so that the updates read in
    // it share one commit and one frame (committing each alone cost the 10×200
    // bench row twice the transactions of the hub before commit-before-broadcast).
    if (wait <= 0) this.broadcastTurn = setImmediate(() => this.broadcastWhenStored());
    else this.broadcastTimer = setTimeout(() => this.broadcastWhenStored(), wait);
  }

  /** The interval is over: the waiting updates go out once committed. */
  private broadcastWhenStored(): void {
    this.broadcastTimer = this.broadcastTurn = undefined;
    const last = this.outgoing.at(-1);
    if (!last) return;
    this.awaitingCommit = true;
    this.commits.whenDurable(() => {
      this.awaitingCommit = false;
      this.broadcast();
    }, last.n);
  }

  private broadcast(): void {
    if (this.destroyed) return;
    // Updates applied since the broadcast was due go too, if already stored.
    const durable = this.commits.durableThrough;
    let count = 0;
    while (count < this.outgoing.length && this.outgoing[count]!.n <= durable) count++;
    const updates = this.outgoing.splice(0, count).map((o) => o.update);
    this.lastBroadcastAt = performance.now();
    const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    const frame = encodeUpdate(merged);
    // Senders get their own updates back, as from the stock server
    // (docs/protocols/yjs.md#updates).
    for (const member of this.members) member.deliver(frame, 'doc');
    if (this.outgoing.length > 0) this.broadcastSoon();
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
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}
