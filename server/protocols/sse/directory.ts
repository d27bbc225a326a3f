// Who is in which SSE signaling room on the other hubs (Database=redis). Each
// hub announces its own peers' joins and leaves on the bus and mirrors the
// others', so a join offers every peer in the room, wherever it is connected,
// and a relay may target a peer on another hub. A hub that starts, or that
// lost its link for a while, asks the others to announce their members again;
// the members of a hub that died are dropped when its death is announced.
import type { Bus } from '../../cluster/bus';
import { HUB_GONE_TOPIC } from '../../cluster/bus';
import type { DistributiveOmit, HubGone } from '../../cluster/bus';
import type { RtcUser } from './token';

/** A peer as its events show it (the token's public claims), wherever it is connected. */
export type RemotePeer = RtcUser;

type DirectoryMessage = { hub: string } & (
  | { kind: 'joined'; room: string; peer: RemotePeer }
  | { kind: 'left'; room: string; peerId: string }
  | { kind: 'members'; entries: { room: string; peer: RemotePeer }[] }
  | { kind: 'ask' }
);

const TOPIC = 'rtc-sse/directory';

/** What the members see of a mirrored peer: never which hub holds it. */
const visible = ({ id, username, iat, exp }: RemotePeer): RemotePeer => ({
  id,
  username,
  iat,
  exp,
});

export class SseDirectory {
  /** room -> peer id -> the peer and the hub it is on. */
  private readonly rooms = new Map<string, Map<string, RemotePeer & { hub: string }>>();
  private readonly unsubscribe: (() => void)[];
  private disposed = false;

  constructor(
    private readonly bus: Bus,
    /** This hub's own memberships, for answering an `ask`. */
    private readonly localMembers: () => { room: string; peer: RemotePeer }[],
    /** A remote peer left a room (or its hub died): tell the local members. */
    private readonly onRemoteLeave: (room: string, peer: RemotePeer) => void,
  ) {
    this.unsubscribe = [
      bus.subscribe<DirectoryMessage>(TOPIC, (m) => this.receive(m)),
      bus.subscribe<HubGone>(HUB_GONE_TOPIC, ({ hub }) => this.dropHub(hub)),
      bus.onGap(() => this.send({ kind: 'ask' })),
    ];
    // Asked once the answers can reach this hub.
    void bus.subscribed(TOPIC).then(() => {
      if (!this.disposed) this.send({ kind: 'ask' });
    });
  }

  /** Peers on other hubs in the room. */
  members(room: string): RemotePeer[] {
    return [...(this.rooms.get(room)?.values() ?? [])].map(visible);
  }

  has(room: string, peerId: string): boolean {
    return this.rooms.get(room)?.has(peerId) ?? false;
  }

  /** Whether the peer is in any room on another hub. */
  knows(peerId: string): boolean {
    for (const members of this.rooms.values()) if (members.has(peerId)) return true;
    return false;
  }

  joined(room: string, peer: RemotePeer): void {
    this.send({ kind: 'joined', room, peer });
  }

  left(room: string, peerId: string): void {
    this.send({ kind: 'left', room, peerId });
  }

  dispose(): void {
    this.disposed = true;
    for (const u of this.unsubscribe) u();
    this.rooms.clear();
  }

  private send(message: DistributiveOmit<DirectoryMessage, 'hub'>): void {
    this.bus.publish<DirectoryMessage>(TOPIC, { ...message, hub: this.bus.hubId });
  }

  private receive(m: DirectoryMessage): void {
    if (m.hub === this.bus.hubId) return;
    switch (m.kind) {
      case 'joined':
        return this.add(m.room, m.peer, m.hub);
      case 'members':
        for (const e of m.entries) this.add(e.room, e.peer, m.hub);
        return;
      case 'left': {
        const peer = this.rooms.get(m.room)?.get(m.peerId);
        if (peer) this.remove(m.room, peer);
        return;
      }
      case 'ask':
        return this.send({ kind: 'members', entries: this.localMembers() });
    }
  }

  private add(room: string, peer: RemotePeer, hub: string): void {
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    members.set(peer.id, { ...peer, hub });
  }

  private remove(room: string, peer: RemotePeer): void {
    const members = this.rooms.get(room);
    if (!members?.delete(peer.id)) return;
    if (members.size === 0) this.rooms.delete(room);
    this.onRemoteLeave(room, visible(peer));
  }

  private dropHub(hub: string): void {
    for (const [room, members] of [...this.rooms]) {
      for (const peer of [...members.values()]) if (peer.hub === hub) this.remove(room, peer);
    }
  }
}
