// The hub-wide table of y-webrtc topics: which of this hub's connections
// subscribe to each, and one bus subscription per topic. A publish goes through
// the bus (docs/architecture.md#scale-out-uses-redis), so that once hubs share
// a bus the subscribers on other hubs receive it too; the local bus delivers
// synchronously, in order.
import type { Bus } from '../../cluster/bus';

export interface TopicMember {
  /** A relayed message (a JSON text frame) for this member's socket. */
  deliver(frame: Buffer): void;
}

interface Topic {
  members: Set<TopicMember>;
  unsubscribe: () => void;
}

/** Bus topics of this protocol are `y-webrtc/<topic>`. */
export const BUS_PREFIX = 'y-webrtc/';

export class SignalingTopics {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly bus: Bus) {}

  /** Adds a member to a topic; false if it was already in it. */
  join(name: string, member: TopicMember): boolean {
    let topic = this.topics.get(name);
    if (!topic) {
      const members = new Set<TopicMember>();
      const unsubscribe = this.bus.subscribe<string>(BUS_PREFIX + name, (frame) =>
        fanOut(members, frame),
      );
      topic = { members, unsubscribe };
      this.topics.set(name, topic);
    }
    if (topic.members.has(member)) return false;
    topic.members.add(member);
    return true;
  }

  /** Removes a member; the topic (and its bus subscription) goes with its last member. */
  leave(name: string, member: TopicMember): boolean {
    const topic = this.topics.get(name);
    if (!topic?.members.delete(member)) return false;
    if (topic.members.size === 0) {
      topic.unsubscribe();
      this.topics.delete(name);
    }
    return true;
  }

  /** This hub's subscribers of a topic. */
  subscribers(name: string): number {
    return this.topics.get(name)?.members.size ?? 0;
  }

  /**
   * Relays to every subscriber, the sender included if it subscribes.
   * `encode` gets the subscriber count for the `clients` field. The count is
   * this hub's: hubs sharing a bus would need a shared count to report theirs
   * (y-webrtc 10.3 never reads the field).
   */
  publish(name: string, encode: (clients: number) => string): void {
    this.bus.publish(BUS_PREFIX + name, encode(this.subscribers(name)));
  }

  get size(): number {
    return this.topics.size;
  }
}

function fanOut(members: ReadonlySet<TopicMember>, frame: string): void {
  const bytes = Buffer.from(frame, 'utf8');
  for (const member of [...members]) member.deliver(bytes);
}
