// Where Yjs rooms persist: a room is its list of stored updates, appended as
// they happen and now and then replaced by one compacted update. The contract,
// the in-memory backend, and the choice made from config (DESIGN.md rule 3).
import type { HubConfig } from '../config/schema';
import { openSqliteFile } from './open-store';
import type { RedisClient } from './redis-connection';
import { RedisYjsStore } from './redis-yjs-store';
import { SqliteYjsStore } from './sqlite-yjs-store';
import type { StoreOptions } from './types';

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
  /** The room's stored updates; counts as a use. */
  load(room: string): Promise<StoredRoom>;
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
  /** Deletes rooms last used before `cutoff` unless `keep(name)`; returns their names. */
  purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]>;
  close(): Promise<void>;
}

interface MemoryRoom {
  rows: { seq: number; data: Uint8Array }[];
  nextSeq: number;
  lastAccess: number;
}

const usage = (room: MemoryRoom): RoomUsage => ({
  updates: room.rows.length,
  bytes: room.rows.reduce((sum, r) => sum + r.data.length, 0),
});

/** For tests and `Database=memory`: lost on exit. */
export class MemoryYjsStore implements YjsStore {
  readonly kind = 'memory';
  private readonly rooms = new Map<string, MemoryRoom>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async load(name: string): Promise<StoredRoom> {
    const room = this.rooms.get(name);
    if (!room) return { updates: [], lastSeq: 0, bytes: 0 };
    room.lastAccess = this.now();
    return {
      updates: room.rows.map((r) => r.data),
      lastSeq: room.nextSeq - 1,
      bytes: usage(room).bytes,
    };
  }

  async append(
    name: string,
    updates: readonly Uint8Array[],
  ): Promise<RoomUsage & { lastSeq: number }> {
    let room = this.rooms.get(name);
    if (!room) this.rooms.set(name, (room = { rows: [], nextSeq: 1, lastAccess: 0 }));
    for (const data of updates)
      room.rows.push({ seq: room.nextSeq++, data: Uint8Array.from(data) });
    room.lastAccess = this.now();
    return { ...usage(room), lastSeq: room.nextSeq - 1 };
  }

  async compact(name: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    const room = this.rooms.get(name);
    if (!room) return { updates: 0, bytes: 0 };
    const kept = room.rows.filter((r) => r.seq > throughSeq);
    room.rows = [{ seq: throughSeq, data: Uint8Array.from(merged) }, ...kept];
    return usage(room);
  }

  async delete(name: string): Promise<boolean> {
    return this.rooms.delete(name);
  }

  async list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]> {
    return [...this.rooms]
      .map(([name, room]) => ({ name, lastAccess: room.lastAccess, ...usage(room) }))
      .sort((a, b) => b.lastAccess - a.lastAccess);
  }

  async purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const [name, room] of this.rooms) {
      if (room.lastAccess >= cutoff || keep(name)) continue;
      this.rooms.delete(name);
      gone.push(name);
    }
    return gone;
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

/**
 * Memory when Database=memory, Redis (the hub's shared connection) when
 * Database=redis, otherwise the hub's SQLite file (its own connection).
 */
export function openYjsStore(
  config: HubConfig,
  now: () => number = Date.now,
  redis?: RedisClient,
): YjsStore {
  if (config.Database === 'memory') return new MemoryYjsStore({ now });
  if (config.Database === 'redis' && redis) return new RedisYjsStore(redis, { now });
  return openSqliteFile(
    config,
    (file, synchronous) => new SqliteYjsStore(file, { synchronous, now }),
  );
}
