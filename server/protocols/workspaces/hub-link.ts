// The workspaces of hubs that share Redis, kept as one
// (docs/protocols/workspaces.md#several-hubs). The records are in Redis; what
// lives in each hub is who is present on it. Each hub announces its own
// attendees' arrivals and departures on the bus and mirrors the others', so
// presence lists, capacity and relays see every hub; and it sends what its
// clients say to a workspace, or to one attendee, over the bus to the hubs
// holding the others. Everything goes on one topic: one publisher connection to
// one subscriber connection keeps it in order, so an attendee is never told of
// a relay before its arrival was mirrored. A hub that starts, or that lost its
// link for a while, asks the others for their attendees; those of a hub that
// died leave when its death is announced.
import type { Bus } from '../../cluster/bus';
import { HUB_GONE_TOPIC } from '../../cluster/bus';
import type { DistributiveOmit, HubGone } from '../../cluster/bus';
import type { Attendee } from './events';

/** Told to the attendees present in a workspace on the receiving hub. */
export interface Announcement {
  workspace: string;
  event: string;
  data: unknown;
  /** After telling: take these out of the workspace ('all' when it was destroyed). */
  remove?: 'all' | string;
}

type LinkMessage = { hub: string } & (
  | { kind: 'present'; workspace: string; attendee: Attendee }
  | { kind: 'absent'; workspace: string; attendeeId: string }
  | { kind: 'members'; entries: { workspace: string; attendee: Attendee }[] }
  | { kind: 'ask' }
  | ({ kind: 'announce' } & Announcement)
  | { kind: 'direct'; workspace: string; attendeeId: string; event: string; data: unknown }
);

const TOPIC = 'workspaces/link';
/** Time for the other hubs to answer a starting hub's `ask`: a round trip through Redis, with room to spare. */
const SETTLE_MS = 1000;

/** What the link asks of this hub's workspaces server. */
export interface LocalSide {
  /** This hub's present attendees, for answering an `ask`. */
  present(): { workspace: string; attendee: Attendee }[];
  /** Told to this hub's attendees in the workspace. */
  announce(a: Announcement): void;
  /** To one attendee, if present on this hub. */
  direct(workspace: string, attendeeId: string, event: string, data: unknown): void;
  /** Another hub took this attendee over: this hub's connection for it goes. */
  replaced(workspace: string, attendeeId: string): void;
  /** An attendee on another hub is gone without a `leave` (its hub died or forgot it). */
  vanished(workspace: string, attendee: Attendee): void;
}

export class WorkspacesLink {
  /** Workspace → attendee ID → the attendee and the hub it is present on. */
  private readonly remote = new Map<string, Map<string, { attendee: Attendee; hub: string }>>();
  private local: LocalSide | undefined;
  private readonly unsubscribe: (() => void)[];
  private settle: { timer?: NodeJS.Timeout; done: () => void } | undefined;
  /**
   * Resolves once the other hubs have had time to say who is present on them:
   * until then this hub would take their workspaces for empty.
   */
  readonly settled: Promise<void>;

  constructor(private readonly bus: Bus) {
    this.unsubscribe = [
      bus.subscribe<LinkMessage>(TOPIC, (m) => this.receive(m)),
      bus.subscribe<HubGone>(HUB_GONE_TOPIC, ({ hub }) => this.replaceHub(hub, [])),
      bus.onGap(() => this.send({ kind: 'ask' })),
    ];
    this.settled = new Promise((done) => {
      // Asked once the answers can reach this hub.
      void bus.subscribed(TOPIC).then(() => {
        if (!this.settle) return; // disposed meanwhile
        this.send({ kind: 'ask' });
        this.settle.timer = setTimeout(done, SETTLE_MS);
        this.settle.timer.unref();
      });
      this.settle = { done };
    });
  }

  /** The workspaces server, once Socket.IO is loaded. */
  bind(local: LocalSide): void {
    this.local = local;
  }

