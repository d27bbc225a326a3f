// Workspaces in memory, for tests and `Database=memory`: lost on exit.
import type { StoreOptions } from './types';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from './workspace-store';

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
