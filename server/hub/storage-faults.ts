// Writes the hub could not commit and keeps retrying, by what they were for
// (a Yjs room, say). /healthz answers 503 with their reasons while any is open
// (docs/admin-api.md#metrics-and-health), and the dashboard's event stream
// carries the list on every change, for its banner; each clears once a write
// for it succeeds again.

export interface StorageFault {
  /** What could not be stored, e.g. `Yjs room lesson-1`. */
  what: string;
  reason: string;
  /** Unix ms of the first failure. */
  since: number;
}

type Listener = (open: StorageFault[]) => void;

export class StorageFaults {
  private readonly open = new Map<string, StorageFault>();
  private readonly listeners = new Set<Listener>();

  constructor(private readonly now: () => number = Date.now) {}

  report(what: string, reason: string): void {
    const known = this.open.get(what);
    // A store retrying the same failure is no news.
    if (known?.reason === reason) return;
    this.open.set(what, { what, reason, since: known?.since ?? this.now() });
    this.changed();
  }

  clear(what: string): void {
    if (this.open.delete(what)) this.changed();
  }

  list(): StorageFault[] {
    return [...this.open.values()];
  }

  /** `listener` gets the whole list after every change; returns the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const open = this.list();
    for (const listener of this.listeners) listener(open);
  }
}
