// The bus between hubs. Every fan-out goes through it, so a hub that shares a
// Redis server or a PostgreSQL database with other hubs reaches their clients too,
// without the protocols knowing. Delivery to this hub's own subscribers is
// synchronous and in publish order: the protocols rely on that for fan-out order.

/** Messages must be structured-cloneable (plain objects, strings, numbers, Uint8Array). */
export type BusHandler<T> = (message: T) => void;

export interface Bus {
  /** Identifies this hub on a shared bus, so that it can ignore its own echoes. */
  readonly hubId: string;
  /** True when other hubs hear it (a shared Redis or PostgreSQL), so that rooms mirror across hubs. */
  readonly crossesHubs: boolean;
  publish<T>(topic: string, message: T): void;
  /** Returns the function that unsubscribes. */
  subscribe<T>(topic: string, handler: BusHandler<T>): () => void;
  /**
   * Resolves once messages other hubs publish on a subscribed topic reach this
   * hub: a question asked before then could miss its answers.
   */
  subscribed(topic: string): Promise<void>;
  /**
   * Called after this hub may have missed messages from other hubs (its link
   * to them dropped and is back): subscribers catch up from the store.
   * Returns the function that removes the listener. A local bus never calls it.
   */
  onGap(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Announced on the bus when a hub is found dead: whatever it held for others goes. */
export const HUB_GONE_TOPIC = 'cluster/hub-gone';
export interface HubGone {
  hub: string;
}

/** Omit over each member of a union, for bus messages built without their `hub` tag. */
export type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
