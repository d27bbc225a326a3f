// The Yjs rooms in memory. A room is loaded once however many clients arrive
// together, and unloaded when its last client has gone and its updates are
// stored, so memory follows the rooms in use rather than every room ever
// opened (the stock server never unloads without persistence:
// docs/protocols/yjs.md#idle-rooms-leave-memory).
import type { Bus } from '../../cluster/bus';
import type { StorageFaults } from '../../hub/storage-faults';
import { within } from '../../hub/within';
import type { Logger } from '../../log/logger';
import type { YjsStore } from '../../store/yjs-store';
import type { RoomChanges } from './change-callback';
import { YjsRoom } from './room';
import type { RoomLimits } from './room';

interface Entry {
  loading: Promise<YjsRoom>;
  room?: YjsRoom;
  /** Clients holding the room, counted from the moment they ask for it. */
  holders: number;
}

/** How long stop() waits for one room's updates to be stored (the store may be down). */
const STOP_FLUSH_MS = 5000;

export class RoomsFullError extends Error {
  constructor(max: number) {
    super(`the hub already holds ${max} Yjs rooms in memory (YjsMaxRooms)`);
    this.name = 'RoomsFullError';
  }
}

export class YjsRooms {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;
  private readonly stopResyncing: () => void;

  private readonly limits: RoomLimits & { maxRooms: number };

  constructor(
    private readonly store: YjsStore,
    limits: RoomLimits & { maxRooms: number },
    private readonly log: Logger,
    /** Other hubs, when the hub shares a bus with them. */
    private readonly bus?: Bus,
    /** Where rooms report writes that fail (the hub's health). */
    private readonly faults?: StorageFaults,
    /** Who hears of the rooms' stored changes (the change callback). */
    private readonly changes?: RoomChanges,
  ) {
    this.limits = {
      ...limits,
      liveBytes: () => this.liveBytes(),
      liveStructs: () => this.liveStructs(),
    };
    this.stopResyncing =
      bus?.onGap(() => {
        for (const entry of this.entries.values()) entry.room?.resync();
      }) ?? (() => undefined);
  }

  /** Bytes of every loaded room together, as each counts them for YjsMaxRoomBytes. */
  liveBytes(): number {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.room?.bytes ?? 0;
    return bytes;
  }

  /** Structs of every loaded room together, as each counts them for YjsMaxRoomStructs. */
  liveStructs(): number {
    let structs = 0;
    for (const entry of this.entries.values()) structs += entry.room?.structs ?? 0;
    return structs;
  }

  /** Rooms in memory, loading ones included. */
  get size(): number {
    return this.entries.size;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The names of the rooms in memory, loading ones included. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The room once loaded; undefined while loading or when not in memory. */
  peek(name: string): YjsRoom | undefined {
    return this.entries.get(name)?.room;
  }

  /**
   * Holds a room, loading it first if needed. Every acquire needs one release.
   * Rejects with RoomsFullError, or the store's error (the hold is then dropped).
   */
  async acquire(name: string): Promise<YjsRoom> {
    if (this.stopped) throw new Error('the hub is stopping');
    let entry = this.entries.get(name);
    if (!entry) {
      if (this.entries.size >= this.limits.maxRooms) throw new RoomsFullError(this.limits.maxRooms);
      const loading = YjsRoom.load(name, this.store, this.limits, this.log, {
        bus: this.bus,
        faults: this.faults,
        changes: this.changes,
      });
      const created: Entry = { loading, holders: 0 };
      entry = created;
      this.entries.set(name, created);
      loading.then(
        (room) => (created.room = room),
        () => this.entries.get(name) === created && this.entries.delete(name),
      );
    }
    entry.holders++;
    try {
      return await entry.loading;
    } catch (err) {
      entry.holders--;
      throw err;
    }
  }

  /** Drops a hold; the last one unloads the room once its updates are stored. */
  release(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || --entry.holders > 0) return;
    void this.unloadIfIdle(name, entry);
  }

  private async unloadIfIdle(name: string, entry: Entry): Promise<void> {
    const room = await entry.loading.catch(() => undefined);
    if (!room) return;
    const saved = await room.flush();
    // Someone may have come back while the updates were written.
    if (entry.holders > 0 || this.entries.get(name) !== entry) return;
    if (!saved) {
      this.log.warn({ room: name }, 'Yjs room kept in memory: its updates are not stored yet');
      return;
    }
    this.entries.delete(name);
    room.destroy();
    this.log.debug({ room: name }, 'Yjs room unloaded');
  }

  /**
   * Forgets a room at once, without storing what is queued (its class was
   * deleted); with `deleteStored`, its stored updates go too. Its clients
   * must already be closing.
   */
  async discard(name: string, { deleteStored }: { deleteStored: boolean }): Promise<void> {
    const entry = this.entries.get(name);
    if (entry) {
      this.entries.delete(name);
      const room = await entry.loading.catch(() => undefined);
      room?.destroy();
    }
    if (deleteStored) await this.store.delete(name);
  }

  /** Whether the room holds anything, in memory or stored. */
  async exists(name: string): Promise<boolean> {
    if (this.entries.has(name)) return true;
    return (await this.store.load(name)).updates.length > 0;
  }

  /** Stores every room and drops them all: on hub stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopResyncing();
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      const room = await entry.loading.catch(() => undefined);
      if (!room) continue;
      const flush = room.flush();
      const saved = (await within(flush, STOP_FLUSH_MS)) && (await flush);
      if (!saved) {
        this.log.error(
          { room: room.name },
          'Yjs room closed with updates that could not be stored',
        );
      }
      room.destroy();
    }
  }
}
