// Workspaces in Redis, shared by hubs (docs/protocols/workspaces.md#persistence).
// Per workspace (one hash tag, one cluster slot):
//   lb:w{<id>}:ws       hash    name, avatar, owner, created, pinSalt, pinHash, tokenKey
//                               (bytes as they are), call (JSON, '' for none), lastAccess
//   lb:w{<id>}:members  hash    attendee ID -> JSON {name, avatar, lastJoined}
//   lb:w{<id>}:order    list    attendee IDs in the order they first joined
// Every change to them is one Lua script, so it is atomic across hubs and has
// been applied when the call resolves. Beside them, in a slot of its own and
// written by a separate command:
//   lb:waccess          zset    workspace ID -> lastAccess, for count() and Expiration
// The workspace hash is the truth; the index may briefly lag it.
import { probeRedisWrite, runScript } from './redis-connection';
import type { RedisClient } from './redis-connection';
import type { StoreOptions } from './types';
import type { WorkspaceMember, WorkspaceRecord, WorkspaceStore } from './workspace-store';

const PARTS = ['ws', 'members', 'order'] as const;
const key = (id: string, part: (typeof PARTS)[number]) => `lb:w{${id}}:${part}`;
const workspaceKeys = (id: string) => PARTS.map((part) => key(id, part));
const ACCESS = 'lb:waccess';

// Every script takes the three keys of workspaceKeys(), in that order.
// ARGV: the record's fields (as in CREATE's HSET), then the owner's ID and JSON. 1, or 0 if taken.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'avatar', ARGV[2], 'owner', ARGV[3],
  'created', ARGV[4], 'pinSalt', ARGV[5], 'pinHash', ARGV[6], 'tokenKey', ARGV[7],
  'call', ARGV[8], 'lastAccess', ARGV[9])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[2], ARGV[10], ARGV[11])
redis.call('RPUSH', KEYS[3], ARGV[10])
return 1`;

// ARGV: attendee ID, JSON, now. 1, or 0 when the workspace is gone.
const PUT_MEMBER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastAccess', ARGV[3])
if redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[3], ARGV[1]) end
return 1`;

// ARGV: attendee ID, now. 1, or 0 when there was no such member.
const REMOVE_MEMBER = `
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('LREM', KEYS[3], 0, ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'lastAccess', ARGV[2]) end
return 1`;

// ARGV: field, value. Sets it only on a workspace that exists (a bare HSET would
// bring a deleted one back as a husk). 1 if it did.
const SET_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

