// Who owns which Yjs client ID on a class's board, cached per room on this
// hub while anyone is connected. A binding never changes once made, so a
// cached owner is always right; only a miss goes to the store.
import type { OwnerBook } from '../protocols/yjs/room-gate';
import type { ClassroomStore } from '../store/class-store';

class RoomOwners implements OwnerBook {
  private readonly owners = new Map<number, string>();
  holders = 0;

  constructor(
    private readonly store: ClassroomStore,
    private readonly room: string,
  ) {}

  owner(clientId: number): string | undefined {
    return this.owners.get(clientId);
  }

  async claim(clientIds: readonly number[], memberId: string): Promise<void> {
    this.learn(await this.store.claim(this.room, clientIds, memberId));
  }

  async refresh(): Promise<void> {
    this.learn(await this.store.owners(this.room));
  }

  private learn(owners: Map<number, string>): void {
    for (const [id, member] of owners) this.owners.set(id, member);
  }
}

export class BoardOwners {
  private readonly rooms = new Map<string, RoomOwners>();

  constructor(private readonly store: ClassroomStore) {}

  /** The room's book, loaded; call the returned release once done with it. */
  async hold(room: string): Promise<{ book: OwnerBook; release: () => void }> {
    let book = this.rooms.get(room);
    if (!book) {
      book = new RoomOwners(this.store, room);
      this.rooms.set(room, book);
    }
    book.holders++;
    const held = book;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--held.holders === 0 && this.rooms.get(room) === held) this.rooms.delete(room);
    };
    try {
      await held.refresh();
    } catch (err) {
      release();
      throw err;
    }
    return { book: held, release };
  }

  /** The class is gone: nobody may use its bindings again. */
  forget(room: string): void {
    this.rooms.delete(room);
  }
}
