// The bus between hubs. Every fan-out goes through it, so a hub that shares a
// Redis server with other hubs (a later backend) reaches their clients too,
// without the protocols knowing. Delivery to this hub's own subscribers is
// synchronous and in publish order: the protocols rely on that for fan-out order.

/** Messages must be structured-cloneable (plain objects, strings, numbers, Uint8Array). */
export type BusHandler<T> = (message: T) => void;

export interface Bus {
  /** Identifies this hub on a shared bus, so that it can ignore its own echoes. */
  readonly hubId: string;
  publish<T>(topic: string, message: T): void;
  /** Returns the function that unsubscribes. */
  subscribe<T>(topic: string, handler: BusHandler<T>): () => void;
  close(): Promise<void>;
}
