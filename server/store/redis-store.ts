// Zwibbler documents, keys and tokens in Redis, shared by every hub
// (docs/architecture.md#scale-out-uses-redis). A document is one Redis string: an append is a Lua script that
// checks the length and APPENDs in one step, so two hubs racing on one offset
// get exactly one success. Every key of a document shares the hash tag
// `{<id>}`, so each script touches one cluster slot.
//
// Key layout (prefix `lb:`):
//   lb:{<id>}:data   string  the document's bytes
//   lb:{<id>}:kv     hash    document key name (hex) -> value (raw bytes)
//   lb:{<id>}:kver   hash    document key name (hex) -> version
//   lb:access        zset    document id -> last access (ms): what Expiration reads
//   lb:tok:<token>   hash    doc, user, perms, exp
//   lb:user:<user>   set     the user's tokens, for updateUser
//   lb:tokaccess     zset    token -> last use (ms)
//   lb:tokexp        zset    token -> expiry (ms)
//   lb:write-probe   string  written while writes fail, to see them work again
// Expiration is also a Redis TTL on each document (twice Expiration), renewed
// on access, so rooms are reclaimed even when no hub is running.
import { KEY_BUDGET_LUA } from './key-budget';
import type { KeyBudget } from './key-budget';
import type { RedisClient } from './redis-connection';
import { checkRedisHealth, probeRedisWrite, runScript } from './redis-connection';
import type {
  AddTokenResult,
  AppendResult,
  DocumentKey,
  DocumentStore,
  LoadResult,
  OpenMode,
  PurgeResult,
  SetKeyResult,
  StoreOptions,
  Token,
} from './types';
import { unexpired } from './types';

export interface RedisStoreOptions extends StoreOptions {
  /** Expiration in ms, for the safety-net TTLs; undefined: documents never expire. */
  expirationMs?: number;
}

const dataKey = (id: string) => `lb:{${id}}:data`;
const valuesKey = (id: string) => `lb:{${id}}:kv`;
const versionsKey = (id: string) => `lb:{${id}}:kver`;
const tokenKey = (token: string) => `lb:tok:${token}`;
const userKey = (user: string) => `lb:user:${user}`;
const SESSION_KEYS = ['skv', 'skver', 'skown'];
const ACCESS = 'lb:access';
const TOKEN_ACCESS = 'lb:tokaccess';
const TOKEN_EXPIRY = 'lb:tokexp';
/** Key names are raw bytes; hash fields as hex keep them intact through every client library. */
const field = (name: Uint8Array) => Buffer.from(name).toString('hex');

const MODES: Record<OpenMode, string> = {
  'possibly-create': 'p',
  'never-create': 'n',
  'always-create': 'a',
};

// KEYS: data. ARGV: mode, initial, offset. Returns {status, created, length, tail}.
const LOAD = `
local exists = redis.call('EXISTS', KEYS[1]) == 1
local mode = ARGV[1]
local created = 0
if exists and mode == 'a' then return {'exists', 0, 0, ''} end
if not exists then
  if mode == 'n' then return {'missing', 0, 0, ''} end
  redis.call('SET', KEYS[1], ARGV[2])
  return {'ok', 1, string.len(ARGV[2]), ''}
end
local length = redis.call('STRLEN', KEYS[1])
local offset = tonumber(ARGV[3])
if offset > length then return {'invalid-offset', 0, length, ''} end
if offset == length then return {'ok', 0, length, ''} end
return {'ok', 0, length, redis.call('GETRANGE', KEYS[1], offset, -1)}`;