  /** Attendees present in the workspace on other hubs. */
  attendees(workspace: string): Attendee[] {
    return [...(this.remote.get(workspace)?.values() ?? [])].map((e) => e.attendee);
  }

  has(workspace: string, attendeeId: string): boolean {
    return this.remote.get(workspace)?.has(attendeeId) ?? false;
  }

  /** Whether anyone is present in the workspace on another hub. */
  isLive(workspace: string): boolean {
    return this.remote.has(workspace);
  }

  /** This hub's attendee arrived; another hub that held it lets its connection go. */
  arrived(workspace: string, attendee: Attendee): void {
    this.drop(workspace, attendee.id);
    this.send({ kind: 'present', workspace, attendee });
  }

  left(workspace: string, attendeeId: string): void {
    this.send({ kind: 'absent', workspace, attendeeId });
  }

  announce(a: Announcement): void {
    this.send({ kind: 'announce', ...a });
  }

  /** Sends to the attendee if it is present on another hub; false if it is not. */
  direct(workspace: string, attendeeId: string, event: string, data: unknown): boolean {
    if (!this.has(workspace, attendeeId)) return false;
    this.send({ kind: 'direct', workspace, attendeeId, event, data });
    return true;
  }

  /** Ends the wait for `settled` at once (the hub stops). */
  stopSettling(): void {
    clearTimeout(this.settle?.timer);
    this.settle?.done();
    this.settle = undefined;
  }

  dispose(): void {
    this.stopSettling();
    for (const u of this.unsubscribe) u();
    this.remote.clear();
  }

  private send(message: DistributiveOmit<LinkMessage, 'hub'>): void {
    this.bus.publish<LinkMessage>(TOPIC, { ...message, hub: this.bus.hubId });
  }

  private receive(m: LinkMessage): void {
    if (m.hub === this.bus.hubId) return;
    switch (m.kind) {
      case 'present':
        this.local?.replaced(m.workspace, m.attendee.id);
        return this.add(m.workspace, m.attendee, m.hub);
      case 'absent':
        if (this.remote.get(m.workspace)?.get(m.attendeeId)?.hub === m.hub) {
          this.drop(m.workspace, m.attendeeId);
        }
        return;
      case 'members':
        return this.replaceHub(m.hub, m.entries);
      case 'ask':
        return this.send({ kind: 'members', entries: this.local?.present() ?? [] });
      case 'announce': {
        // Whoever it removes says `absent` itself, from the hub that holds it.
        const { workspace, event, data, remove } = m;
        return this.local?.announce({ workspace, event, data, remove });
      }
      case 'direct':
        return this.local?.direct(m.workspace, m.attendeeId, m.event, m.data);
    }
  }

  private add(workspace: string, attendee: Attendee, hub: string): void {
    let present = this.remote.get(workspace);
    if (!present) this.remote.set(workspace, (present = new Map()));
    present.set(attendee.id, { attendee, hub });
  }

  private drop(workspace: string, attendeeId: string): void {
    const present = this.remote.get(workspace);
    if (!present?.delete(attendeeId)) return;
    if (present.size === 0) this.remote.delete(workspace);
  }

  /**
   * What `hub` holds is now exactly `entries` (its answer to an `ask`, or
   * nothing once it died): attendees it no longer has are gone.
   */
  private replaceHub(hub: string, entries: { workspace: string; attendee: Attendee }[]): void {
    const now = new Set(entries.map((e) => `${e.workspace}\n${e.attendee.id}`));
    for (const [workspace, present] of [...this.remote]) {
      for (const entry of [...present.values()]) {
        if (entry.hub !== hub || now.has(`${workspace}\n${entry.attendee.id}`)) continue;
        this.drop(workspace, entry.attendee.id);
        this.local?.vanished(workspace, entry.attendee);
      }
    }
    for (const e of entries) this.add(e.workspace, e.attendee, hub);
  }
}
