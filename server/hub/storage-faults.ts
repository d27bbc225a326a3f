// Writes the hub could not commit and keeps retrying, by what they were for
// (a Yjs room, say). /healthz answers 503 with their reasons while any is open
// (docs/admin-api.md#metrics-and-health); each clears once a write for it
// succeeds again.

export interface StorageFault {
  /** What could not be stored, e.g. `Yjs room lesson-1`. */
  what: string;
  reason: string;
  /** Unix ms of the first failure. */
  since: number;
}

export class StorageFaults {
  private readonly open = new Map<string, StorageFault>();

  constructor(private readonly now: () => number = Date.now) {}

  report(what: string, reason: string): void {
    const since = this.open.get(what)?.since ?? this.now();
    this.open.set(what, { what, reason, since });
  }

  clear(what: string): void {
    this.open.delete(what);
  }

  list(): StorageFault[] {
    return [...this.open.values()];
  }
}
