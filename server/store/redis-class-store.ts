// Classes in Redis, shared by hubs. Per class (one hash tag, one cluster slot):
//   lb:c{<code>}:class     hash    title, createdAt, lastAccess, viewOnly, locked, joinOpen,
//                                  chatOpen, boardMode, presentation (JSON, '' when
//                                  nothing is presented), teacherToken
//   lb:c{<code>}:members   hash    member ID -> JSON {name, role, joinedAt, tokenHash}
//   lb:c{<code>}:order     list    member IDs in join order
//   lb:c{<code>}:viewonly  set     member IDs that are view-only
//   lb:c{<code>}:removed   set     member IDs that were removed
//   lb:c{<code>}:owners    hash    Yjs client ID -> member ID, for all the class's boards
//   lb:c{<code>}:waiting   set     member IDs waiting for the teacher to let them in
// Every change to them is one Lua script, so it is atomic across hubs. Beside
// them, in slots of their own and written by separate commands:
//   lb:ctoken:<hash>  string  `<code> <member ID>`, to find a member by token
//   lb:classes        zset    code -> createdAt, for list()
//   lb:caccess        zset    code -> lastAccess, for Expiration
// The class hash is the truth; the indexes may briefly lag it, so readers
// check the class itself.
import { probeRedisWrite, runScript } from './redis-connection';
import type { RedisClient } from './redis-connection';
import type { StoreOptions } from './types';
import type {
  AddMemberResult,
  Classroom,
  ClassroomPatch,
  ClassroomStore,
  Member,
  MemberPatch,
  Role,
} from './class-store';

// 'waiting' came later: it is last, so the keys before it keep their places.
const PARTS = ['class', 'members', 'order', 'viewonly', 'removed', 'owners', 'waiting'] as const;
const key = (code: string, part: (typeof PARTS)[number]) => `lb:c{${code}}:${part}`;
/** Every key of one class, in the order the scripts take them. */
const classKeys = (code: string) => PARTS.map((part) => key(code, part));
const tokenKey = (hash: string) => `lb:ctoken:${hash}`;
const CREATED = 'lb:classes';
const ACCESS = 'lb:caccess';

/** What the members hash holds per member; the flags live in the sets. */
interface StoredMember {
  name: string;
  role: Role;
  joinedAt: number;
  tokenHash: string;
}

const bit = (value: boolean) => (value ? '1' : '0');
/** A patch's flag as a script argument: '' leaves the stored value. */
const patchBit = (value: boolean | undefined) => (value === undefined ? '' : bit(value));

// Every script below takes the seven keys of classKeys(), in that order.
// Adds a member (ARGV: id, JSON, viewOnly, removed, waiting) and returns 'ok'; the caller
// checked the class. A taken ID is an error, as it is in SQLite.
const INSERT_MEMBER = `
local function insertMember(id, json, viewOnly, removed, waiting)
  if redis.call('HSETNX', KEYS[2], id, json) == 0 then
    return redis.error_reply('member ' .. id .. ' already exists')
  end
  redis.call('RPUSH', KEYS[3], id)
  if viewOnly == '1' then redis.call('SADD', KEYS[4], id) end
  if removed == '1' then redis.call('SADD', KEYS[5], id) end
  if waiting == '1' then redis.call('SADD', KEYS[7], id) end
  return 'ok'
end`;

// ARGV: title, createdAt, lastAccess, viewOnly, locked, joinOpen, teacherToken,
// chatOpen, boardMode, presentation, then the teacher as in INSERT_MEMBER. Returns
// 'ok', or 'taken' if the code is.
const CREATE = `${INSERT_MEMBER}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'taken' end
local inserted = insertMember(ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15])
if inserted ~= 'ok' then return inserted end
redis.call('HSET', KEYS[1], 'title', ARGV[1], 'createdAt', ARGV[2], 'lastAccess', ARGV[3],
  'viewOnly', ARGV[4], 'locked', ARGV[5], 'joinOpen', ARGV[6], 'teacherToken', ARGV[7],
  'chatOpen', ARGV[8], 'boardMode', ARGV[9], 'presentation', ARGV[10])
return 'ok'`;

