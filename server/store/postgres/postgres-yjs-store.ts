// Yjs rooms in PostgreSQL, shared by hubs: a room row (its counts and the
// last sequence number handed out) and its update rows. An append takes the
// room row's lock in the upsert that reserves its sequence numbers, so two
// hubs appending to one room never get the same ones; compaction holds the
// same lock and replaces only the rows up to the sequence it was given, so an
// update another hub stored meanwhile stays. Each call commits before it
// resolves.
import { bytea, deleteStale } from './postgres-connection';
import { PooledStore } from '../pooled-store';
import type { PostgresDb } from './postgres-connection';
import { roomOf } from '../sql-rows';
import type { UpdateRow } from '../sql-rows';
import type { RoomUsage, StoredRoom, YjsStore } from '../yjs-store';

export class PostgresYjsStore extends PooledStore<PostgresDb> implements YjsStore {
  readonly kind = 'postgresql';

  async load(room: string): Promise<StoredRoom> {
    await this.db.query('UPDATE yjs_rooms SET last_access = $2 WHERE name = $1', [
      room,
      this.now(),
    ]);
    // One statement, one snapshot: the rows agree with each other even while
    // another hub compacts the room.
    return roomOf(
      await this.db.query<UpdateRow>(
        'SELECT seq, data FROM yjs_updates WHERE room = $1 ORDER BY seq',
        [room],
      ),
    );
  }

  async append(
    room: string,
    updates: readonly Uint8Array[],
  ): Promise<RoomUsage & { lastSeq: number }> {
    const bytes = updates.reduce((sum, u) => sum + u.length, 0);
    return this.db.transaction(async (query) => {
      const now = this.now();
      const [usage] = await query<RoomUsage & { lastSeq: number }>(
        `INSERT INTO yjs_rooms AS r (name, updates, bytes, last_seq, created_at, last_access)
         VALUES ($1, $2, $3, $2, $4, $4)
         ON CONFLICT (name) DO UPDATE SET updates = r.updates + excluded.updates,
           bytes = r.bytes + excluded.bytes, last_seq = r.last_seq + excluded.updates,
           last_access = excluded.last_access
         RETURNING updates, bytes, last_seq AS "lastSeq"`,
        [room, updates.length, bytes, now],
      );
      await query(
        `INSERT INTO yjs_updates (room, seq, data)
         SELECT $1, $2 + n, data FROM unnest($3::bytea[]) WITH ORDINALITY AS u (data, n)`,
        [room, usage!.lastSeq - updates.length, updates.map(bytea)],
      );
      return usage!;
    });
  }

  async compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    return this.db.transaction(async (query) => {
      const locked = await query('SELECT 1 FROM yjs_rooms WHERE name = $1 FOR UPDATE', [room]);
      if (locked.length === 0) return { updates: 0, bytes: 0 };
      await query('DELETE FROM yjs_updates WHERE room = $1 AND seq <= $2', [room, throughSeq]);
      await query('INSERT INTO yjs_updates (room, seq, data) VALUES ($1, $2, $3)', [
        room,
        throughSeq,
        bytea(merged),
      ]);
      const [usage] = await query<RoomUsage>(
        `UPDATE yjs_rooms SET
           updates = (SELECT count(*) FROM yjs_updates WHERE room = $1),
           bytes = (SELECT coalesce(sum(length(data)), 0) FROM yjs_updates WHERE room = $1)
         WHERE name = $1 RETURNING updates, bytes`,
        [room],
      );
      return usage!;
    });
  }

  async delete(room: string): Promise<boolean> {
    const gone = await this.db.query('DELETE FROM yjs_rooms WHERE name = $1 RETURNING name', [
      room,
    ]);
    return gone.length > 0;
  }

  async list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]> {
    return this.db.query(
      `SELECT name, updates, bytes, last_access AS "lastAccess" FROM yjs_rooms
       ORDER BY last_access DESC`,
    );
  }

  async touch(rooms: readonly string[]): Promise<void> {
    if (rooms.length === 0) return;
    await this.db.query('UPDATE yjs_rooms SET last_access = $2 WHERE name = ANY($1)', [
      rooms,
      this.now(),
    ]);
  }

  async purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'yjs_rooms', 'name', cutoff, keep);
  }
}
