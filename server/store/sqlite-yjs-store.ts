// Yjs rooms in the hub's SQLite file (migration 4), through a connection of
// their own. Each call commits before it resolves, so an update acknowledged
// by the store survives a crash.
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { SqliteConnection } from './sqlite-connection';
import { deleteStale } from './sqlite-migrations';
import type { SqliteStoreOptions } from './sqlite-store';
import type { RoomUsage, StoredRoom, YjsStore } from './yjs-store';

interface UpdateRow {
  seq: number;
  data: Buffer;
}

export class SqliteYjsStore
  extends SqliteConnection<ReturnType<typeof prepareStatements>>
  implements YjsStore
{
  constructor(file: string, options: SqliteStoreOptions = {}) {
    super(file, options, prepareStatements);
  }

  async load(room: string, { use = true }: { use?: boolean } = {}): Promise<StoredRoom> {
    const read = (): StoredRoom => {
      const rows = this.q.updates.all(room) as UpdateRow[];
      if (use && rows.length > 0) this.q.touch.run(this.now(), room);
      let bytes = 0;
      const updates = rows.map((r) => {
        bytes += r.data.length;
        return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.length);
      });
      return { updates, lastSeq: rows.at(-1)?.seq ?? 0, bytes };
    };
    // One SELECT is a consistent read by itself; a use writes, so it takes the write lock.
    return use ? this.db.transaction(read).immediate() : read();
  }

  async append(
    room: string,
    updates: readonly Uint8Array[],
  ): Promise<RoomUsage & { lastSeq: number }> {
    return this.db
      .transaction(() => {
        const now = this.now();
        let bytes = 0;
        for (const u of updates) bytes += u.length;
        this.q.upsertRoom.run(room, updates.length, bytes, now, now);
        let seq = (this.q.lastSeq.get(room) as { seq: number | null }).seq ?? 0;
        for (const u of updates) this.q.insert.run(room, ++seq, u);
        return { ...(this.q.usage.get(room) as RoomUsage), lastSeq: seq };
      })
      .immediate();
  }

  async compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    return this.db
      .transaction(() => {
        this.q.deleteThrough.run(room, throughSeq);
        this.q.insert.run(room, throughSeq, merged);
        this.q.recount.run(room, room, room);
        return (this.q.usage.get(room) as RoomUsage | undefined) ?? { updates: 0, bytes: 0 };
      })
      .immediate();
  }

  async delete(room: string): Promise<boolean> {
    return this.q.deleteRoom.run(room).changes > 0;
  }

  async list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]> {
    return this.q.list.all() as (RoomUsage & { name: string; lastAccess: number })[];
  }

  async touch(rooms: readonly string[]): Promise<void> {
    if (rooms.length === 0) return;
    this.db
      .transaction(() => {
        const now = this.now();
        for (const room of rooms) this.q.touch.run(now, room);
      })
      .immediate();
  }

  async purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, this.q.stale, this.q.deleteRoom, cutoff, keep);
  }
}

function prepareStatements(db: Database.Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    updates: s('SELECT seq, data FROM yjs_updates WHERE room = ? ORDER BY seq'),
    touch: s('UPDATE yjs_rooms SET last_access = ? WHERE name = ?'),
    upsertRoom: s(`
      INSERT INTO yjs_rooms (name, updates, bytes, created_at, last_access) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET updates = updates + excluded.updates,
        bytes = bytes + excluded.bytes, last_access = excluded.last_access`),
    lastSeq: s('SELECT max(seq) AS seq FROM yjs_updates WHERE room = ?'),
    insert: s('INSERT INTO yjs_updates (room, seq, data) VALUES (?, ?, ?)'),
    usage: s('SELECT updates, bytes FROM yjs_rooms WHERE name = ?'),
    deleteThrough: s('DELETE FROM yjs_updates WHERE room = ? AND seq <= ?'),
    recount: s(`
      UPDATE yjs_rooms SET
        updates = (SELECT count(*) FROM yjs_updates WHERE room = ?),
        bytes = (SELECT coalesce(sum(length(data)), 0) FROM yjs_updates WHERE room = ?)
      WHERE name = ?`),
    deleteRoom: s('DELETE FROM yjs_rooms WHERE name = ?'),
    list: s(`SELECT name, updates, bytes, last_access AS lastAccess FROM yjs_rooms
      ORDER BY last_access DESC`),
    stale: s('SELECT name AS id FROM yjs_rooms WHERE last_access < ?'),
  };
}
