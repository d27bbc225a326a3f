// What the DocumentStore contract's suites share: the fixture they run against
// and small helpers for comparing bytes, loads and keys.
import assert from 'node:assert/strict';
import type { DocumentKey, DocumentStore, LoadResult } from '../../store/types';

export const b = (s: string): Buffer => Buffer.from(s);
export const EMPTY = new Uint8Array();
export const hexOf = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** A LoadResult with its bytes as hex, so assertions compare values, not classes. */
export function view(r: LoadResult): unknown {
  return r.status === 'ok' ? { ...r, tail: hexOf(r.tail) } : r;
}

export function ok(length: number, tail: Uint8Array | string, created = false): unknown {
  return { status: 'ok', created, length, tail: hexOf(typeof tail === 'string' ? b(tail) : tail) };
}

/** Keys as comparable, order-independent values (the contract fixes no order). */
export function keysView(
  keys: readonly DocumentKey[],
): { name: string; value: string; version: number }[] {
  return keys
    .map((k) => ({ name: hexOf(k.name), value: hexOf(k.value), version: k.version }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

export function key(
  name: Uint8Array | string,
  value: Uint8Array | string,
  version: number,
): DocumentKey {
  return {
    name: typeof name === 'string' ? b(name) : name,
    value: typeof value === 'string' ? b(value) : value,
    version,
  };
}

export function randomBytes(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** The store under test and its clock, fresh for every test. */
export interface ContractFixture {
  store(): DocumentStore;
  /** The store's clock (Unix ms): tests move it by hand. */
  clock: { now: number };
}

/** The whole document, asserting that it exists. */
export async function contents(store: DocumentStore, id: string): Promise<string> {
  const r = await store.loadDocument(id, 'never-create', EMPTY, 0);
  assert.equal(r.status, 'ok', `document ${id} should exist`);
  return hexOf((r as { tail: Uint8Array }).tail);
}
