// Where the workspaces signaling server keeps its workspaces and their
// attendees (docs/protocols/workspaces.md#persistence): the contract every
// backend (memory, SQLite, Redis) implements; open-store.ts picks one.

export interface WorkspaceRecord {
  /** `_` and 10 alphanumerics, or an ID the creator chose. */
  id: string;
  name: string;
  avatar: string;
  /** The attendee ID of the owner. */
  owner: string;
  /** Unix milliseconds. */
  created: number;
  /** The PIN as scrypt(pin, pinSalt); the PIN itself is never stored. */
  pinSalt: Uint8Array;
  pinHash: Uint8Array;
  /** The HMAC key this workspace's tokens are signed with. */
  tokenKey: Uint8Array;
  /** The call in progress as the ringing client described it, or null. */
  call: unknown;
}

export interface WorkspaceMember {
  id: string;
  name: string;
  avatar: string;
  /** When this attendee last attended (Unix ms): the stalest member goes first when the list is full. */
  lastJoined: number;
}

export interface WorkspaceStore {
  /** 'sqlite', 'memory' or 'redis'. */
  readonly kind: string;
  /** Stores a new workspace with its owner as first member; false if the ID is taken. */
  create(workspace: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean>;
  get(id: string): Promise<WorkspaceRecord | null>;
  /** Members in the order they first joined. */
  members(id: string): Promise<WorkspaceMember[]>;
  member(id: string, attendeeId: string): Promise<WorkspaceMember | null>;
  /** Adds or updates a member, and counts as a use; false when the workspace is gone. */
  putMember(id: string, member: WorkspaceMember): Promise<boolean>;
  /** Counts as a use; false when there was no such member. */
  removeMember(id: string, attendeeId: string): Promise<boolean>;
  /** Stores the call in progress (null or undefined clears it). */
  setCall(id: string, call: unknown): Promise<void>;
  /** Counts as a use (Expiration starts from the last one). */
  touch(id: string): Promise<void>;
  /** Deletes a workspace and its members; false if there was none. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** Deletes workspaces last used before `cutoff` unless `keep(id)`; returns their IDs. */
  purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]>;
  close(): Promise<void>;
}
