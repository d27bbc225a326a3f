// The single-process bus: publish calls every subscriber of the topic at once.
import { randomUUID } from 'node:crypto';
import type { Bus, BusHandler } from './bus';

export class LocalBus implements Bus {
  readonly hubId = randomUUID();
  private readonly topics = new Map<string, Set<BusHandler<unknown>>>();

  publish<T>(topic: string, message: T): void {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    // A handler may unsubscribe (or subscribe) while we deliver.
    for (const handler of [...handlers]) handler(message);
  }

  subscribe<T>(topic: string, handler: BusHandler<T>): () => void {
    let handlers = this.topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    const h = handler as BusHandler<unknown>;
    handlers.add(h);
    return () => {
      handlers.delete(h);
      if (handlers.size === 0 && this.topics.get(topic) === handlers) this.topics.delete(topic);
    };
  }

  get topicCount(): number {
    return this.topics.size;
  }

  async close(): Promise<void> {
    this.topics.clear();
  }
}
