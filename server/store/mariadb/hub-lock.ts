// Several hubs on one MariaDB/MySQL database share what is stored, but not
// live edits: MariaDB has no LISTEN/NOTIFY to fan out through, so each hub's
// clients hear only that hub (docs/architecture.md#several-hubs-on-one-mariadb).
// A hub holds a named lock (GET_LOCK) on a connection of its own for as long
// as it runs, and says so loudly when another hub already holds it. It warns
// rather than refuses: a hub whose computer lost power keeps its lock until
// the server notices the dead connection, and its replacement must still start.
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../../log/logger';
import type { MariaDb } from './connection';
import { lockName } from './migrations';

export const ANOTHER_MARIADB_HUB =
  'another Lanboard hub uses this MariaDB database: both store into it, but clients on one hub do not see edits made on the other until they reload; run one hub per database';

/** Takes the lock (logging an error when another hub has it); the returned function lets it go. */
export async function holdMariaDbHubLock(db: MariaDb, log: Logger): Promise<() => void> {
  let connection: PoolConnection | undefined = await db.pool.getConnection();
  connection.on('error', (err) => {
    // The server went away: the lock went with the connection.
    log.warn({ err: err.message }, 'lost the MariaDB connection holding the hub lock');
    connection?.destroy();
    connection = undefined;
  });
  const [[row]] = await connection.query<RowDataPacket[]>(
    `SELECT GET_LOCK(${lockName('hub')}, 0) AS held`,
  );
  if (Number(row!.held) !== 1) log.error(ANOTHER_MARIADB_HUB);
  return () => {
    // Ending the session lets the lock go.
    connection?.destroy();
    connection = undefined;
  };
}
