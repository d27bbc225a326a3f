// One y-webrtc signaling connection: its topics, its limits
// (docs/protocols/y-webrtc.md#limits), and its entries in the session registry
// (docs/protocols/y-webrtc.md#session-registry-stats-kicks-and-permissions).
// It never touches the WebSocket itself, only the ClientSocket seam.
//
// Registry: a connection is registered once per topic it subscribes to, as
// protocol `y-webrtc`, room = the topic, id `<client>/<topic>` (client IDs are
// hex, so the first `/` splits the id unambiguously). A room's client count is
// then the topic's subscriber count, as the reference reports it. Permissions
// are kept per topic: without `write` the connection's publishes to that topic
// are dropped; losing `read` on any topic, or a kick through any entry, closes
// the whole connection with 4403. A connection with no topics is not in the
// registry (it still counts in the hub's `connections`).
import { FULL_ACCESS } from '../../hub/permissions';
import type { Permissions } from '../../hub/permissions';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import { TEXT_FAN_OUT, type ClientSocket, type SocketHandler } from '../../transport/client-socket';
import { CloseCode } from '../../transport/close-codes';
import { TokenBucket } from '../../transport/rate-limit';
import { decodeSignalMessage, encodePublish, PONG, SignalFormatError } from './messages';
import type { SignalMessage } from './messages';
import type { SignalingTopics, TopicMember } from './topics';

export const PROTOCOL = 'y-webrtc';

export interface SignalingLimits {
  /** Largest message a client may send (SignalMaxMessageBytes); larger closes with 1009. */
  maxMessageBytes: number;
  /** SignalMessagesPerSecond, bursts up to twice that; past it the connection closes with 1008. */
  messagesPerSecond: number;
  /** Topics one connection may subscribe to at once; past it closes with 1008. */
  maxTopicsPerConnection: number;
  /** Longest topic name, in UTF-16 units; longer closes with 4400. */
  maxTopicChars: number;
}

export const DEFAULT_MAX_TOPICS = 100;
export const DEFAULT_MAX_TOPIC_CHARS = 1024;

export interface SignalingContext {
  topics: SignalingTopics;
  registry: SessionRegistry;
  limits: SignalingLimits;
  log: Logger;
  now: () => number;
}

interface Subscription {
  permissions: Permissions;
  unregister: () => void;
}

const PONG_BYTES = Buffer.from(PONG, 'utf8');

export class YWebrtcSession implements SocketHandler, TopicMember {
  readonly clientId: string;
  private readonly log: Logger;
  private readonly bucket: TokenBucket;
  private readonly subscriptions = new Map<string, Subscription>();
  private done = false;

