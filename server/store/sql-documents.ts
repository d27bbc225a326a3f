// The DocumentStore rules that the stores on a database server (PostgreSQL,
// MariaDB) put the same way around their own SQL: what a load answers, what a
// refused append answers, a tail cut from chunk rows, and a token added with
// its document in one transaction.
import { PooledStore } from './pooled-store';
import type { AddTokenResult, AppendResult, LoadResult, OpenMode, Token } from './types';
import { unexpired } from './types';

/**
 * The part of a DocumentStore on a database server that is the same rules
 * whatever the SQL: a load from its steps, creating, reading a token; each
 * server's store writes the steps in its own SQL.
 */
export abstract class ServerDocumentStore<
  Db extends { checkHealth(): Promise<void> },
> extends PooledStore<Db> {
  /** Creates the document with `contents`, in one commit; false when it exists. */
  protected abstract create(id: string, contents: Uint8Array): Promise<boolean>;
  /** The bytes from `offset` up to `length`. */
  protected abstract readFrom(id: string, offset: number, length: number): Promise<Uint8Array>;
  /** Marks the document used; its length, or null when it is missing. */
  abstract touchDocument(id: string): Promise<number | null>;
  /** The token, expired or not, marked used; null when there is none. */
  abstract findToken(token: string): Promise<Token | null>;

  async loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult> {
    if (mode !== 'never-create' && (await this.create(id, initialData))) {
      return { status: 'ok', created: true, length: initialData.length, tail: new Uint8Array() };
    }
    if (mode === 'always-create') return { status: 'exists' };
    const length = await this.touchDocument(id);
    if (length === null) return { status: 'missing' };
    if (offset > length) return { status: 'invalid-offset', length };
    return { status: 'ok', created: false, length, tail: await this.readFrom(id, offset, length) };
  }

  createDocument(id: string, contents: Uint8Array): Promise<boolean> {
    return this.create(id, contents);
  }

  async getToken(token: string, now: number): Promise<Token | null> {
    return unexpired(await this.findToken(token), now);
  }

  checkHealth(): Promise<void> {
    return this.db.checkHealth();
  }
}

/** What a refused append answers, from the length read after it (null: no such document). */
export const refusedAppend = (length: number | null): AppendResult =>
  length === null ? { status: 'missing' } : { status: 'conflict', length };

/**
 * The bytes from `offset` on, from the chunk rows that hold them in order:
 * the first row may start before `offset`.
 */
export function tailOf(
  rows: readonly { start: number; data: Buffer }[],
  offset: number,
): Uint8Array {
  const parts = rows.map((r) => (r.start < offset ? r.data.subarray(offset - r.start) : r.data));
  const tail = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return new Uint8Array(tail.buffer, tail.byteOffset, tail.length);
}

/** One server's transaction, whatever its statements' shape. */
export type Transaction<Tx> = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * addToken: the token and, when contents are given, its document, in one
 * transaction; a document that exists rolls the token back.
 */
export async function addTokenWith<Tx>(
  transaction: Transaction<Tx>,
  insertToken: (tx: Tx) => Promise<boolean>,
  insertDocument: ((tx: Tx) => Promise<boolean>) | undefined,
): Promise<AddTokenResult> {
  return transaction(async (tx) => {
    if (!(await insertToken(tx))) return 'token-exists';
    // Thrown to roll the token back; answered below.
    if (insertDocument && !(await insertDocument(tx))) throw new DocumentExists();
    return 'ok' as const;
  }).catch((err: unknown) => {
    if (err instanceof DocumentExists) return 'document-exists';
    throw err;
  });
}

class DocumentExists extends Error {}
