// Client keys (lifetime 0): set by a connected client, visible to every member
// of the document, and cleared when their owner leaves
// (docs/protocols/zwibbler.md#client-keys-and-document-keys). One hub keeps
// them in memory; hubs sharing Redis keep them there (redis-session-keys.ts),
// so a client joining on any hub sees keys set on the others.
import { breaksKeyBudget, keyBytes } from '../../store/key-budget';
import type { KeyBudget } from '../../store/key-budget';
import type { KeyEntry } from './codec';

/** A compare-and-set's outcome; `full`: the key would break the document's budget. */
export type SessionKeyResult = 'ok' | 'conflict' | 'full';

export interface SessionKeys {
  /** The document's client keys. */
  list(documentId: string): Promise<KeyEntry[]>;
  /**
   * Compare-and-set, as for document keys: succeeds when the stored version is
   * `oldVersion`, or the key is missing and `oldVersion` is 0; a key that
   * would break the document's budget (count and bytes) is refused.
   */
  set(
    documentId: string,
    owner: string,
    oldVersion: number,
    entry: KeyEntry,
    budget: KeyBudget,
  ): Promise<SessionKeyResult>;
  /** Removes the owner's keys; returns them as their removal is announced: version + 1, empty value. */
  release(documentId: string, owner: string): Promise<KeyEntry[]>;
}

export const keyId = (name: Uint8Array): string => Buffer.from(name).toString('latin1');

interface OwnedKey extends KeyEntry {
  owner: string;
}

export class LocalSessionKeys implements SessionKeys {
  private readonly documents = new Map<string, Map<string, OwnedKey>>();

  async list(documentId: string): Promise<KeyEntry[]> {
    return [...(this.documents.get(documentId)?.values() ?? [])].map(({ owner: _, ...k }) => k);
  }

  async set(
    documentId: string,
    owner: string,
    oldVersion: number,
    entry: KeyEntry,
    budget: KeyBudget,
  ): Promise<SessionKeyResult> {
    let keys = this.documents.get(documentId);
    const id = keyId(entry.name);
    const current = keys?.get(id);
    if (current ? current.version !== oldVersion : oldVersion !== 0) return 'conflict';
    let bytes = 0;
    for (const k of keys?.values() ?? []) bytes += keyBytes(k);
    const totals = { count: keys?.size ?? 0, bytes };
    if (breaksKeyBudget(totals, current && keyBytes(current), keyBytes(entry), budget)) {
      return 'full';
    }
    if (!keys) this.documents.set(documentId, (keys = new Map()));
    keys.set(id, { ...entry, owner });
    return 'ok';
  }

  async release(documentId: string, owner: string): Promise<KeyEntry[]> {
    const keys = this.documents.get(documentId);
    if (!keys) return [];
    const cleared: KeyEntry[] = [];
    for (const [id, key] of keys) {
      if (key.owner !== owner) continue;
      keys.delete(id);
      cleared.push({ version: key.version + 1, name: key.name, value: new Uint8Array() });
    }
    if (keys.size === 0) this.documents.delete(documentId);
    return cleared;
  }
}
