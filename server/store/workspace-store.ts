// Where the workspaces signaling server keeps its workspaces and their
// attendees (§6): the contract, the in-memory backend, and the choice between
// it and SQLite, made from config as for the document store (DESIGN.md rule 3).
import type { HubConfig } from '../config/schema';
import { openSqliteFile } from './open-store';
import { SqliteWorkspaceStore } from './sqlite-workspace-store';
import type { StoreOptions } from './types';

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
  /** 'sqlite' or 'memory'. */
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

interface Stored {
  record: WorkspaceRecord;
  members: Map<string, WorkspaceMember>;
  lastAccess: number;
}

const copyRecord = (r: WorkspaceRecord): WorkspaceRecord => ({
  ...r,
  pinSalt: Uint8Array.from(r.pinSalt),
  pinHash: Uint8Array.from(r.pinHash),
  tokenKey: Uint8Array.from(r.tokenKey),
  call: r.call === undefined ? null : structuredClone(r.call),
});

/** For tests and `Database=memory`: lost on exit. */
export class MemoryWorkspaceStore implements WorkspaceStore {
  readonly kind = 'memory';
  private readonly workspaces = new Map<string, Stored>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(workspace: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean> {
    if (this.workspaces.has(workspace.id)) return false;
    this.workspaces.set(workspace.id, {
      record: copyRecord(workspace),
      members: new Map([[owner.id, { ...owner }]]),
      lastAccess: this.now(),
    });
    return true;
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    const w = this.workspaces.get(id);
    return w ? copyRecord(w.record) : null;
  }

  async members(id: string): Promise<WorkspaceMember[]> {
    return [...(this.workspaces.get(id)?.members.values() ?? [])].map((m) => ({ ...m }));
  }

  async member(id: string, attendeeId: string): Promise<WorkspaceMember | null> {
    const m = this.workspaces.get(id)?.members.get(attendeeId);
    return m ? { ...m } : null;
  }

  async putMember(id: string, member: WorkspaceMember): Promise<boolean> {
    const w = this.workspaces.get(id);
    if (!w) return false;
    w.members.set(member.id, { ...member });
    w.lastAccess = this.now();
    return true;
  }

  async removeMember(id: string, attendeeId: string): Promise<boolean> {
    const w = this.workspaces.get(id);
    if (!w?.members.delete(attendeeId)) return false;
    w.lastAccess = this.now();
    return true;
  }

  async setCall(id: string, call: unknown): Promise<void> {
    const w = this.workspaces.get(id);
    if (w) w.record.call = call === undefined ? null : structuredClone(call);
  }

  async touch(id: string): Promise<void> {
    const w = this.workspaces.get(id);
    if (w) w.lastAccess = this.now();
  }

  async delete(id: string): Promise<boolean> {
    return this.workspaces.delete(id);
  }

  async count(): Promise<number> {
    return this.workspaces.size;
  }

  async purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const [id, w] of this.workspaces) {
      if (w.lastAccess >= cutoff || keep(id)) continue;
      this.workspaces.delete(id);
      gone.push(id);
    }
    return gone;
  }

  async close(): Promise<void> {
    this.workspaces.clear();
  }
}

/** Memory when Database=memory, otherwise the hub's SQLite file (its own connection). */
export function openWorkspaceStore(
  config: HubConfig,
  now: () => number = Date.now,
): WorkspaceStore {
  if (config.Database === 'memory') return new MemoryWorkspaceStore({ now });
  return openSqliteFile(
    config,
    (file, synchronous) => new SqliteWorkspaceStore(file, { synchronous, now }),
  );
}