// ARGV: maxMembers, then the member as in INSERT_MEMBER. Removed members count.
const ADD_MEMBER = `${INSERT_MEMBER}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then return 'full' end
return insertMember(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])`;

// ARGV: field, value, … Returns the class hash flattened, or nil if there is none.
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return redis.call('HGETALL', KEYS[1])`;

// ARGV: id, viewOnly, removed, waiting ('' keeps). Returns {JSON, viewOnly,
// removed, waiting} or nil.
const UPDATE_MEMBER = `
local json = redis.call('HGET', KEYS[2], ARGV[1])
if not json then return false end
local function apply(key, value)
  if value == '1' then redis.call('SADD', key, ARGV[1]) end
  if value == '0' then redis.call('SREM', key, ARGV[1]) end
end
apply(KEYS[4], ARGV[2])
apply(KEYS[5], ARGV[3])
apply(KEYS[7], ARGV[4])
local function has(key) return redis.call('SISMEMBER', key, ARGV[1]) end
return {json, has(KEYS[4]), has(KEYS[5]), has(KEYS[7])}`;

// ARGV: now. Returns 1 if the class exists (and was touched).
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastAccess', ARGV[1])
return 1`;

// ARGV: cutoff, or '' to delete whatever the last access. Returns {-1} when the
// class was used since the cutoff, else {1 or 0 (it existed), the members' JSON}.
const DELETE = `
if ARGV[1] ~= '' then
  local last = redis.call('HGET', KEYS[1], 'lastAccess')
  if last and tonumber(last) >= tonumber(ARGV[1]) then return {-1} end
end
local members = redis.call('HVALS', KEYS[2])
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
return {existed, members}`;

// KEYS: owners. ARGV: member ID, client ID… Returns the owner of each client ID.
const CLAIM = `
local owners = {}
for i = 2, #ARGV do
  redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1])
  owners[i - 1] = redis.call('HGET', KEYS[1], ARGV[i])
end
return owners`;

