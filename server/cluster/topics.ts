// Local subscribers by topic, shared by every bus: a publish reaches this
// hub's own subscribers synchronously and in order (bus.ts).
import type { BusHandler } from './bus';

export class TopicHandlers {
  private readonly topics = new Map<string, Set<BusHandler<unknown>>>();

  deliver(topic: string, message: unknown): void {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    // A handler may unsubscribe (or subscribe) while we deliver.
    for (const handler of [...handlers]) handler(message);
  }

  /** Adds a handler; `first` is true when the topic had none before. */
  add(topic: string, handler: BusHandler<unknown>): { first: boolean; remove: () => boolean } {
    let handlers = this.topics.get(topic);
    const first = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    const set = handlers;
    set.add(handler);
    return {
      first,
      // True when that was the topic's last handler.
      remove: () => {
        set.delete(handler);
        if (set.size > 0 || this.topics.get(topic) !== set) return false;
        this.topics.delete(topic);
        return true;
      },
    };
  }

  get size(): number {
    return this.topics.size;
  }

  clear(): void {
    this.topics.clear();
  }
}
