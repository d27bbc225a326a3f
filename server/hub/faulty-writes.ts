// Write faults of the document store are loud (docs/operating.md#when-a-write-fails):
// a Proxy around the store records every call that fails in the hub's
// StorageFaults (so /healthz answers 503 with the reason), and clears the
// record when a write that adds data (an append, a new document, token or
// key) commits again. The protocols still answer the failed call themselves
// (Zwibbler: ERROR and 1011; the management API: 503).
import type { DocumentStore } from '../store/types';
import type { StorageFaults } from './storage-faults';

/** What a failing document store is listed as in /healthz's failedWrites. */
export const DOCUMENT_STORE_FAULT = 'Zwibbler documents';

/** Calls whose success shows that the store takes new data again. */
const ADDING = new Set<PropertyKey>([
  'appendIfLength',
  'createDocument',
  'addToken',
  'setDocumentKey',
]);

export function reportingFaults(store: DocumentStore, faults: StorageFaults): DocumentStore {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'close' || prop === 'checkHealth') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = async (...args: unknown[]) => {
          try {
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            if (ADDING.has(prop)) faults.clear(DOCUMENT_STORE_FAULT);
            return result;
          } catch (err) {
            faults.report(DOCUMENT_STORE_FAULT, (err as Error).message);
            throw err;
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
