// Yjs rooms in Redis, shared by hubs. Per room (one hash tag, one cluster slot):
//   lb:y{<room>}:log    list    stored updates, oldest first
//   lb:y{<room>}:base   string  sequence number of the list's first element
//   lb:y{<room>}:bytes  string  bytes in the list
// and `lb:yaccess`, a sorted set of room -> last use (ms), for Expiration.
// Each hub stores the updates its own clients send; compaction merges stored
// rows only, so an update another hub stored meanwhile is never dropped.
import { probeRedisWrite, runScript } from './redis-connection';
import type { RedisClient } from './redis-connection';
import type { StoreOptions } from './types';
import type { RoomUsage, StoredRoom, YjsStore } from './yjs-store';

const logKey = (room: string) => `lb:y{${room}}:log`;
const baseKey = (room: string) => `lb:y{${room}}:base`;
const bytesKey = (room: string) => `lb:y{${room}}:bytes`;
const ACCESS = 'lb:yaccess';
const APPEND_BATCH = 1000;

// KEYS: log, base, bytes. ARGV: total bytes, update… Returns {updates, bytes, lastSeq}.
const APPEND = `
local length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
local base = tonumber(redis.call('GET', KEYS[2]) or '1')
redis.call('SET', KEYS[2], base)
local bytes = redis.call('INCRBY', KEYS[3], ARGV[1])
return {length, bytes, base + length - 1}`;

// KEYS: log, base, bytes. ARGV: merged, throughSeq. Returns {updates, bytes}.
const COMPACT = `
local base = tonumber(redis.call('GET', KEYS[2]) or '1')
local n = tonumber(ARGV[2]) - base + 1
if n > 0 then
  local removed = 0
  for _, update in ipairs(redis.call('LRANGE', KEYS[1], 0, n - 1)) do
    removed = removed + string.len(update)
  end
  redis.call('LTRIM', KEYS[1], n, -1)
  redis.call('LPUSH', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], ARGV[2])
  redis.call('INCRBY', KEYS[3], string.len(ARGV[1]) - removed)
end
return {redis.call('LLEN', KEYS[1]), tonumber(redis.call('GET', KEYS[3]) or '0')}`;

export class RedisYjsStore implements YjsStore {
  readonly kind = 'redis';
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    redis.defineCommand('lbYjsAppend', { numberOfKeys: 3, lua: APPEND });
    redis.defineCommand('lbYjsCompact', { numberOfKeys: 3, lua: COMPACT });
  }

  /** Resolves once Redis takes a write (the background probe while writes fail). */
  probeWrite(): Promise<void> {
    return probeRedisWrite(this.redis);
  }

  async load(room: string, { use = true }: { use?: boolean } = {}): Promise<StoredRoom> {
    const [log, base, bytes] = (await this.redis
      .pipeline()
      .lrangeBuffer(logKey(room), 0, -1)
      .get(baseKey(room))
      .get(bytesKey(room))
      .exec())!.map(([, v]) => v) as [Buffer[], string | null, string | null];
    if (use && log.length > 0) await this.redis.zadd(ACCESS, this.now(), room);
    return {
      updates: log.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.length)),
      lastSeq: log.length === 0 ? 0 : Number(base ?? 1) + log.length - 1,
      bytes: Number(bytes ?? 0),
    };
  }

  async append(
    room: string,
    updates: readonly Uint8Array[],
  ): Promise<RoomUsage & { lastSeq: number }> {
    let result: [number, number, number] = [0, 0, 0];
    // Lua's unpack() takes a few thousand arguments at most.
    for (let i = 0; i < updates.length; i += APPEND_BATCH) {
      const batch = updates.slice(i, i + APPEND_BATCH);
      const total = batch.reduce((sum, u) => sum + u.length, 0);
      result = await runScript<[number, number, number]>(this.redis, 'lbYjsAppend', [
        ...this.keysOf(room),
        total,
        ...batch.map((u) => Buffer.from(u.buffer, u.byteOffset, u.length)),
      ]);
    }
    await this.redis.zadd(ACCESS, this.now(), room);
    const [count, bytes, lastSeq] = result;
    return { updates: count, bytes, lastSeq };
  }

  async compact(room: string, merged: Uint8Array, throughSeq: number): Promise<RoomUsage> {
    const [updates, bytes] = await runScript<[number, number]>(this.redis, 'lbYjsCompact', [
      ...this.keysOf(room),
      Buffer.from(merged),
      throughSeq,
    ]);
    return { updates, bytes };
  }

  async delete(room: string): Promise<boolean> {
    // Two slots in a cluster: the room's keys and the index.
    const [removed] = await Promise.all([
      this.redis.del(...this.keysOf(room)),
      this.redis.zrem(ACCESS, room),
    ]);
    return removed > 0;
  }

  async list(): Promise<(RoomUsage & { name: string; lastAccess: number })[]> {
    const flat = await this.redis.zrevrange(ACCESS, 0, -1, 'WITHSCORES');
    const out: (RoomUsage & { name: string; lastAccess: number })[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const [updates, bytes] = (await this.redis
        .pipeline()
        .llen(logKey(name))
        .get(bytesKey(name))
        .exec())!.map(([, v]) => Number(v ?? 0));
      out.push({ name, lastAccess: Number(flat[i + 1]), updates: updates!, bytes: bytes! });
    }
    return out;
  }

  async touch(rooms: readonly string[]): Promise<void> {
    if (rooms.length === 0) return;
    const now = this.now();
    // XX: only rooms already stored; a room with nothing in it stays unlisted.
    await this.redis.zadd(ACCESS, 'XX', ...rooms.flatMap((room) => [now, room]));
  }

  async purgeExpired(cutoff: number, keep: (name: string) => boolean): Promise<string[]> {
    const gone: string[] = [];
    for (const name of await this.redis.zrangebyscore(ACCESS, '-inf', `(${cutoff}`)) {
      if (keep(name)) continue;
      await this.delete(name);
      gone.push(name);
    }
    return gone;
  }

  async close(): Promise<void> {
    // The connection belongs to the hub's backend, which closes it.
  }

  private keysOf(room: string): string[] {
    return [logKey(room), baseKey(room), bytesKey(room)];
  }
}
