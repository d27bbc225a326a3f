// Times every DocumentStore call for /metrics, and counts append conflicts,
// without the store or the protocols knowing: a Proxy around the store.
import type { DocumentStore } from '../store/types';
import type { HubMetrics } from './metrics';

export function timedStore(store: DocumentStore, metrics: HubMetrics): DocumentStore {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const record = metrics.storeTimes.recorder(String(prop));
        fn = (...args: unknown[]) => {
          const started = performance.now();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then((r: unknown) => {
            record((performance.now() - started) / 1000);
            if (prop === 'appendIfLength' && (r as { status?: string }).status === 'conflict') {
              metrics.appendConflicts++;
            }
            return r;
          });
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
