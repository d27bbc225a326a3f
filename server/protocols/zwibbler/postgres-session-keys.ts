// Client keys shared by hubs through PostgreSQL (session-keys.ts), in the
// table session_keys: a row per key, with the hub and client that own it, so
// that a client's keys go when it leaves and a dead hub's keys can be found
// and cleared (key-reaper.ts). A write takes the document's advisory lock for
// its transaction: there may be no document row to lock (a document that
// only ever had client keys), and the compare-and-set and the budget must
// see no other write in between.
import type { KeyBudget } from '../../store/key-budget';
import { bytea, bytesOf } from '../../store/postgres/postgres-connection';
import type { PostgresDb } from '../../store/postgres/postgres-connection';
import { checkKeyWrite } from '../../store/postgres/postgres-keys';
import type { KeyEntry } from './codec';
import type { HubKeys } from './key-reaper';
import type { SessionKeyResult, SessionKeys } from './session-keys';

/** The first key of the advisory locks taken here: apart from any other lock's. */
const SESSION_KEYS_LOCK = 0x6c62_736b;

interface Removed {
  doc_id: string;
  name: Buffer;
  version: number;
  seq: number;
}

export class PostgresSessionKeys implements SessionKeys, HubKeys {
  constructor(
    private readonly db: PostgresDb,
    private readonly hubId: string,
  ) {}

  async list(documentId: string): Promise<KeyEntry[]> {
    const rows = await this.db.query<{ name: Buffer; value: Buffer; version: number }>(
      'SELECT name, value, version FROM session_keys WHERE doc_id = $1 ORDER BY seq',
      [documentId],
    );
    return rows.map((r) => ({
      name: bytesOf(r.name),
      value: bytesOf(r.value),
      version: r.version,
    }));
  }

  set(
    documentId: string,
    owner: string,
    oldVersion: number,
    entry: KeyEntry,
    budget: KeyBudget,
  ): Promise<SessionKeyResult> {
    return this.db.transaction(async (query) => {
      await query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        SESSION_KEYS_LOCK,
        documentId,
      ]);
      const checked = await checkKeyWrite(
        query,
        'session_keys',
        documentId,
        oldVersion,
        entry,
        budget,
      );
      if (checked !== 'ok') return checked;
      await query(
        `INSERT INTO session_keys (doc_id, name, value, version, hub, owner)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (doc_id, name) DO UPDATE SET value = excluded.value,
           version = excluded.version, hub = excluded.hub, owner = excluded.owner`,
        [documentId, bytea(entry.name), bytea(entry.value), entry.version, this.hubId, owner],
      );
      return 'ok';
    });
  }

  async release(documentId: string, owner: string): Promise<KeyEntry[]> {
    const rows = await this.db.query<Removed>(
      `DELETE FROM session_keys WHERE doc_id = $1 AND hub = $2 AND owner = $3
       RETURNING doc_id, name, version, seq`,
      [documentId, this.hubId, owner],
    );
    return removals(rows);
  }

  async releaseHubKeys(hub: string): Promise<Map<string, KeyEntry[]>> {
    const rows = await this.db.query<Removed>(
      'DELETE FROM session_keys WHERE hub = $1 RETURNING doc_id, name, version, seq',
      [hub],
    );
    const byDocument = new Map<string, Removed[]>();
    for (const row of rows)
      byDocument.set(row.doc_id, [...(byDocument.get(row.doc_id) ?? []), row]);
    return new Map([...byDocument].map(([id, removed]) => [id, removals(removed)]));
  }
}

/** Removed keys as their removal is announced, in the order they were set: version + 1, empty value. */
function removals(rows: Removed[]): KeyEntry[] {
  return rows
    .sort((a, b) => a.seq - b.seq)
    .map((r) => ({ name: bytesOf(r.name), version: r.version + 1, value: new Uint8Array() }));
}