export class RedisClassroomStore implements ClassroomStore {
  readonly kind = 'redis';
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const scripts: [string, string][] = [
      ['lbClassCreate', CREATE],
      ['lbClassAddMember', ADD_MEMBER],
      ['lbClassUpdate', UPDATE],
      ['lbClassUpdateMember', UPDATE_MEMBER],
      ['lbClassTouch', TOUCH],
      ['lbClassDelete', DELETE],
    ];
    for (const [name, lua] of scripts)
      redis.defineCommand(name, { numberOfKeys: PARTS.length, lua });
    redis.defineCommand('lbClassClaim', { numberOfKeys: 1, lua: CLAIM });
  }

  private run(script: string, ...args: unknown[]): Promise<unknown> {
    return runScript(this.redis, script, args);
  }

  /** Resolves once Redis takes a write (the background probe while writes fail). */
  probeWrite(): Promise<void> {
    return probeRedisWrite(this.redis);
  }

  async create(classroom: Classroom, teacher: Member, teacherTokenHash: string): Promise<boolean> {
    const c = classroom;
    const created = await this.withToken(teacherTokenHash, teacher, () =>
      this.run(
        'lbClassCreate',
        ...classKeys(c.code),
        c.title,
        c.createdAt,
        c.lastAccess,
        bit(c.viewOnly),
        bit(c.locked),
        bit(c.joinOpen),
        c.teacherToken,
        bit(c.chatOpen),
        c.boardMode,
        c.presentation ?? '',
        ...memberArgs(teacher, teacherTokenHash),
      ),
    );
    if (created !== 'ok') return false;
    await this.redis.zadd(CREATED, c.createdAt, c.code);
    await this.redis.zadd(ACCESS, c.lastAccess, c.code);
    return true;
  }

  async get(code: string): Promise<Classroom | null> {
    return toClassroom(code, await this.redis.hgetall(key(code, 'class')));
  }

  async list(): Promise<Classroom[]> {
    // Newest first; equal times by code, descending, as the other backends.
    const codes = await this.redis.zrevrange(CREATED, 0, -1);
    const classes = await Promise.all(codes.map((code) => this.get(code)));
    return classes.filter((c): c is Classroom => c !== null);
  }

  async update(code: string, patch: ClassroomPatch): Promise<Classroom | null> {
    const fields: string[] = [];
    if (patch.title !== undefined) fields.push('title', patch.title);
    for (const name of ['viewOnly', 'locked', 'joinOpen', 'chatOpen'] as const) {
      const value = patch[name];
      if (value !== undefined) fields.push(name, bit(value));
    }
    if (patch.boardMode !== undefined) fields.push('boardMode', patch.boardMode);
    if (patch.presentation !== undefined) {
      fields.push('presentation', patch.presentation ?? '');
    }
    const flat = (await this.run('lbClassUpdate', ...classKeys(code), ...fields)) as
      string[] | null;
    return flat && toClassroom(code, pairs(flat));
  }

  async delete(code: string): Promise<boolean> {
    return (await this.deleteClass(code, '')) === 'deleted';
  }

  async addMember(member: Member, tokenHash: string, maxMembers: number): Promise<AddMemberResult> {
    return (await this.withToken(tokenHash, member, () =>
      this.run(
        'lbClassAddMember',
        ...classKeys(member.code),
        maxMembers,
        ...memberArgs(member, tokenHash),
      ),
    )) as AddMemberResult;
  }

  async members(code: string): Promise<Member[]> {
    const [ids, stored, ...flagIds] = (await this.redis
      .multi()
      .lrange(key(code, 'order'), 0, -1)
      .hgetall(key(code, 'members'))
      .smembers(key(code, 'viewonly'))
      .smembers(key(code, 'removed'))
      .smembers(key(code, 'waiting'))
      .exec())!.map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [string[], Record<string, string>, string[], string[], string[]];
    const [viewOnly, removed, waiting] = flagIds.map((list) => new Set(list)) as [
      Set<string>,
      Set<string>,
      Set<string>,
    ];
    return ids
      .filter((id) => stored[id] !== undefined)
      .map((id) =>
        toMember(code, id, stored[id]!, {
          viewOnly: viewOnly.has(id),
          removed: removed.has(id),
          waiting: waiting.has(id),
        }),
      );
  }

  async member(code: string, id: string): Promise<Member | null> {
    // An empty patch changes nothing and reads the member in one step.
    return this.updateMember(code, id, {});
  }

  async memberByTokenHash(tokenHash: string): Promise<Member | null> {
    const value = await this.redis.get(tokenKey(tokenHash));
    if (!value) return null;
    const [code, id] = value.split(' ') as [string, string];
    return this.member(code, id);
  }

  async updateMember(code: string, id: string, patch: MemberPatch): Promise<Member | null> {
    const reply = (await this.run(
      'lbClassUpdateMember',
      ...classKeys(code),
      id,
      patchBit(patch.viewOnly),
      patchBit(patch.removed),
      patchBit(patch.waiting),
    )) as [string, number, number, number] | null;
    if (!reply) return null;
    const [json, viewOnly, removed, waiting] = reply;
    return toMember(code, id, json, {
      viewOnly: viewOnly === 1,
      removed: removed === 1,
      waiting: waiting === 1,
    });
  }

  async owners(room: string): Promise<Map<number, string>> {
    const stored = await this.redis.hgetall(key(room, 'owners'));
    return new Map(Object.entries(stored).map(([clientId, member]) => [Number(clientId), member]));
  }

  async claim(
    room: string,
    clientIds: readonly number[],
    memberId: string,
  ): Promise<Map<number, string>> {
    if (clientIds.length === 0) return new Map();
    const owners = (await this.run(
      'lbClassClaim',
      key(room, 'owners'),
      memberId,
      ...clientIds,
    )) as string[];
    return new Map(clientIds.map((id, i) => [id, owners[i]!]));
  }

  async touch(code: string): Promise<void> {
    const now = this.now();
    if ((await this.run('lbClassTouch', ...classKeys(code), now)) === 1) {
      await this.redis.zadd(ACCESS, now, code);
    }
  }

  async purgeExpired(cutoff: number, keep: (code: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const code of await this.redis.zrangebyscore(ACCESS, '-inf', `(${cutoff}`)) {
      if (keep(code)) continue;
      if ((await this.deleteClass(code, cutoff)) === 'deleted') gone.push(code);
    }
    return gone;
  }

  async close(): Promise<void> {
    // The connection belongs to the hub's backend, which closes it.
  }

  /**
   * Stores the token lookup, then runs `insert` (a script adding the member).
   * The lookup comes first so that a delete racing the insert finds the token
   * among the members; it is taken back unless the member was added.
   */
  private async withToken(
    tokenHash: string,
    member: Member,
    insert: () => Promise<unknown>,
  ): Promise<unknown> {
    await this.redis.set(tokenKey(tokenHash), `${member.code} ${member.id}`);
    let result: unknown;
    try {
      return (result = await insert());
    } finally {
      if (result !== 'ok') await this.redis.del(tokenKey(tokenHash));
    }
  }

  /**
   * Deletes the class's keys in one script (unless used since `cutoff`), then
   * its token lookups and index entries: other slots, so separate commands.
   */
  private async deleteClass(
    code: string,
    cutoff: number | '',
  ): Promise<'deleted' | 'missing' | 'in-use'> {
    const [existed, members = []] = (await this.run(
      'lbClassDelete',
      ...classKeys(code),
      cutoff,
    )) as [number, string[]?];
    if (existed === -1) return 'in-use';
    await Promise.all([
      ...members.map((json) =>
        this.redis.del(tokenKey((JSON.parse(json) as StoredMember).tokenHash)),
      ),
      this.redis.zrem(CREATED, code),
      this.redis.zrem(ACCESS, code),
    ]);
    return existed === 1 ? 'deleted' : 'missing';
  }
}