// KEYS: data. ARGV: expected length, bytes. Returns {status, length}.
const APPEND_IF_LENGTH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', 0} end
local length = redis.call('STRLEN', KEYS[1])
if length ~= tonumber(ARGV[1]) then return {'conflict', length} end
return {'ok', redis.call('APPEND', KEYS[1], ARGV[2])}`;

// KEYS: data, values, versions. ARGV: name, old version, new version, value,
// then max keys and max bytes (-1: no budget).
const SET_KEY = `${KEY_BUDGET_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
local current = redis.call('HGET', KEYS[3], ARGV[1])
if current == false then
  if ARGV[2] ~= '0' then return 'conflict' end
elseif current ~= ARGV[2] then
  return 'conflict'
end
local max_keys = tonumber(ARGV[5])
if max_keys >= 0 and over_budget(KEYS[2], ARGV[1], string.len(ARGV[1]) / 2 + string.len(ARGV[4]), max_keys, tonumber(ARGV[6])) then
  return 'full'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 'ok'`;

type Reply = [Buffer, number, number, Buffer];

export class RedisStore implements DocumentStore {
  readonly kind = 'redis';
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    redis.defineCommand('lbLoad', { numberOfKeys: 1, lua: LOAD });
    redis.defineCommand('lbAppend', { numberOfKeys: 1, lua: APPEND_IF_LENGTH });
    redis.defineCommand('lbSetKey', { numberOfKeys: 3, lua: SET_KEY });
  }

  /** Resolves once Redis takes a write (the background probe while writes fail). */
  probeWrite(): Promise<void> {
    return probeRedisWrite(this.redis);
  }

  private call<T>(name: string, ...args: (string | number | Uint8Array)[]): Promise<T> {
    return runScript<T>(
      this.redis,
      `${name}Buffer`,
      args.map((a) => (a instanceof Uint8Array ? Buffer.from(a) : a)),
    );
  }

  /**
   * Records an access: the expiration index, and the safety-net TTL. Separate
   * commands, not one pipeline: in a cluster the index and the document live
   * on different slots (ioredis sends them back to back all the same).
   */
  private async touch(id: string): Promise<void> {
    const ttl = this.options.expirationMs;
    const keys = ttl === undefined ? [] : [dataKey(id), valuesKey(id), versionsKey(id)];
    await Promise.all([
      this.redis.zadd(ACCESS, this.now(), id),
      ...keys.map((key) => this.redis.pexpire(key, ttl! * 2)),
    ]);
  }

  async loadDocument(
    id: string,
    mode: OpenMode,
    initialData: Uint8Array,
    offset: number,
  ): Promise<LoadResult> {
    const [status, created, length, tail] = await this.call<Reply>(
      'lbLoad',
      dataKey(id),
      MODES[mode],
      initialData,
      offset,
    );
    const s = status.toString();
    if (s === 'missing' || s === 'exists') return { status: s };
    await this.touch(id);
    if (s === 'invalid-offset') return { status: s, length };
    return { status: 'ok', created: created === 1, length, tail: new Uint8Array(tail) };
  }

  async documentLength(id: string): Promise<number | null> {
    const [exists, length] = (await this.redis
      .pipeline()
      .exists(dataKey(id))
      .strlen(dataKey(id))
      .exec())!.map(([, v]) => v as number);
    return exists === 1 ? length! : null;
  }

  async touchDocument(id: string): Promise<number | null> {
    const length = await this.documentLength(id);
    if (length !== null) await this.touch(id);
    return length;
  }

  async appendIfLength(
    id: string,
    expectedLength: number,
    data: Uint8Array,
  ): Promise<AppendResult> {
    const [status, length] = await this.call<[Buffer, number]>(
      'lbAppend',
      dataKey(id),
      expectedLength,
      data,
    );
    const s = status.toString() as AppendResult['status'];
    if (s === 'missing') return { status: s };
    if (s === 'ok') await this.touch(id);
    return { status: s, length };
  }

  async createDocument(id: string, contents: Uint8Array): Promise<boolean> {
    const set = await this.redis.set(dataKey(id), Buffer.from(contents), 'NX');
    if (set !== 'OK') return false;
    await this.touch(id);
    return true;
  }

  async deleteDocument(id: string): Promise<boolean> {
    const [removed] = await Promise.all([
      // The document's client keys go too (redis-session-keys.ts names them).
      this.redis.del(
        dataKey(id),
        valuesKey(id),
        versionsKey(id),
        ...SESSION_KEYS.map((k) => `lb:{${id}}:${k}`),
      ),
      this.redis.zrem(ACCESS, id),
    ]);
    // DEL counts every key; the document existed if its data did, which implies removed ≥ 1.
    return removed > 0;
  }

  async getDocumentKeys(id: string): Promise<DocumentKey[]> {
    const [values, versions] = (await this.redis
      .pipeline()
      .hgetallBuffer(valuesKey(id))
      .hgetall(versionsKey(id))
      .exec())!.map(([, v]) => v) as [Record<string, Buffer>, Record<string, string>];
    return Object.entries(values).map(([name, value]) => ({
      name: new Uint8Array(Buffer.from(name, 'hex')),
      value: new Uint8Array(value),
      version: Number(versions[name] ?? 0),
    }));
  }

  async setDocumentKey(
    id: string,
    oldVersion: number,
    key: DocumentKey,
    budget?: KeyBudget,
  ): Promise<SetKeyResult> {
    const result = await this.call<Buffer>(
      'lbSetKey',
      dataKey(id),
      valuesKey(id),
      versionsKey(id),
      field(key.name),
      String(oldVersion),
      String(key.version),
      key.value,
      budget?.maxKeys ?? -1,
      budget?.maxBytes ?? -1,
    );
    return result.toString() as SetKeyResult;
  }

  async addToken(token: Token, contents: Uint8Array): Promise<AddTokenResult> {
    if ((await this.redis.exists(tokenKey(token.token))) === 1) return 'token-exists';
    if (contents.length > 0 && !(await this.createDocument(token.documentId, contents))) {
      return 'document-exists';
    }
    const added = await this.redis.hsetnx(tokenKey(token.token), 'doc', token.documentId);
    if (added === 0) return 'token-exists';
    await Promise.all([
      this.redis.hset(tokenKey(token.token), {
        user: token.userId,
        perms: token.permissions,
        exp: token.expiresAt,
      }),
      this.redis.sadd(userKey(token.userId), token.token),
      this.redis.zadd(TOKEN_ACCESS, this.now(), token.token),
      this.redis.zadd(TOKEN_EXPIRY, token.expiresAt, token.token),
    ]);
    return 'ok';
  }

  async getToken(token: string, now: number): Promise<Token | null> {
    return unexpired(await this.findToken(token), now);
  }

  async findToken(token: string): Promise<Token | null> {
    const h = await this.redis.hgetall(tokenKey(token));
    if (h.doc === undefined) return null;
    await this.redis.zadd(TOKEN_ACCESS, this.now(), token);
    return {
      token,
      documentId: h.doc,
      userId: h.user ?? '',
      permissions: h.perms ?? '',
      expiresAt: Number(h.exp ?? 0),
    };
  }

  async updateUser(userId: string, permissions: string): Promise<number> {
    let count = 0;
    for (const token of await this.redis.smembers(userKey(userId))) {
      // hset only if the token still exists: a purged token stays purged.
      if ((await this.redis.exists(tokenKey(token))) === 0) continue;
      await this.redis.hset(tokenKey(token), 'perms', permissions);
      count++;
    }
    return count;
  }

  async purgeExpired(
    cutoff: number,
    now: number,
    keep: (id: string) => boolean,
  ): Promise<PurgeResult> {
    let documents = 0;
    for (const id of await this.redis.zrangebyscore(ACCESS, '-inf', `(${cutoff}`)) {
      if (keep(id)) {
        await this.touchTtl(id); // a document with clients outlives its TTL
        continue;
      }
      if (await this.deleteDocument(id)) documents++;
      else await this.redis.zrem(ACCESS, id);
    }
    let tokens = 0;
    const stale = await this.redis.zrangebyscore(TOKEN_ACCESS, '-inf', `(${cutoff}`);
    const expired = await this.redis.zrangebyscore(TOKEN_EXPIRY, '-inf', now);
    for (const token of new Set([...stale, ...expired])) {
      const user = await this.redis.hget(tokenKey(token), 'user');
      const removed = await this.redis.del(tokenKey(token));
      await this.redis.zrem(TOKEN_ACCESS, token);
      await this.redis.zrem(TOKEN_EXPIRY, token);
      if (user !== null) await this.redis.srem(userKey(user), token);
      tokens += removed;
    }
    return { documents, tokens };
  }

  private async touchTtl(id: string): Promise<void> {
    const ttl = this.options.expirationMs;
    if (ttl === undefined) return;
    await this.redis.pexpire(dataKey(id), ttl * 2);
  }

  async checkHealth(): Promise<void> {
    await checkRedisHealth(this.redis);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
