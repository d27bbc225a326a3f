// On every page while a write fails (the event stream's `storage-faults`):
// that work is not being saved, what and why in a teacher's words, and the
// hub's own words small for whoever helps. Gone once the writes succeed.
import type { StorageFaultView } from '../../../server/admin/api-types';
import { inWords } from '../lib/storage-words';

export function StorageBanner({ faults }: { faults: StorageFaultView[] }) {
  if (faults.length === 0) return null;
  return (
    <section className="storage-banner" role="alert" aria-labelledby="storage-banner-title">
      <h2 id="storage-banner-title">Work is not being saved</h2>
      <ul>
        {faults.map((f) => {
          const words = inWords(f);
          return (
            <li key={f.what}>
              <strong>{words.what}</strong> cannot be saved: {words.why}. {words.todo}
              <small>
                {f.what}: {f.reason} (since {new Date(f.since).toLocaleTimeString()})
              </small>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
