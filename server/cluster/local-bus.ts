// The single-process bus: publish calls every subscriber of the topic at once.
import { randomUUID } from 'node:crypto';
import type { Bus, BusHandler } from './bus';
import { TopicHandlers } from './topics';

export class LocalBus implements Bus {
  readonly hubId = randomUUID();
  readonly crossesHubs = false;
  private readonly handlers = new TopicHandlers();

  publish<T>(topic: string, message: T): void {
    this.handlers.deliver(topic, message);
  }

  subscribe<T>(topic: string, handler: BusHandler<T>): () => void {
    const { remove } = this.handlers.add(topic, handler as BusHandler<unknown>);
    return () => void remove();
  }

  async subscribed(): Promise<void> {
    // Nothing to wait for in one process.
  }

  onGap(): () => void {
    return () => undefined; // nothing is ever missed in one process
  }

  get topicCount(): number {
    return this.handlers.size;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
