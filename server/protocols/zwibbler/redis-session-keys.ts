// Client keys shared by hubs through Redis. Per document (hash-tagged like the
// document, so each script stays on one cluster slot):
//   lb:{<id>}:skv    hash  key name (hex) -> value
//   lb:{<id>}:skver  hash  key name (hex) -> version
//   lb:{<id>}:skown  hash  key name (hex) -> owner, as <hub ID>/<client ID>
// and per hub, `lb:hubdocs:<hub ID>`: the documents where it owns keys, so
// that the keys of a hub that died can be found and cleared (key-reaper.ts).
import { KEY_BUDGET_LUA } from '../../store/key-budget';
import type { KeyBudget } from '../../store/key-budget';
import type { RedisClient } from '../../store/redis-connection';
import type { KeyEntry } from './codec';
import type { HubKeys } from './key-reaper';
import type { SessionKeyResult, SessionKeys } from './session-keys';

const valuesKey = (id: string) => `lb:{${id}}:skv`;
const versionsKey = (id: string) => `lb:{${id}}:skver`;
const ownersKey = (id: string) => `lb:{${id}}:skown`;
const hubDocumentsKey = (hub: string) => `lb:hubdocs:${hub}`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// KEYS: values, versions, owners. ARGV: field, old, new, value, owner, max keys, max bytes.
const SET = `${KEY_BUDGET_LUA}
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current == false then
  if ARGV[2] ~= '0' then return 'conflict' end
elseif current ~= ARGV[2] then
  return 'conflict'
end
local new_bytes = string.len(ARGV[1]) / 2 + string.len(ARGV[4])
if over_budget(KEYS[1], ARGV[1], new_bytes, tonumber(ARGV[6]), tonumber(ARGV[7])) then
  return 'full'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
return 'ok'`;

// KEYS: values, versions, owners. ARGV: owner, or a hub prefix ending in '/'.
// Returns field, version, field, version, … of the keys removed.
const RELEASE = `
local owners = redis.call('HGETALL', KEYS[3])
local out = {}
local n = string.len(ARGV[1])
for i = 1, #owners, 2 do
  local field, owner = owners[i], owners[i + 1]
  if owner == ARGV[1] or (string.sub(ARGV[1], -1) == '/' and string.sub(owner, 1, n) == ARGV[1]) then
    table.insert(out, field)
    table.insert(out, redis.call('HGET', KEYS[2], field))
    redis.call('HDEL', KEYS[1], field)
    redis.call('HDEL', KEYS[2], field)
    redis.call('HDEL', KEYS[3], field)
  end
end
return out`;

type Scripted = Record<string, (...args: unknown[]) => Promise<unknown>>;

export class RedisSessionKeys implements SessionKeys, HubKeys {
  constructor(
    private readonly redis: RedisClient,
    private readonly hubId: string,
  ) {
    redis.defineCommand('lbSessionKeySet', { numberOfKeys: 3, lua: SET });
    redis.defineCommand('lbSessionKeyRelease', { numberOfKeys: 3, lua: RELEASE });
  }

  private get scripts(): Scripted {
    return this.redis as unknown as Scripted;
  }

  async list(documentId: string): Promise<KeyEntry[]> {
    const [values, versions] = (await this.redis
      .pipeline()
      .hgetallBuffer(valuesKey(documentId))
      .hgetall(versionsKey(documentId))
      .exec())!.map(([, v]) => v) as [Record<string, Buffer>, Record<string, string>];
    return Object.entries(values).map(([field, value]) => ({
      name: Buffer.from(field, 'hex'),
      value: Buffer.from(value),
      version: Number(versions[field] ?? 0),
    }));
  }

  async set(
    documentId: string,
    owner: string,
    oldVersion: number,
    entry: KeyEntry,
    budget: KeyBudget,
  ): Promise<SessionKeyResult> {
    const result = (await this.scripts.lbSessionKeySet!(
      ...this.keysOf(documentId),
      hex(entry.name),
      String(oldVersion),
      String(entry.version),
      Buffer.from(entry.value),
      `${this.hubId}/${owner}`,
      budget.maxKeys,
      budget.maxBytes,
    )) as SessionKeyResult;
    if (result !== 'ok') return result;
    await this.redis.sadd(hubDocumentsKey(this.hubId), documentId);
    return 'ok';
  }

  release(documentId: string, owner: string): Promise<KeyEntry[]> {
    return this.releaseWhere(documentId, `${this.hubId}/${owner}`);
  }

  async releaseHubKeys(hub: string): Promise<Map<string, KeyEntry[]>> {
    const cleared = new Map<string, KeyEntry[]>();
    for (const documentId of await this.redis.smembers(hubDocumentsKey(hub))) {
      // A hub prefix (ends with '/'): every key the hub's clients own.
      cleared.set(documentId, await this.releaseWhere(documentId, `${hub}/`));
    }
    await this.redis.del(hubDocumentsKey(hub));
    return cleared;
  }

  private async releaseWhere(documentId: string, owner: string): Promise<KeyEntry[]> {
    const flat = (await this.scripts.lbSessionKeyRelease!(
      ...this.keysOf(documentId),
      owner,
    )) as string[];
    const cleared: KeyEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      cleared.push({
        name: Buffer.from(flat[i]!, 'hex'),
        version: Number(flat[i + 1]) + 1,
        value: new Uint8Array(),
      });
    }
    return cleared;
  }

  private keysOf(documentId: string): string[] {
    return [valuesKey(documentId), versionsKey(documentId), ownersKey(documentId)];
  }
}