  constructor(
    private readonly socket: ClientSocket,
    private readonly ctx: SignalingContext,
  ) {
    this.clientId = ctx.registry.nextClientId();
    this.log = ctx.log.child({ client: this.clientId, remote: socket.remoteAddress });
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond);
  }

  // ---- SocketHandler -------------------------------------------------------

  /** Text and binary frames alike are read as JSON, as the reference does. */
  message(data: Buffer): void {
    if (this.done || !this.socket.isOpen) return;
    const { limits } = this.ctx;
    if (data.length > limits.maxMessageBytes) {
      return this.close(
        CloseCode.MessageTooBig,
        `message of ${data.length} bytes is over the ${limits.maxMessageBytes}-byte limit`,
      );
    }
    if (!this.bucket.take()) {
      return this.close(
        CloseCode.PolicyViolation,
        `more than ${limits.messagesPerSecond} messages per second`,
      );
    }
    try {
      this.handle(decodeSignalMessage(data));
    } catch (err) {
      if (err instanceof SignalFormatError) return this.close(CloseCode.ProtocolError, err.message);
      this.log.error({ err: (err as Error).message }, 'signaling message handler failed');
      this.close(CloseCode.InternalError, 'internal error');
    }
  }

  closed(): void {
    this.leaveAll();
  }

  // ---- TopicMember -----------------------------------------------------------

  deliver(frame: Buffer): void {
    if (!this.done) this.socket.send(frame, TEXT_FAN_OUT);
  }

  // ---- Messages --------------------------------------------------------------

  private handle(msg: SignalMessage): void {
    switch (msg.type) {
      case 'subscribe':
        return this.subscribe(msg.topics);
      case 'unsubscribe':
        for (const topic of msg.topics) this.unsubscribe(topic);
        return this.log.debug({ topics: msg.topics.slice(0, 10) }, 'unsubscribed');
      case 'publish':
        return this.publish(msg.topic, msg.message);
      case 'ping':
        this.socket.send(PONG_BYTES, { text: true });
        return;
      case 'ignored':
        // As the reference: a message of an unknown type changes nothing and gets no answer.
        return this.log.debug({ what: msg.what }, 'ignored signaling message');
    }
  }

  private subscribe(topics: readonly string[]): void {
    const { limits } = this.ctx;
    const fresh = new Set<string>();
    for (const topic of topics) {
      if (!this.checkTopic(topic)) return;
      if (!this.subscriptions.has(topic)) fresh.add(topic);
    }
    if (this.subscriptions.size + fresh.size > limits.maxTopicsPerConnection) {
      return this.close(
        CloseCode.PolicyViolation,
        `more than ${limits.maxTopicsPerConnection} topics on one connection`,
      );
    }
    for (const topic of fresh) {
      if (this.done) return;
      const permissions = { ...FULL_ACCESS };
      const subscription: Subscription = { permissions, unregister: () => {} };
      this.subscriptions.set(topic, subscription);
      this.ctx.topics.join(topic, this);
      subscription.unregister = this.ctx.registry.add(
        {
          id: `${this.clientId}/${topic}`,
          protocol: PROTOCOL,
          room: topic,
          remoteAddress: this.socket.remoteAddress,
          userId: '',
          permissions,
          connectedAt: this.ctx.now(),
        },
        {
          kick: (reason) => this.close(CloseCode.Forbidden, `kicked: ${reason}`),
          setPermissions: (p) => this.setPermissions(topic, p),
          traffic: this.socket.traffic,
        },
      );
      // A registry listener may have kicked it already: then it has left everything else.
      if (this.done) subscription.unregister();
    }
    if (fresh.size > 0) this.log.debug({ topics: [...fresh] }, 'subscribed');
  }

  private unsubscribe(topic: string): void {
    const subscription = this.subscriptions.get(topic);
    if (!subscription) return;
    this.subscriptions.delete(topic);
    this.ctx.topics.leave(topic, this);
    subscription.unregister();
  }

  private publish(topic: string | undefined, message: Record<string, unknown>): void {
    // The reference looks a non-string topic up and finds no one.
    if (topic === undefined) return this.log.debug('publish without a string topic ignored');
    if (!this.checkTopic(topic)) return;
    // The reference lets a connection publish to a topic it has not subscribed to; so do we.
    if (this.subscriptions.get(topic)?.permissions.write === false) {
      return this.log.debug({ topic }, 'publish without write permission dropped');
    }
    this.ctx.topics.publish(topic, (clients) => encodePublish(message, clients));
  }

  private checkTopic(topic: string): boolean {
    const max = this.ctx.limits.maxTopicChars;
    if (topic.length <= max) return true;
    this.close(CloseCode.BadRequest, `topic name longer than ${max} characters`);
    return false;
  }

  // ---- Registry controls -----------------------------------------------------

  private setPermissions(topic: string, permissions: Permissions): void {
    const subscription = this.subscriptions.get(topic);
    if (!subscription) return;
    subscription.permissions = { ...permissions };
    if (!permissions.read) this.close(CloseCode.Forbidden, 'read permission revoked');
  }

  // ---- Closing -----------------------------------------------------------------

  /** Closes the connection; it leaves its topics at once, so nothing more reaches it. */
  private close(code: number, reason: string): void {
    if (this.done) return;
    this.log.info({ code, reason }, 'closing signaling connection');
    this.socket.close(code, reason);
    this.leaveAll();
  }

  private leaveAll(): void {
    this.done = true;
    for (const topic of [...this.subscriptions.keys()]) this.unsubscribe(topic);
  }
}
