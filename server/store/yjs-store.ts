// Where Yjs rooms persist: a room is its list of stored updates, appended as
// they happen and now and then replaced by one compacted update. The contract
// every backend (memory, SQLite, Redis) implements; open-store.ts picks one.

export interface StoredRoom {
  /** Applied in order, these rebuild the room. Empty for a room never stored. */
  updates: Uint8Array[];
  /** The sequence number of the last update, for compact(). 0 when there is none. */
  lastSeq: number;
  bytes: number;
}

/** What the stored rows add up to after a write. */
export interface RoomUsage {
  updates: number;
  bytes: number;
}

export interface YjsStore {
  readonly kind: string;
  /**
   * The room's stored updates; counts as a use unless `use` is false, which
   * writes nothing (a read while the store takes no writes: a full disk, a
   * read-only file).
   */
  load(room: string, options?: { use?: boolean }): Promise<StoredRoom>;
  /** Appends updates in one commit, creating the room; resolves once durable. */
  append(room: string, updates: readonly Uint8Array[]): Promise<RoomUsage & { lastSeq: number }>;
  /**
   * Replaces the updates up to `throughSeq` with `merged`. Updates appended
   * after `throughSeq` stay, so compaction never races a write away.
   */
  compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage>;
  /** False if the room was not stored. */
  delete(room: string): Promise<boolean>;
  /** Rooms, with what they hold, most recently used first. */
  list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]>;
  /**
   * Counts as a use of each of these rooms that is stored (the rooms with
   * clients on this hub, before a sweep: so another hub's sweep keeps them).
   */
  touch(rooms: readonly string[]): Promise<void>;
  /** Deletes rooms last used before `cutoff` unless `keep(name)`; returns their names. */
  purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]>;
  /**
   * Resolves once a small write of the store's own commits (SQLite, Redis):
   * while a room's commits fail, it probes with this every second and sends
   * its kept updates again only once the probe commits.
   */
  probeWrite?(): Promise<void>;
  close(): Promise<void>;
}
