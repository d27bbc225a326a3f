// Several hubs on one PostgreSQL database do not share live edits yet: each
// stores into the same tables, but fan-out stays within a hub
// (docs/operating.md#postgresql). A hub holds a session advisory lock on a
// connection of its own for as long as it runs, and says so loudly when
// another hub already holds it. It warns rather than refuses: a hub whose
// computer lost power keeps its lock until the server notices the dead
// connection, which can take hours, and its replacement must still start.
import type { PoolClient } from 'pg';
import type { Logger } from '../../log/logger';
import type { PostgresDb } from './postgres-connection';

/** Any constant other than the migrations' lock. */
const HUB_LOCK = 0x6c62_6875;

export const ANOTHER_HUB =
  'another Lanboard hub uses this PostgreSQL database: both store into it, but clients on one hub do not see edits made on the other until they reload; run one hub per database';

/** Takes the lock (warning when another hub has it); the returned function lets it go. */
export async function holdHubLock(db: PostgresDb, log: Logger): Promise<() => void> {
  let client: PoolClient | undefined = await db.pool.connect();
  client.on('error', (err) => {
    // The server went away: the lock went with the connection.
    log.warn({ err: err.message }, 'lost the PostgreSQL connection holding the hub lock');
    client?.release(err);
    client = undefined;
  });
  const [row] = (
    await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [HUB_LOCK])
  ).rows;
  if (!row!.held) log.error(ANOTHER_HUB);
  return () => {
    // Ending the session lets the lock go.
    client?.release(true);
    client = undefined;
  };
}
