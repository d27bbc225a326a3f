// Keeps one room in step across hubs that share a bus (Redis). Each hub
// announces the updates of its own clients once it has stored them, and
// their awareness changes at once; the others apply them with the REMOTE
// origin, so they reach their members without being stored or announced
// again. A hub that loads a room, or that may have missed messages, asks the
// others for what it lacks by sending its state vector; any hub holding the
// room answers with the difference, once it has stored what it holds.
import * as Y from 'yjs';
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import type { Bus, DistributiveOmit } from '../../cluster/bus';
import type { Logger } from '../../log/logger';

/** The origin of changes that came from another hub. */
export const REMOTE = Symbol('another hub');

type LinkMessage = { hub: string } & (
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'sync'; stateVector: Uint8Array }
);

export interface LinkedRoom {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly awareness: Parameters<typeof applyAwarenessUpdate>[0];
  /** Runs `send` once everything the doc holds now is stored. */
  whenDurable(send: () => void): void;
}

export const topicOf = (room: string): string => `yjs:${room}`;

export class RoomLink {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly room: LinkedRoom,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe<LinkMessage>(topicOf(room.name), (m) => this.receive(m));
  }

  announceUpdate(update: Uint8Array): void {
    this.send({ kind: 'update', update });
  }

  announceAwareness(update: Uint8Array): void {
    this.send({ kind: 'awareness', update });
  }

  /** Asks the other hubs holding this room for whatever this hub lacks. */
  requestSync(): void {
    this.send({ kind: 'sync', stateVector: Y.encodeStateVector(this.room.doc) });
  }

  dispose(): void {
    this.unsubscribe();
  }

  private send(message: DistributiveOmit<LinkMessage, 'hub'>): void {
    this.bus.publish<LinkMessage>(topicOf(this.room.name), { ...message, hub: this.bus.hubId });
  }

  private receive(message: LinkMessage): void {
    if (message.hub === this.bus.hubId) return; // the local echo of our own publish
    try {
      switch (message.kind) {
        case 'update':
          return Y.applyUpdate(this.room.doc, message.update, REMOTE);
        case 'awareness':
          return applyAwarenessUpdate(this.room.awareness, message.update, REMOTE);
        case 'sync': {
          const missing = Y.encodeStateAsUpdate(this.room.doc, message.stateVector);
          // Two bytes is an update with nothing in it. The other hub shows it at once,
          // so it leaves once this hub has stored what it holds.
          if (missing.length > 2) this.room.whenDurable(() => this.announceUpdate(missing));
          return;
        }
      }
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message, room: this.room.name },
        'bad message from a hub',
      );
    }
  }
}