/** INSERT_MEMBER's arguments. */
function memberArgs(member: Member, tokenHash: string): string[] {
  const stored: StoredMember = {
    name: member.name,
    role: member.role,
    joinedAt: member.joinedAt,
    tokenHash,
  };
  return [
    member.id,
    JSON.stringify(stored),
    bit(member.viewOnly),
    bit(member.removed),
    bit(member.waiting),
  ];
}

function toMember(
  code: string,
  id: string,
  json: string,
  flags: Pick<Member, 'viewOnly' | 'removed' | 'waiting'>,
): Member {
  const { name, role, joinedAt } = JSON.parse(json) as StoredMember;
  return { id, code, name, role, ...flags, joinedAt };
}

function toClassroom(code: string, hash: Record<string, string>): Classroom | null {
  if (hash.createdAt === undefined) return null;
  return {
    code,
    title: hash.title ?? '',
    createdAt: Number(hash.createdAt),
    lastAccess: Number(hash.lastAccess),
    viewOnly: hash.viewOnly === '1',
    locked: hash.locked === '1',
    joinOpen: hash.joinOpen === '1',
    // Absent in classes created before the chat, and in new ones until turned on.
    chatOpen: hash.chatOpen === '1',
    // Absent in classes created before the mode: they had the one shared board.
    boardMode: hash.boardMode === 'own' ? 'own' : 'shared',
    presentation: hash.presentation || null,
    teacherToken: hash.teacherToken ?? '',
  };
}

/** A flattened HGETALL reply as an object. */
function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
