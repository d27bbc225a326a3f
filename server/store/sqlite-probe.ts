// The write a store's background probe makes while its writes fail
// (hub/faulty-writes.ts): one committed transaction on the store's own
// connection that adds a row of 64 KiB and deletes it again. The row needs
// new pages, as a full disk or a full file refuses them; the commit writes
// the WAL, as a read-only file or folder refuses it. Nothing is left behind,
// and no other connection ever sees the row (it never commits).
import type Database from 'better-sqlite3';

const PROBE_BYTES = 64 * 1024;
/** A room name no client can send (NUL), so it can never meet a real room. */
const PROBE_ROOM = `\u0000write-probe-${'x'.repeat(PROBE_BYTES)}`;

export function probeWrite(db: Database.Database): void {
  const insert = db.prepare(
    `INSERT INTO yjs_rooms (name, updates, bytes, created_at, last_access) VALUES (?, 0, 0, 0, 0)`,
  );
  const remove = db.prepare('DELETE FROM yjs_rooms WHERE name = ?');
  db.transaction(() => {
    insert.run(PROBE_ROOM);
    remove.run(PROBE_ROOM);
  }).immediate();
}
