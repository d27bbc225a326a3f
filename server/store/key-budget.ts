// What one Zwibbler document's keys may hold (docs/protocols/zwibbler.md#limits):
// a count and a byte total (names plus values), checked by each backend in the
// same atomic step as the write, from sizes alone: no value is read to count.

export interface KeyBudget {
  /** Keys per document (MaxKeysPerDocument). */
  maxKeys: number;
  /** Bytes of names and values per document (MaxDocumentKeyBytes). */
  maxBytes: number;
}

export interface KeyTotals {
  count: number;
  bytes: number;
}

/**
 * Whether writing a key of `newBytes` (name plus value) breaks the budget.
 * `oldBytes` is the size of the key it replaces, if any. A replacement that
 * does not grow is always let through, so a document already over a budget
 * lowered since can still shrink.
 */
export function breaksKeyBudget(
  totals: KeyTotals,
  oldBytes: number | undefined,
  newBytes: number,
  budget: KeyBudget,
): boolean {
  if (oldBytes === undefined) {
    return totals.count + 1 > budget.maxKeys || totals.bytes + newBytes > budget.maxBytes;
  }
  return newBytes > oldBytes && totals.bytes - oldBytes + newBytes > budget.maxBytes;
}

/**
 * The same rule in Lua, for Redis scripts: `over_budget(values, field,
 * new_bytes, max_keys, max_bytes)`, where `values` is a hash of hex-encoded
 * names to values. HSTRLEN sizes each value without reading it.
 */
export const KEY_BUDGET_LUA = `
local function over_budget(values, field, new_bytes, max_keys, max_bytes)
  local fields = redis.call('HKEYS', values)
  local bytes, old = 0, false
  for _, f in ipairs(fields) do
    local size = string.len(f) / 2 + redis.call('HSTRLEN', values, f)
    bytes = bytes + size
    if f == field then old = size end
  end
  if old == false then
    return #fields + 1 > max_keys or bytes + new_bytes > max_bytes
  end
  return new_bytes > old and bytes - old + new_bytes > max_bytes
end`;

export const keyBytes = (key: { name: Uint8Array; value: Uint8Array }): number =>
  key.name.length + key.value.length;
