// Yjs rooms in memory, for tests and `Database=memory`: lost on exit.
import type { StoreOptions } from './types';
import type { RoomUsage, StoredRoom, YjsStore } from './yjs-store';

interface MemoryRoom {
  rows: { seq: number; data: Uint8Array }[];
  nextSeq: number;
  lastAccess: number;
}

const usage = (room: MemoryRoom): RoomUsage => ({
  updates: room.rows.length,
  bytes: room.rows.reduce((sum, r) => sum + r.data.length, 0),
});

export class MemoryYjsStore implements YjsStore {
  readonly kind = 'memory';
  private readonly rooms = new Map<string, MemoryRoom>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async load(name: string, { use = true }: { use?: boolean } = {}): Promise<StoredRoom> {
    const room = this.rooms.get(name);
    if (!room) return { updates: [], lastSeq: 0, bytes: 0 };
    if (use) room.lastAccess = this.now();
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

  async touch(names: readonly string[]): Promise<void> {
    const now = this.now();
    for (const name of names) {
      const room = this.rooms.get(name);
      if (room) room.lastAccess = now;
    }
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
