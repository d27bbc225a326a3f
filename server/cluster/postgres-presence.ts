// Hub presence in PostgreSQL (hub-presence.ts): a row per hub in `hubs`,
// its `seen_at` renewed with every beat. Times are the server's (now()), so
// hubs whose clocks disagree still agree on who is dead. A lapsed hub is
// claimed by the one UPDATE that sets its `claimed_at`: the row lock decides
// between hubs claiming at once, and a claim older than CLAIM lets another
// hub take over from a claimant that died too.
import type { PostgresDb } from '../store/postgres/postgres-connection';
import { DEFAULT_PRESENCE } from './hub-presence';
import type { PresenceRecords } from './hub-presence';

const CLAIM = "interval '60 seconds'";

export class PostgresPresenceRecords implements PresenceRecords {
  constructor(
    private readonly db: PostgresDb,
    private readonly ttlMs: number = DEFAULT_PRESENCE.ttlMs,
  ) {}

  async renew(hub: string): Promise<void> {
    await this.db.query(
      `INSERT INTO hubs (hub, seen_at) VALUES ($1, now())
       ON CONFLICT (hub) DO UPDATE SET seen_at = now()`,
      [hub],
    );
  }

  async claimDead(self: string): Promise<string[]> {
    const rows = await this.db.query<{ hub: string }>(
      `UPDATE hubs SET claimed_at = now()
       WHERE hub <> $1 AND seen_at < now() - $2 * interval '1 millisecond'
         AND (claimed_at IS NULL OR claimed_at < now() - ${CLAIM})
       RETURNING hub`,
      [self, this.ttlMs],
    );
    return rows.map((r) => r.hub);
  }

  async forget(hub: string): Promise<void> {
    await this.db.query('DELETE FROM hubs WHERE hub = $1', [hub]);
  }
}
