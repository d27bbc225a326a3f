// One chat connection, and a room of them: the hub-wide chat every plain
// connection shares, or a class's. The username is fixed by the first
// chat-join (in a class, by the hub before any: the member's name): later
// joins are ignored and every message is broadcast under the fixed name,
// whatever name the message carries.
import { FULL_ACCESS } from '../../hub/permissions';
import type { Permissions } from '../../hub/permissions';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import { TEXT_FAN_OUT } from '../../transport/client-socket';
import type { ClientSocket, SocketHandler } from '../../transport/client-socket';
import { CloseCode } from '../../transport/close-codes';
import { TokenBucket } from '../../transport/rate-limit';
import { decodeChatMessage, encodeChatMessage } from './messages';
import type { ChatSender, ChatServerMessage, ChatTextLimits } from './messages';

export const CHAT_PROTOCOL = 'chat';

/** Everyone connected to the chat. */
export class ChatRoom {
  private readonly members = new Set<ChatSession>();

  get size(): number {
    return this.members.size;
  }

  add(member: ChatSession): void {
    this.members.add(member);
  }

  delete(member: ChatSession): void {
    this.members.delete(member);
  }

  /** Encodes once and sends to every member as a text frame. */
  broadcast(message: ChatServerMessage): void {
    const frame = encodeChatMessage(message);
    for (const member of this.members) member.deliver(frame);
  }
}

export interface ChatLimits extends ChatTextLimits {
  /** Largest message from a client, in bytes. */
  maxMessageBytes: number;
  messagesPerSecond: number;
}

export interface ChatContext {
  room: ChatRoom;
  /** The room's name in the session registry. */
  roomName: string;
  registry: SessionRegistry;
  limits: ChatLimits;
  log: Logger;
  now: () => number;
}

/** A class member admitted by a gate (chat-gate.ts): joined at once, under the hub's name for them. */
export interface ChatMember {
  userId: string;
  name: string;
  role: string;
  permissions: Permissions;
}

export class ChatSession implements SocketHandler {
  readonly id: string;
  private username: string | undefined;
  private permissions: Permissions;
  /** Sent after the name in a class's room. */
  private readonly sender: ChatSender;
  private readonly bucket: TokenBucket;
  private readonly unregister: () => void;
  private ended = false;

  constructor(
    private readonly socket: ClientSocket,
    private readonly ctx: ChatContext,
    member?: ChatMember,
  ) {
    this.permissions = { ...(member?.permissions ?? FULL_ACCESS) };
    this.sender = member ? { id: member.userId, role: member.role } : {};
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond);
    this.id = ctx.registry.nextClientId();
    ctx.room.add(this);
    this.unregister = ctx.registry.add(
      {
        id: this.id,
        protocol: CHAT_PROTOCOL,
        room: ctx.roomName,
        remoteAddress: socket.remoteAddress,
        userId: member?.userId ?? '',
        displayName: member?.name,
        permissions: this.permissions,
        connectedAt: ctx.now(),
      },
      {
        kick: (reason) => this.close(CloseCode.Forbidden, reason),
        setPermissions: (permissions) => {
          this.permissions = { ...permissions };
          if (!permissions.read) this.close(CloseCode.Forbidden, 'access revoked');
        },
        traffic: socket.traffic,
      },
    );
    if (member) this.join(member.name);
  }

  private join(username: string): void {
    this.username = username;
    this.ctx.room.broadcast({ type: 'chat-join', payload: { username, ...this.sender } });
  }

  deliver(frame: Uint8Array): void {
    this.socket.send(frame, TEXT_FAN_OUT);
  }

  message(data: Buffer, isBinary: boolean): void {
    if (this.ended || !this.socket.isOpen) return;
    const { limits } = this.ctx;
    if (!this.bucket.take()) {
      return this.fail(
        CloseCode.PolicyViolation,
        `over ${limits.messagesPerSecond} messages per second`,
      );
    }
    if (data.length > limits.maxMessageBytes) {
      return this.fail(
        CloseCode.MessageTooBig,
        `message larger than ${limits.maxMessageBytes} bytes`,
      );
    }
    if (isBinary)
      return this.fail(CloseCode.ProtocolError, 'binary frame: chat messages are JSON text');
    const command = decodeChatMessage(data.toString('utf8'), limits);
    switch (command.kind) {
      case 'reject':
        return this.fail(command.code, command.reason);
      case 'ignore':
        return this.ignore(command.why);
      case 'join':
        if (this.username !== undefined) {
          return this.ignore('chat-join after joining: the username is fixed');
        }
        this.ctx.registry.setUserId(this.id, command.username); // the dashboard shows the name
        return this.join(command.username);
      case 'message':
        if (this.username === undefined) return this.ignore('chat-message before chat-join');
        if (!this.permissions.write) return this.ignore('chat-message without write permission');
        this.ctx.room.broadcast({
          type: 'chat-message',
          payload: { username: this.username, message: command.message, ...this.sender },
        });
        return;
    }
  }

  closed(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.room.delete(this);
    this.unregister();
    this.ctx.log.debug({ client: this.id, code, reason }, 'chat connection closed');
    // As the original: `{}` when the user never joined.
    this.ctx.room.broadcast({
      type: 'chat-leave',
      payload: { username: this.username, ...this.sender },
    });
  }

  private close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private fail(code: number, reason: string): void {
    this.ctx.log.info(
      { client: this.id, remote: this.socket.remoteAddress, code, reason },
      'chat: bad input, closing the connection',
    );
    this.close(code, reason);
  }

  private ignore(why: string): void {
    this.ctx.log.debug({ client: this.id, why }, 'chat: message ignored');
  }
}
