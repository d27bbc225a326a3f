// Write faults are loud (docs/operating.md#when-a-write-fails): a Proxy
// around a store records every call that fails in the hub's StorageFaults
// (so /healthz answers 503 with the reason), and clears the record when a
// call that adds data commits again. The failure reaches the caller as a
// StoreFailure, an HttpError 503, so an HTTP route answers 503 with
// Retry-After as it is; each protocol answers it in its own words (Zwibbler:
// ERROR and 1011; workspaces: an alert).
import { HttpError } from '../transport/reply';
import type { StorageFaults } from './storage-faults';

export class StoreFailure extends HttpError {
  constructor(cause: Error) {
    super(503, `the hub cannot use its storage now: ${cause.message}`, { 'Retry-After': '10' });
    this.name = 'StoreFailure';
    this.cause = cause;
  }
}

export interface FaultWatch<T> {
  /** What /healthz lists the failing store as, e.g. `classes`. */
  what: string;
  /** Calls whose success shows the store takes new data again. */
  adding: readonly (keyof T & string)[];
}

/** `store`, with every failing call recorded in `faults` and thrown as a StoreFailure. */
export function reportingFaults<T extends object>(
  store: T,
  faults: StorageFaults,
  watch: FaultWatch<T>,
): T {
  const adding = new Set<PropertyKey>(watch.adding);
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'close' || prop === 'checkHealth') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = async (...args: unknown[]) => {
          let result: unknown;
          try {
            result = await (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (err) {
            faults.report(watch.what, (err as Error).message);
            throw err instanceof StoreFailure ? err : new StoreFailure(err as Error);
          }
          if (adding.has(prop)) faults.clear(watch.what);
          return result;
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
