// One y-websocket client (docs/protocols/yjs.md#connection-sequence). Until its
// room has loaded, the socket is paused and early frames wait; then the hub
// sends its SyncStep1 and the room's awareness, and answers every SyncStep1
// with a SyncStep2 computed from the loaded state.
import { applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Permissions } from '../../hub/permissions';
import type { Logger } from '../../log/logger';
import { FAN_OUT } from '../../transport/client-socket';
import type { ClientSocket, SocketHandler } from '../../transport/client-socket';
import { CloseCode } from '../../transport/close-codes';
import type { LimitHits } from '../../transport/limit-hits';
import {
  decodeFrame,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  YjsProtocolError,
} from './codec';
import type { YjsMessage } from './codec';
import { vetAwareness } from './awareness-guard';
import { changesRoom, footprint, judge } from './edit-guard';
import type { UpdateFootprint } from './edit-guard';
import type { FrameKind, RoomMember, YjsRoom } from './room';
import type { GuardedEdits } from './room-gate';
import { splitUpdateStructs } from './split-update';
import {
  MalformedUpdateError,
  splitByCost,
  updateCost,
  updateSize,
  VALUES_PER_STRUCT,
} from './update-size';

export interface ConnectionLimits {
  maxUpdateBytes: number;
  /**
   * What one update may cost to apply (YjsMaxUpdateStructs): structs and
   * delete ranges, and every VALUES_PER_STRUCT values inside items.
   */
  maxUpdateStructs: number;
  /** Awareness client IDs one connection may introduce (a tab normally has one). */
  maxAwarenessIds: number;
  /** Where refusals by a size limit are counted (/metrics). */
  limitHits?: LimitHits;
}

/** A SyncStep2 larger than this goes out in pieces of about this size. */
const SYNC_PIECE_BYTES = 1024 * 1024;

/**
 * Messages a client may send while the hub cannot handle them yet (its room
 * is loading, or the hub is recording who owns a new client ID); the socket
 * is paused meanwhile, so only what was already in flight arrives.
 */
const MAX_HELD_MESSAGES = 64;

/** A message waiting its turn, with what it costs to handle (0 but for updates). */
interface Held {
  message: YjsMessage;
  cost: number;
  /** An update's structs, for the room limits (YjsMaxRoomStructs). */
  structs: number;
  /** A piece of a large update, cut by the hub: not counted as a message the client sent. */
  step?: true;
}

/** A v1 update with no structs and no deletions. */
const NOTHING = new Uint8Array([0, 0]);

