// The bus between hubs that share a Redis server
// (docs/architecture.md#scale-out-uses-redis). A publish
// reaches this hub's subscribers at once, in process, and goes to Redis on
// the topic's channel tagged with this hub's ID; each hub ignores its own
// echoes. Messages are encoded with v8's structured clone, so Uint8Arrays
// cross unchanged. One connection publishes and one subscribes (Redis
// requires a dedicated one for subscriptions).
import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Logger } from '../log/logger';
import type { RedisClient } from '../store/redis-connection';
import type { Bus, BusHandler } from './bus';
import { TopicHandlers } from './topics';

const CHANNEL_PREFIX = 'lb:bus:';

interface Envelope {
  hub: string;
  message: unknown;
}

export class RedisBus implements Bus {
  readonly hubId = randomUUID();
  readonly crossesHubs = true;
  private readonly handlers = new TopicHandlers();
  private readonly gapListeners = new Set<() => void>();
  /** Topic → its SUBSCRIBE, done or under way. */
  private readonly subscriptions = new Map<string, Promise<void>>();
  /** Set once the subscriber connection has been ready, so a later ready is a reconnect. */
  private wasReady = false;
  private closed = false;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly log: Logger,
  ) {
    subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.fromRedis(channel.toString(), payload),
    );
    subscriber.on('ready', () => {
      // ioredis subscribes again by itself; what was published meanwhile is lost.
      if (this.wasReady && !this.closed) this.announceGap();
      this.wasReady = true;
    });
    for (const client of [publisher, subscriber]) {
      client.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis connection error'));
    }
  }

  publish<T>(topic: string, message: T): void {
    this.handlers.deliver(topic, message);
    const envelope: Envelope = { hub: this.hubId, message };
    this.publisher.publish(CHANNEL_PREFIX + topic, serialize(envelope)).catch((err: Error) => {
      this.log.error({ err: err.message, topic }, 'publishing to other hubs failed');
    });
  }

  subscribe<T>(topic: string, handler: BusHandler<T>): () => void {
    const { first, remove } = this.handlers.add(topic, handler as BusHandler<unknown>);
    if (first) {
      this.subscriptions.set(
        topic,
        this.subscriber.subscribe(CHANNEL_PREFIX + topic).then(() => undefined, this.failed(topic)),
      );
    }
    return () => {
      if (remove() && !this.closed) {
        this.subscriptions.delete(topic);
        this.subscriber.unsubscribe(CHANNEL_PREFIX + topic).catch(this.failed(topic));
      }
    };
  }

  subscribed(topic: string): Promise<void> {
    return this.subscriptions.get(topic) ?? Promise.resolve();
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.gapListeners.clear();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private fromRedis(channel: string, payload: Buffer): void {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    let envelope: Envelope;
    try {
      envelope = deserialize(payload) as Envelope;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, channel }, 'undecodable bus message');
      return;
    }
    if (envelope.hub === this.hubId) return;
    this.handlers.deliver(channel.slice(CHANNEL_PREFIX.length), envelope.message);
  }

  private announceGap(): void {
    this.log.warn('link to the other hubs restored: catching up from the store');
    for (const listener of [...this.gapListeners]) listener();
  }

  private failed(topic: string) {
    return (err: Error) =>
      this.log.error({ err: err.message, topic }, 'Redis subscription change failed');
  }
}
