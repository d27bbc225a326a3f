// Rooms with roles (classes) are opened through a gate the hub plugs into the
// Yjs endpoint, so the protocol never learns what a class is: the gate says
// who the client is, what it may do, and who owns which Yjs client ID.
import type { Permissions } from '../../hub/permissions';
import type { EditRole } from './edit-guard';

/** Yjs client ID -> member, shared by a room's connections on this hub. */
export interface OwnerBook {
  owner(clientId: number): string | undefined;
  /** Binds unbound IDs to the member (first binding wins, durably, across hubs). */
  claim(clientIds: readonly number[], memberId: string): Promise<void>;
  /** Learns the owners of IDs this hub has not seen yet (bound through another hub). */
  refresh(): Promise<void>;
}

/** What a connection in a room with roles checks every update against. */
export interface GuardedEdits {
  role: EditRole;
  owners: OwnerBook;
  /** The name the hub knows the member by: it replaces `user.name` in their presence. */
  name: string;
}

export type GateResult =
  /**
   * 404: a room name kept for classes, with no class behind it. 429: the
   * address has tried too many tokens or room names that failed.
   */
  | { ok: false; status: 401 | 403 | 404 | 429; reason: string }
  | {
      ok: true;
      userId: string;
      /** Shown on the dashboard in place of the user ID. */
      displayName: string;
      permissions: Permissions;
      edits: GuardedEdits;
      /** Once the connection has closed. */
      release(): void;
    };

/** Where a connection comes from, beyond its address. */
export interface ClientOrigin {
  /** A page this hub served (the board): its Origin is the hub's own. */
  ownPage: boolean;
}

export interface RoomGate {
  /**
   * Undefined when the room has no roles: the usual token check applies.
   * `address` is the client's, for the limits on guessing.
   */
  admit(
    room: string,
    token: string | undefined,
    address: string,
    from: ClientOrigin,
  ): Promise<GateResult | undefined>;
}