export class YjsConnection implements SocketHandler, RoomMember {
  readonly controlledIds = new Set<number>();
  private room: YjsRoom | undefined;
  private early: { data: Buffer; isBinary: boolean }[] = [];
  /**
   * Decoded messages waiting for an ownership claim to finish, or for the
   * next event-loop turn (drain), in order.
   */
  private held: Held[] = [];
  private waiting = false;
  private isClosed = false;
  private isClosing = false;
  /** An edit waits for its authors to be recorded: the room is held until it is applied. */
  private recordingAuthors = false;
  private toldReadOnly = false;
  /**
   * While the room's content is withheld (permissions.withheld): the state
   * vector the client is known to hold, so the reveal sends only what it lacks.
   */
  private withheldFrom: Uint8Array | undefined;
  /** In a room with roles: every update is checked against them first. */
  edits: GuardedEdits | undefined;
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
    if (this.isClosed || this.isClosing) return;
    this.room = room;
    room.members.add(this);
    this.socket.send(encodeSyncStep1(Y.encodeStateVector(room.doc)));
    const awareness = room.awarenessFrame();
    if (awareness) this.socket.send(awareness);
    const early = this.early;
    this.early = [];
    for (const frame of early) this.message(frame.data, frame.isBinary);
    if (!this.waiting) this.socket.resumeReading();
  }

  message(data: Buffer, isBinary: boolean): void {
    if (this.isClosed || this.isClosing) return;
    if (!this.room) {
      if (this.early.length >= MAX_HELD_MESSAGES) {
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
      messages = decodeFrame(data, MAX_HELD_MESSAGES);
    } catch (err) {
      return this.refuseMalformed(err);
    }
    const sent = this.held.filter((h) => !h.step).length;
    if (sent + messages.length > MAX_HELD_MESSAGES) {
      return this.close(CloseCode.PolicyViolation, 'too many messages while the hub was busy');
    }
    for (const message of messages) {
      let held: Held[];
      try {
        held = this.costed(message);
      } catch (err) {
        return this.refuseMalformed(err);
      }
      if (held.length === 0) return; // refused
      this.held.push(...held);
    }
    // Reading and cutting a large update took this turn's share: its first piece waits for the next.
    if (!this.waiting && this.held.some((h) => h.step)) this.drainNextTurn(this.room);
    else this.drain(this.room);
  }

  /**
   * A message with what it costs to handle. An update that costs more than
   * one turn may spend (an offline board's SyncStep2, a redo of a large
   * import) becomes pieces that drain applies one per turn; one whose single
   * struct costs more is refused (an empty list).
   */
  private costed(message: YjsMessage): Held[] {
    if (message.type !== 'update' && message.type !== 'sync-step2') {
      return [{ message, cost: 0, structs: 0 }];
    }
    const max = this.limits.maxUpdateStructs;
    const room = this.room;
    // Structs the room does not hold yet: what a room limit counts, read in the same walk.
    const known = room && ((client: number) => Y.getState(room.doc.store, client));
    const size = updateSize(message.update, known);
    const cost = updateCost(size);
    if (cost <= max) return [{ message, cost, structs: size.fresh }];
    // Judged whole before it is cut, so that a room never keeps half of an update it cannot hold.
    if (
      room &&
      this.permissions.write &&
      this.refusedByRoomLimit(room, message.update, size.fresh, cost)
    ) {
      return [];
    }
    const pieces = splitByCost(message.update, max, VALUES_PER_STRUCT);
    if (!pieces) {
      this.refuseCostly(cost);
      return [];
    }
    this.log.info(
      {
        remote: this.socket.remoteAddress,
        room: this.room?.name,
        structs: cost,
        steps: pieces.length,
      },
      'large Yjs update applied in steps (YjsMaxUpdateStructs)',
    );
    // Each piece is given a whole turn of its own.
    return pieces.map(({ update, structs }) => ({
      message: { type: 'update', update },
      cost: max,
      structs,
      step: true,
    }));
  }

  /**
   * Handles held messages in order, until one has to wait. Several updates
   * that together cost more than one may (a frame of many, or what piled up
   * during a wait) are spread over event-loop turns, the socket paused
   * meanwhile, so no turn applies more than YjsMaxUpdateStructs.
   */
  private drain(room: YjsRoom): void {
    let spent = 0;
    while (!this.waiting && !this.isClosed && !this.isClosing && this.held.length > 0) {
      const next = this.held[0]!;
      if (spent > 0 && spent + next.cost > this.limits.maxUpdateStructs) {
        return this.drainNextTurn(room);
      }
      this.held.shift();
      spent += next.cost;
      try {
        this.handle(room, next);
      } catch (err) {
        return this.refuseMalformed(err);
      }
    }
  }

  private drainNextTurn(room: YjsRoom): void {
    this.waiting = true;
    this.socket.pauseReading();
    setImmediate(() => {
      this.waiting = false;
      if (this.isClosed || this.isClosing || room.isDestroyed) return;
      this.drain(room);
      if (!this.waiting && !this.isClosed) this.socket.resumeReading();
    });
  }

  /** A struct over YjsMaxUpdateStructs by itself: refused before Yjs builds any of it. */
  private refuseCostly(cost: number): void {
    const max = this.limits.maxUpdateStructs;
    this.limits.limitHits?.hit('YjsMaxUpdateStructs');
    this.log.warn(
      { remote: this.socket.remoteAddress, room: this.room?.name, structs: cost, limit: max },
      'Yjs update refused: one struct holds too many values (YjsMaxUpdateStructs)',
    );
    this.close(
      CloseCode.MessageTooBig,
      `update of ${cost} structs, a single one over ${max} (YjsMaxUpdateStructs)`,
    );
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const room = this.room;
    if (room) {
      room.members.delete(this);
      // Everyone else drops this client's cursors at once instead of after 30 s
      // (docs/protocols/yjs.md#when-a-client-leaves).
      if (this.controlledIds.size > 0) {
        removeAwarenessStates(room.awareness, [...this.controlledIds], null);
      }
    }
    // Not yet if an edit it sent is still being checked: releasing could unload the room under it.
    if (!this.recordingAuthors) this.onClosed?.();
  }

  deliver(frame: Uint8Array, kind: FrameKind): void {
    if (kind === 'doc' && this.permissions.withheld) return;
    // The room sends one frame to every member: deflating it per member would cost more CPU
    // than the whole fan-out, so only large ones (a paste, an image) are compressed.
    this.socket.send(frame, FAN_OUT);
  }

  /** The room's updates cannot be stored: a client that may write is told why and closed. */
  storeFailed(reason: string): void {
    if (!this.permissions.write || this.isClosing || this.isClosed) return;
    const why = `the hub cannot store this room: ${reason}`;
    this.socket.send(encodePermissionDenied(why), { uncapped: true });
    this.close(CloseCode.InternalError, why);
  }

  /** Nothing the client sends from here on is handled, held messages included. */
  close(code: number, reason: string): void {
    this.isClosing = true;
    this.socket.close(code, reason);
  }

  /** Live permission change (dashboard, management API). */
  setPermissions(permissions: Permissions): void {
    const room = this.room;
    const withholding = !this.permissions.withheld && permissions.withheld;
    const revealing = this.permissions.withheld && !permissions.withheld;
    // Broadcasts stop here; the reveal sends whatever the client was not sent yet.
    if (withholding && room) this.withheldFrom = room.sentStateVector();
    this.permissions = permissions;
    this.toldReadOnly = false;
    if (!permissions.read) return this.close(CloseCode.Forbidden, 'access revoked');
    if (revealing) this.reveal();
  }

  /** Content is no longer withheld: the client gets what it missed meanwhile. */
  private reveal(): void {
    const from = this.withheldFrom;
    this.withheldFrom = undefined;
    const room = this.room;
    if (!from || !room || room.isDestroyed || this.isClosing || this.isClosed) return;
    this.sendState(room, from);
  }

  private handle(room: YjsRoom, { message: m, structs, cost }: Held): void {
    switch (m.type) {
      case 'sync-step1':
        return this.sendState(room, m.stateVector);
      case 'sync-step2':
      case 'update':
        return this.applyUpdate(room, m.update, structs, cost);
      case 'awareness': {
        const vetted = this.edits ? this.vetAwareness(room, m.update, this.edits) : m.update;
        if (!vetted) return;
        applyAwarenessUpdate(room.awareness, vetted, this);
        if (this.controlledIds.size > this.limits.maxAwarenessIds) {
          this.close(CloseCode.PolicyViolation, 'too many awareness client IDs');
        }
        return;
      }
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
   * The SyncStep2 for a client's state vector, taken now and sent once all it
   * holds is stored (docs/protocols/yjs.md#when-updates-are-stored). While the
   * room cannot store, or once the commit it waits for fails, it is taken from
   * the store instead and sent at once: the client reads what is stored, never
   * an edit that is not, and gets those by broadcast once they are stored. A
   * store it cannot even read from closes the client with 1011 and why. It is
   * bounded by the room limit and already in memory, so it is not live
   * traffic for the queue cap.
   */
  private sendState(room: YjsRoom, stateVector: Uint8Array): void {
    if (this.permissions.withheld) {
      // Synced, with nothing new: the reveal brings the rest.
      this.withheldFrom = stateVector;
      return void this.sendSync([encodeSyncStep2(NOTHING)]);
    }
    const stored = room.storedState();
    if (stored) return this.sendStored(room, stored, stateVector);
    const frames = stateFrames(room.doc, stateVector);
    room.whenDurable(
      () => this.sendSync(frames),
      () => {
        if (!this.isClosed && !this.isClosing) this.sendState(room, stateVector);
      },
    );
  }

  private sendStored(room: YjsRoom, stored: Promise<Y.Doc>, stateVector: Uint8Array): void {
    stored.then(
      (doc) => this.sendSync(stateFrames(doc, stateVector)),
      (err: Error) => {
        if (this.isClosed || this.isClosing) return;
        const why = `the hub cannot read this room now: ${err.message}`;
        this.log.warn(
          { room: room.name, remote: this.socket.remoteAddress, err: err.message },
          'Yjs first sync refused: the room can be neither stored nor read',
        );
        this.close(CloseCode.InternalError, why);
      },
    );
  }

  private sendSync(frames: Uint8Array[]): void {
    if (this.isClosed || this.isClosing) return;
    this.socket.send(frames, { uncapped: true });
  }

  /** An update, its structs the room may not hold and its cost (counted by costed). */
  private applyUpdate(room: YjsRoom, update: Uint8Array, structs: number, cost: number): void {
    if (!this.permissions.write) {
      // Dropped, and said once, so the page can show why its edits go nowhere. Not for
      // an update that changes nothing: every client answers the hub's SyncStep1 with one.
      if (!this.toldReadOnly && changesSomething(room, update)) {
        this.toldReadOnly = true;
        this.socket.send(encodePermissionDenied('read-only: your edits are not saved or shared'));
      }
      return;
    }
    if (update.length > this.limits.maxUpdateBytes) {
      this.limits.limitHits?.hit('YjsMaxUpdateBytes');
      return this.close(
        CloseCode.MessageTooBig,
        `update larger than ${this.limits.maxUpdateBytes} bytes (YjsMaxUpdateBytes)`,
      );
    }
    if (this.refusedByRoomLimit(room, update, structs, cost)) return;
    // Nothing new is taken while the room cannot store: a sync that brings nothing still may.
    if (room.writeFault !== undefined && changesSomething(room, update)) {
      return this.storeFailed(room.writeFault);
    }
    if (this.edits) return this.applyGuarded(room, update, this.edits);
    Y.applyUpdate(room.doc, update, this);
  }

  /**
   * Whether the update would take the room, or the rooms in memory together,
   * past their bytes or structs; if so its sender is closed with 1009. A full
   * room still takes an update that changes nothing (a client's resync), or
   * no client could even open it.
   */
  private refusedByRoomLimit(
    room: YjsRoom,
    update: Uint8Array,
    structs: number,
    cost: number,
  ): boolean {
    const passed = room.limitPassedBy(update.length, structs);
    if (!passed || this.changesNothing(room, update, structs, cost)) return false;
    const what = passed.startsWith('YjsMaxRoom') ? 'the room is full' : "the hub's rooms are full";
    this.limits.limitHits?.hit(passed);
    this.log.warn(
      {
        room: room.name,
        bytes: room.bytes,
        structs: room.structs,
        updateStructs: structs,
        remote: this.socket.remoteAddress,
        limit: passed,
      },
      `Yjs update refused: ${what} (${passed})`,
    );
    this.close(CloseCode.MessageTooBig, `${what} (${passed})`);
    return true;
  }

  /**
   * Whether an update would leave the room as it is. One with structs the room
   * does not hold (`structs`, read from its bytes) changes it; otherwise Yjs
   * decodes it to see whether its deletions are new, which is bounded by the
   * turn's budget: a larger update of known structs is taken as a change.
   */
  private changesNothing(
    room: YjsRoom,
    update: Uint8Array,
    structs: number,
    cost: number,
  ): boolean {
    if (structs > 0 || cost > this.limits.maxUpdateStructs) return false;
    return !changesSomething(room, update);
  }

  /**
   * A room with roles: the update's footprint (whose client IDs it writes
   * under, whose items it edits inside or deletes) must fit the sender's role.
   * A client ID seen for the first time is bound to the sender before the
   * update is applied, so no stored content ever has an unknown owner.
   */
  private applyGuarded(room: YjsRoom, update: Uint8Array, edits: GuardedEdits): void {
    const { role, owners } = edits;
    const fp = footprint(room.doc, update);
    const unbound = (ids: Iterable<number>) => [...ids].filter((id) => !owners.owner(id));
    const newAuthors = unbound(fp.authors);
    // A moderator may touch anyone's items, so their owners do not matter.
    const strangers = role.moderator ? [] : unbound([...fp.parents, ...fp.deletes]);
    if (newAuthors.length === 0 && strangers.length === 0) return this.decide(room, update, fp);

    this.waiting = true;
    this.recordingAuthors = true;
    this.socket.pauseReading();
    const learn = async () => {
      if (newAuthors.length > 0) await owners.claim(newAuthors, role.memberId);
      if (strangers.length > 0) await owners.refresh();
    };
    learn().then(
      () => {
        this.waiting = false;
        this.recordingAuthors = false;
        if (this.isClosing || room.isDestroyed) return this.releaseIfClosed();
        // Other clients' updates may have landed meanwhile: look again. A page
        // that left meanwhile sent this before it went (a board following the
        // hub to its new address leaves once synced): it is still its edit.
        this.decide(room, update, footprint(room.doc, update));
        if (this.isClosed) return this.releaseIfClosed();
        this.drain(room);
        if (!this.waiting) this.socket.resumeReading();
      },
      (err: Error) => {
        this.recordingAuthors = false;
        this.log.error({ err: err.message, room: room.name }, 'recording Yjs client owners failed');
        this.close(CloseCode.InternalError, 'the hub could not record who wrote this');
        this.releaseIfClosed();
      },
    );
  }

  /** The release closed() put off while an edit was being checked. */
  private releaseIfClosed(): void {
    if (this.isClosed) this.onClosed?.();
  }

  private decide(room: YjsRoom, update: Uint8Array, fp: UpdateFootprint): void {
    const edits = this.edits!;
    const verdict = judge(fp, (id) => edits.owners.owner(id), edits.role);
    if (!verdict.ok) return this.isClosed ? undefined : this.refuse(room, edits, verdict.reason);
    // A reconnecting page resends its whole delete set: applying what changes nothing costs as much again.
    if (changesRoom(fp)) Y.applyUpdate(room.doc, update, this);
  }

  /** Presence under the member's own client IDs only, named as the hub knows them. */
  private vetAwareness(
    room: YjsRoom,
    update: Uint8Array,
    edits: GuardedEdits,
  ): Uint8Array | undefined {
    return vetAwareness(update, edits.name, (id) => this.speaksForOther(room, id, edits));
  }

  /** A client ID bound to another member, or whose presence another connection holds. */
  private speaksForOther(room: YjsRoom, clientId: number, edits: GuardedEdits): boolean {
    const owner = edits.owners.owner(clientId);
    if (owner !== undefined) return owner !== edits.role.memberId;
    for (const member of room.members) {
      if (member !== this && member.controlledIds.has(clientId)) return true;
    }
    return false;
  }

  private refuse(room: YjsRoom, edits: GuardedEdits, reason: string): void {
    this.log.info({ room: room.name, user: edits.role.memberId, reason }, 'Yjs edit refused');
    // The client's copy now holds what the room will never have: it must start over.
    this.socket.send(encodePermissionDenied(`refused: ${reason}`));
    this.close(CloseCode.EditRefused, `edit refused: ${reason}`);
  }

  private refuseMalformed(err: unknown): void {
    const reason =
      err instanceof YjsProtocolError || err instanceof MalformedUpdateError
        ? err.message
        : `malformed Yjs content: ${(err as Error).message}`;
    this.log.info({ remote: this.socket.remoteAddress, reason }, 'malformed Yjs message');
    this.close(CloseCode.ProtocolError, reason);
  }
}

/** Whether the update holds content or deletions the room does not have yet. */
function changesSomething(room: YjsRoom, update: Uint8Array): boolean {
  return changesRoom(footprint(room.doc, update));
}

/**
 * What `doc` holds beyond `stateVector`, as frames. A large one goes as
 * several updates, then the delete set as the SyncStep2, so that the client
 * hears from the hub often enough not to time out mid-transfer.
 */
function stateFrames(doc: Y.Doc, stateVector: Uint8Array): Uint8Array[] {
  const update = Y.encodeStateAsUpdate(doc, stateVector);
  if (update.length <= SYNC_PIECE_BYTES) return [encodeSyncStep2(update)];
  const frames = splitUpdateStructs(update, SYNC_PIECE_BYTES).map((piece) => encodeUpdate(piece));
  frames.push(encodeSyncStep2(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))));
  return frames;
}
