// Write faults are loud (docs/operating.md#when-a-write-fails): a Proxy
// around a store records every call that fails in the hub's StorageFaults
// (so /healthz answers 503 with the reason), and clears the record when a
// call that adds data commits again, or when the store's background probe
// (probeWrite, every PROBE_MS while the fault lasts) commits a write: a hub
// nobody writes to recovers by itself too. The failure reaches the caller as
// a StoreFailure, an HttpError 503, so an HTTP route answers 503 with
// Retry-After as it is; each protocol answers it in its own words (Zwibbler:
// ERROR and 1011; workspaces: an alert).
import { HttpError } from '../transport/reply';
import type { StorageFaults } from './storage-faults';

/** How often a failing store tries a write of its own, to learn that writes work again. */
export const PROBE_MS = 1000;

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

/** A store that can try a write of its own (the SQLite stores). */
interface Probed {
  probeWrite(): Promise<void>;
}

const probed = (store: object): store is Probed =>
  typeof (store as Partial<Probed>).probeWrite === 'function';

/**
 * `store`, with every failing call recorded in `faults` and thrown as a
 * StoreFailure; while a failure is recorded, the store's probe runs.
 */
export function reportingFaults<T extends object>(
  store: T,
  faults: StorageFaults,
  watch: FaultWatch<T>,
): T {
  const adding = new Set<PropertyKey>(watch.adding);
  const wrapped = new Map<PropertyKey, unknown>();
  let probe: NodeJS.Timeout | undefined;
  let closed = false;
  const recovered = () => {
    clearTimeout(probe);
    probe = undefined;
    faults.clear(watch.what);
  };
  const probeSoon = () => {
    if (probe || closed || !probed(store)) return;
    probe = setTimeout(() => {
      store.probeWrite().then(recovered, (err: Error) => {
        probe = undefined;
        if (closed) return;
        faults.report(watch.what, err.message);
        probeSoon();
      });
    }, PROBE_MS);
    probe.unref(); // a failing store never keeps the process alive
  };
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'checkHealth') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn =
          prop === 'close'
            ? (...args: unknown[]) => {
                closed = true;
                clearTimeout(probe);
                return (value as (...a: unknown[]) => unknown).apply(target, args);
              }
            : async (...args: unknown[]) => {
                let result: unknown;
                try {
                  result = await (value as (...a: unknown[]) => unknown).apply(target, args);
                } catch (err) {
                  faults.report(watch.what, (err as Error).message);
                  probeSoon();
                  throw err instanceof StoreFailure ? err : new StoreFailure(err as Error);
                }
                if (adding.has(prop)) recovered();
                return result;
              };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