// ARGV: cutoff ('' for none). 1 deleted, 0 missing, -1 used since the cutoff.
const DELETE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'lastAccess')) >= tonumber(ARGV[1]) then
  return -1
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`;

interface StoredMember {
  name: string;
  avatar: string;
  lastJoined: number;
}

const memberJson = (m: WorkspaceMember): string =>
  JSON.stringify({
    name: m.name,
    avatar: m.avatar,
    lastJoined: m.lastJoined,
  } satisfies StoredMember);

const toMember = (id: string, json: string): WorkspaceMember => ({
  id,
  ...(JSON.parse(json) as StoredMember),
});

const callJson = (call: unknown): string =>
  call === undefined || call === null ? '' : JSON.stringify(call);

export class RedisWorkspaceStore implements WorkspaceStore {
  readonly kind = 'redis';
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const scripts: [string, string][] = [
      ['lbWorkspaceCreate', CREATE],
      ['lbWorkspacePutMember', PUT_MEMBER],
      ['lbWorkspaceRemoveMember', REMOVE_MEMBER],
      ['lbWorkspaceSet', SET_IF_EXISTS],
      ['lbWorkspaceDelete', DELETE],
    ];
    for (const [name, lua] of scripts)
      redis.defineCommand(name, { numberOfKeys: PARTS.length, lua });
  }
  /** Resolves once Redis takes a write (the background probe while writes fail). */
  probeWrite(): Promise<void> {
    return probeRedisWrite(this.redis);
  }

  private run(script: string, id: string, ...args: unknown[]): Promise<number> {
    return runScript<number>(this.redis, script, [...workspaceKeys(id), ...args]);
  }

  /** Records a use in the Expiration index, once the script said there was one. */
  private async used(id: string, at: number, changed: number): Promise<boolean> {
    if (changed !== 1) return false;
    await this.redis.zadd(ACCESS, at, id);
    return true;
  }

  async create(w: WorkspaceRecord, owner: WorkspaceMember): Promise<boolean> {
    const now = this.now();
    const created = await this.run(
      'lbWorkspaceCreate',
      w.id,
      w.name,
      w.avatar,
      w.owner,
      w.created,
      Buffer.from(w.pinSalt),
      Buffer.from(w.pinHash),
      Buffer.from(w.tokenKey),
      callJson(w.call),
      now,
      owner.id,
      memberJson(owner),
    );
    return this.used(w.id, now, created);
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    const h = await this.redis.hgetallBuffer(key(id, 'ws'));
    if (!h.owner) return null;
    const text = (name: string) => h[name]?.toString() ?? '';
    const bytes = (name: string) => new Uint8Array(h[name] ?? Buffer.alloc(0));
    const call = text('call');
    return {
      id,
      name: text('name'),
      avatar: text('avatar'),
      owner: text('owner'),
      created: Number(text('created')),
      pinSalt: bytes('pinSalt'),
      pinHash: bytes('pinHash'),
      tokenKey: bytes('tokenKey'),
      call: call === '' ? null : (JSON.parse(call) as unknown),
    };
  }

  async members(id: string): Promise<WorkspaceMember[]> {
    const [ids, stored] = (await this.redis
      .multi()
      .lrange(key(id, 'order'), 0, -1)
      .hgetall(key(id, 'members'))
      .exec())!.map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [string[], Record<string, string>];
    return ids.filter((m) => stored[m] !== undefined).map((m) => toMember(m, stored[m]!));
  }

  async member(id: string, attendeeId: string): Promise<WorkspaceMember | null> {
    const json = await this.redis.hget(key(id, 'members'), attendeeId);
    return json === null ? null : toMember(attendeeId, json);
  }

  async putMember(id: string, m: WorkspaceMember): Promise<boolean> {
    const now = this.now();
    return this.used(id, now, await this.run('lbWorkspacePutMember', id, m.id, memberJson(m), now));
  }

  async removeMember(id: string, attendeeId: string): Promise<boolean> {
    const now = this.now();
    const removed = await this.run('lbWorkspaceRemoveMember', id, attendeeId, now);
    if (removed === 1) await this.redis.zadd(ACCESS, 'XX', now, id);
    return removed === 1;
  }

  async setCall(id: string, call: unknown): Promise<void> {
    await this.run('lbWorkspaceSet', id, 'call', callJson(call));
  }

  async touch(id: string): Promise<void> {
    const now = this.now();
    await this.used(id, now, await this.run('lbWorkspaceSet', id, 'lastAccess', now));
  }

  async delete(id: string): Promise<boolean> {
    return (await this.deleteWorkspace(id, '')) === 1;
  }

  async count(): Promise<number> {
    return this.redis.zcard(ACCESS);
  }

  async purgeExpired(cutoff: number, keep: (id: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const id of await this.redis.zrangebyscore(ACCESS, '-inf', `(${cutoff}`)) {
      if (keep(id)) continue;
      if ((await this.deleteWorkspace(id, cutoff)) === 1) gone.push(id);
    }
    return gone;
  }

  async close(): Promise<void> {
    // The connection belongs to the hub's backend, which closes it.
  }

  /** Deletes the workspace's keys in one script, then its index entry (another slot). */
  private async deleteWorkspace(id: string, cutoff: number | ''): Promise<number> {
    const result = await this.run('lbWorkspaceDelete', id, cutoff);
    if (result !== -1) await this.redis.zrem(ACCESS, id);
    return result;
  }
}
