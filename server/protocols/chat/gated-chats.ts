// Chat rooms behind a gate (classes): `<ChatPath>/<room>?token=<token>` with
// the beej-chat-protocol subprotocol. The gate decides who the client is; the
// client is then joined under that name at once, and its own chat-join is
// ignored, so nobody can post as the teacher or as another member. Each room
// is apart from the hub-wide chat and from every other room.
import type { ClientSocket, SocketHandler } from '../../transport/client-socket';
import { CLOSE_FOR_STATUS, CloseCode } from '../../transport/close-codes';
import type { ChatGate } from './chat-gate';
import { ChatRoom, ChatSession } from './session';
import type { ChatContext } from './session';

/** Frames a client may send before the gate has answered (its reading is paused meanwhile). */
const MAX_EARLY_FRAMES = 16;

export class GatedChats {
  private readonly rooms = new Map<string, ChatRoom>();

  constructor(
    private readonly gate: ChatGate,
    private readonly base: Omit<ChatContext, 'room' | 'roomName'>,
  ) {}

  accept(socket: ClientSocket, room: string, token: string | undefined): SocketHandler {
    const pending = new PendingChat(socket);
    socket.pauseReading();
    void this.admit(pending, socket, room, token);
    return pending;
  }

  private async admit(
    pending: PendingChat,
    socket: ClientSocket,
    room: string,
    token: string | undefined,
  ): Promise<void> {
    const { log } = this.base;
    const access = await this.gate.admit(room, token, socket.remoteAddress).catch((err: Error) => {
      log.error({ err: (err as Error).message, room }, 'chat: the gate failed');
      return undefined;
    });
    if (pending.ended) return;
    if (!access) return socket.close(CloseCode.InternalError, 'the chat could not check the token');
    if (!access.ok) {
      log[access.status === 429 ? 'debug' : 'info'](
        { room, remote: socket.remoteAddress, reason: access.reason },
        'chat: client refused',
      );
      return socket.close(CLOSE_FOR_STATUS[access.status], access.reason);
    }
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new ChatRoom()));
    const chatRoom = members;
    const session = new ChatSession(
      socket,
      { ...this.base, room: chatRoom, roomName: room },
      access,
    );
    pending.admitted(session, () => {
      if (chatRoom.size === 0 && this.rooms.get(room) === chatRoom) this.rooms.delete(room);
    });
    socket.resumeReading();
  }
}

/** A connection waiting for the gate: early frames are kept, in order, and handed on. */
class PendingChat implements SocketHandler {
  ended = false;
  private session: ChatSession | undefined;
  private early: Array<{ data: Buffer; isBinary: boolean }> = [];
  private onEnd = () => {};

  constructor(private readonly socket: ClientSocket) {}

  admitted(session: ChatSession, onEnd: () => void): void {
    this.session = session;
    this.onEnd = onEnd;
    for (const { data, isBinary } of this.early) session.message(data, isBinary);
    this.early = [];
  }

  message(data: Buffer, isBinary: boolean): void {
    if (this.session) return this.session.message(data, isBinary);
    if (this.early.length >= MAX_EARLY_FRAMES) {
      return this.socket.close(CloseCode.PolicyViolation, 'too many messages before the join');
    }
    this.early.push({ data, isBinary });
  }

  closed(code: number, reason: string): void {
    this.ended = true;
    this.early = [];
    this.session?.closed(code, reason);
    this.onEnd();
  }
}
