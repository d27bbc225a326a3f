// One y-websocket client (realtime-protocols.md §1.5–1.9). Until its room has
// loaded, the socket is paused and early frames wait; then the hub sends its
// SyncStep1 and the room's awareness, and answers every SyncStep1 with a
// SyncStep2 computed from the loaded state.
import { applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Permissions } from '../../hub/permissions';
import type { Logger } from '../../log/logger';
import type { ClientSocket, SocketHandler } from '../../transport/client-socket';
import { CloseCode } from '../../transport/close-codes';
import {
  decodeFrame,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  YjsProtocolError,
} from './codec';
import type { YjsMessage } from './codec';
import type { RoomMember, YjsRoom } from './room';
import { splitUpdateStructs } from './split-update';

export interface ConnectionLimits {
  maxUpdateBytes: number;
  /** Awareness client IDs one connection may introduce (a tab normally has one). */
  maxAwarenessIds: number;
}

/** A SyncStep2 larger than this goes out in pieces of about this size. */
const SYNC_PIECE_BYTES = 1024 * 1024;

/** Live frames smaller than this are sent uncompressed (see deliver). */
const COMPRESS_LIVE_FROM_BYTES = 16 * 1024;

/** Messages a client may send before its room has loaded; the socket is paused meanwhile. */
const MAX_EARLY_FRAMES = 64;

export class YjsConnection implements SocketHandler, RoomMember {
  readonly controlledIds = new Set<number>();
  private room: YjsRoom | undefined;
  private early: { data: Buffer; isBinary: boolean }[] = [];
  private isClosed = false;
  private toldReadOnly = false;
  /** Called once when the socket closes, after the room has forgotten it. */
  onClosed: (() => void) | undefined;

  constructor(
    private readonly socket: ClientSocket,
    public permissions: Permissions,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    socket.pauseReading();
  }

  /** The room has loaded: greet the client and handle what it already sent. */
  join(room: YjsRoom): void {
    if (this.isClosed) return;
    this.room = room;
    room.members.add(this);
    this.socket.send(encodeSyncStep1(Y.encodeStateVector(room.doc)));
    const awareness = room.awarenessFrame();
    if (awareness) this.socket.send(awareness);
    const early = this.early;
    this.early = [];
    for (const frame of early) this.message(frame.data, frame.isBinary);
    this.socket.resumeReading();
  }

  message(data: Buffer, isBinary: boolean): void {
    if (this.isClosed) return;
    if (!this.room) {
      if (this.early.length >= MAX_EARLY_FRAMES) {
        return this.close(CloseCode.PolicyViolation, 'too many messages before the room loaded');
      }
      this.early.push({ data, isBinary });
      return;
    }
    // After hub stop has stored the room; the client re-sends this on reconnect.
    if (this.room.isDestroyed) return;
    if (!isBinary) return this.close(CloseCode.UnsupportedData, 'text frames are not Yjs messages');
    let messages: YjsMessage[];
    try {
      messages = decodeFrame(data);
    } catch (err) {
      return this.refuseMalformed(err);
    }
    for (const m of messages) {
      if (this.isClosed) return;
      try {
        this.handle(this.room, m);
      } catch (err) {
        return this.refuseMalformed(err);
      }
    }
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const room = this.room;
    if (room) {
      room.members.delete(this);
      // Everyone else drops this client's cursors at once instead of after 30 s (§1.6).
      if (this.controlledIds.size > 0) {
        removeAwarenessStates(room.awareness, [...this.controlledIds], null);
      }
    }
    this.onClosed?.();
  }

  deliver(frame: Uint8Array): void {
    // The room sends one frame to every member: deflating it per member would cost more CPU
    // than the whole fan-out, so only large ones (a paste, an image) are compressed.
    this.socket.send(frame, { compress: frame.length >= COMPRESS_LIVE_FROM_BYTES });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Live permission change (dashboard, management API). */
  setPermissions(permissions: Permissions): void {
    this.permissions = permissions;
    this.toldReadOnly = false;
    if (!permissions.read) this.close(CloseCode.Forbidden, 'access revoked');
  }

  private handle(room: YjsRoom, m: YjsMessage): void {
    switch (m.type) {
      case 'sync-step1':
        return this.sendState(room, m.stateVector);
      case 'sync-step2':
      case 'update':
        return this.applyUpdate(room, m.update);
      case 'awareness':
        applyAwarenessUpdate(room.awareness, m.update, this);
        if (this.controlledIds.size > this.limits.maxAwarenessIds) {
          this.close(CloseCode.PolicyViolation, 'too many awareness client IDs');
        }
        return;
      case 'query-awareness': {
        const frame = room.awarenessFrame();
        if (frame) this.socket.send(frame);
        return;
      }
      case 'auth':
        return; // clients have nothing to say here; the stock server ignores it too
    }
  }

  /**
   * The SyncStep2 for a client's state vector. A large one goes as several
   * updates, then the delete set as the SyncStep2, so that the client hears
   * from the hub often enough not to time out mid-transfer. It is bounded by the
   * room limit and already in memory, so it is not live traffic for the queue cap.
   */
  private sendState(room: YjsRoom, stateVector: Uint8Array): void {
    const update = Y.encodeStateAsUpdate(room.doc, stateVector);
    const send = (frame: Uint8Array) => this.socket.send(frame, { uncapped: true });
    if (update.length <= SYNC_PIECE_BYTES) return void send(encodeSyncStep2(update));
    for (const piece of splitUpdateStructs(update, SYNC_PIECE_BYTES)) send(encodeUpdate(piece));
    const deletes = Y.encodeStateAsUpdate(room.doc, Y.encodeStateVector(room.doc));
    send(encodeSyncStep2(deletes));
  }

  private applyUpdate(room: YjsRoom, update: Uint8Array): void {
    if (!this.permissions.write) {
      // Dropped, and said once, so the page can show why its edits go nowhere.
      if (!this.toldReadOnly) {
        this.toldReadOnly = true;
        this.socket.send(encodePermissionDenied('read-only: your edits are not saved or shared'));
      }
      return;
    }
    if (update.length > this.limits.maxUpdateBytes) {
      return this.close(
        CloseCode.MessageTooBig,
        `update larger than ${this.limits.maxUpdateBytes} bytes (YjsMaxUpdateBytes)`,
      );
    }
    if (!room.fits(update.length)) {
      this.log.warn({ room: room.name, bytes: room.bytes }, 'Yjs room is full (YjsMaxRoomBytes)');
      return this.close(CloseCode.MessageTooBig, 'the room is full (YjsMaxRoomBytes)');
    }
    Y.applyUpdate(room.doc, update, this);
  }

  private refuseMalformed(err: unknown): void {
    const reason =
      err instanceof YjsProtocolError
        ? err.message
        : `malformed Yjs content: ${(err as Error).message}`;
    this.log.info({ remote: this.socket.remoteAddress, reason }, 'malformed Yjs message');
    this.close(CloseCode.ProtocolError, reason);
  }
}
