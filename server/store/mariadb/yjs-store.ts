// Yjs rooms in MariaDB or MySQL, shared by hubs: a room row (its counts and
// the last sequence number handed out) and its update rows. An append takes
// the room row's lock in the upsert that reserves its sequence numbers, so two
// hubs appending to one room never get the same ones; compaction holds the
// same lock and replaces only the rows up to the sequence it was given, so an
// update another hub stored meanwhile stays. Each call commits before it
// resolves.
import { roomOf } from '../sql-rows';
import type { UpdateRow } from '../sql-rows';
import { PooledStore } from '../pooled-store';
import type { RoomUsage, StoredRoom, YjsStore } from '../yjs-store';
import { blob, deleteStale } from './connection';
import type { MariaDb } from './connection';

const USAGE = 'SELECT updates, bytes, last_seq AS lastSeq FROM yjs_rooms WHERE name = ?';

export class MariaDbYjsStore extends PooledStore<MariaDb> implements YjsStore {
  readonly kind = 'mariadb';

  async load(room: string): Promise<StoredRoom> {
    await this.db.run('UPDATE yjs_rooms SET last_access = ? WHERE name = ?', [this.now(), room]);
    // One statement, one snapshot: the rows agree with each other even while
    // another hub compacts the room.
    return roomOf(
      await this.db.rows<UpdateRow>(
        'SELECT seq, data FROM yjs_updates WHERE room = ? ORDER BY seq',
        [room],
      ),
    );
  }

  async append(
    room: string,
    updates: readonly Uint8Array[],
  ): Promise<RoomUsage & { lastSeq: number }> {
    const now = this.now();
    const bytes = updates.reduce((sum, u) => sum + u.length, 0);
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO yjs_rooms (name, updates, bytes, last_seq, created_at, last_access)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE updates = updates + VALUES(updates),
           bytes = bytes + VALUES(bytes), last_seq = last_seq + VALUES(updates),
           last_access = VALUES(last_access)`,
        [room, updates.length, bytes, updates.length, now, now],
      );
      // The row is locked by the upsert: what it reads now is this append's.
      const usage = (await tx.row<RoomUsage & { lastSeq: number }>(`${USAGE} FOR UPDATE`, [room]))!;
      const first = usage.lastSeq - updates.length;
      if (updates.length > 0) {
        await tx.run(
          `INSERT INTO yjs_updates (room, seq, data) VALUES ${updates.map(() => '(?, ?, ?)').join(', ')}`,
          updates.flatMap((u, i) => [room, first + i + 1, blob(u)]),
        );
      }
      return usage;
    });
  }

  async compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    return this.db.transaction(async (tx) => {
      const locked = await tx.rows('SELECT 1 FROM yjs_rooms WHERE name = ? FOR UPDATE', [room]);
      if (locked.length === 0) return { updates: 0, bytes: 0 };
      await tx.run('DELETE FROM yjs_updates WHERE room = ? AND seq <= ?', [room, throughSeq]);
      await tx.run('INSERT INTO yjs_updates (room, seq, data) VALUES (?, ?, ?)', [
        room,
        throughSeq,
        blob(merged),
      ]);
      const totals = (await tx.row<RoomUsage>(
        `SELECT COUNT(*) AS updates, COALESCE(SUM(LENGTH(data)), 0) AS bytes
         FROM yjs_updates WHERE room = ?`,
        [room],
      ))!;
      await tx.run('UPDATE yjs_rooms SET updates = ?, bytes = ? WHERE name = ?', [
        totals.updates,
        totals.bytes,
        room,
      ]);
      return totals;
    });
  }

  async delete(room: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM yjs_rooms WHERE name = ?', [room])) > 0;
  }

  async list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]> {
    return this.db.rows(
      `SELECT name, updates, bytes, last_access AS lastAccess FROM yjs_rooms
       ORDER BY last_access DESC`,
    );
  }

  async touch(rooms: readonly string[]): Promise<void> {
    if (rooms.length === 0) return;
    await this.db.run('UPDATE yjs_rooms SET last_access = ? WHERE name IN (?)', [
      this.now(),
      rooms,
    ]);
  }

  async purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]> {
    return deleteStale(this.db, 'yjs_rooms', 'name', cutoff, keep);
  }
}
