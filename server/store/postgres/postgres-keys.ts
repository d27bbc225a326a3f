// The compare-and-set and budget check of a key write, one rule for the
// document keys (postgres-store.ts) and the client keys hubs share
// (protocols/zwibbler/postgres-session-keys.ts). The caller runs it in a
// transaction that already holds the document's lock, so nothing is written
// between the check and the write.
import { breaksKeyBudget, keyBytes } from '../key-budget';
import type { KeyBudget } from '../key-budget';
import { bytea } from './postgres-connection';
import type { Query } from './postgres-connection';

interface NamedKey {
  name: Uint8Array;
  value: Uint8Array;
}

/** `table` has doc_id, name, value and version columns (a constant, never input). */
export async function checkKeyWrite(
  query: Query,
  table: 'document_keys' | 'session_keys',
  docId: string,
  oldVersion: number,
  key: NamedKey,
  budget: KeyBudget | undefined,
): Promise<'ok' | 'conflict' | 'full'> {
  const [row] = await query<{ version: number; bytes: number }>(
    `SELECT version, length(name) + length(value) AS bytes FROM ${table}
     WHERE doc_id = $1 AND name = $2`,
    [docId, bytea(key.name)],
  );
  if ((row?.version ?? 0) !== oldVersion) return 'conflict';
  if (!budget) return 'ok';
  // length() of a bytea reads its size from the header: no value is loaded.
  const [totals] = await query<{ count: number; bytes: number }>(
    `SELECT count(*)::int AS count, coalesce(sum(length(name) + length(value)), 0)::int AS bytes
     FROM ${table} WHERE doc_id = $1`,
    [docId],
  );
  return breaksKeyBudget(totals!, row?.bytes, keyBytes(key), budget) ? 'full' : 'ok';
}
