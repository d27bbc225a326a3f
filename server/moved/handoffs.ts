// One-time handoffs of a board's identity across a change of origin. A board
// page keeps its class member token in localStorage, which belongs to the
// page's origin (scheme, host and port): after the hub moves, the page at the
// new address would start with none and join as a second student. So the page
// hands its token to the old listener (same origin, no CORS), gets a random
// one-time code, and opens the new address with the code in the fragment; the
// page there redeems it once for the token. The code, not the token, is what
// may linger in the address bar or history: it is useless once redeemed and
// two minutes after it was made (docs/protocols/classroom.md#when-the-hub-moves).
import crypto from 'node:crypto';

/** What a page carries to its new origin. */
export interface Handoff {
  /** The class member token, as the page sent it: the hub checks it when the board uses it. */
  token: string;
  /** The name the student typed, for the join page at the new origin. */
  name: string;
  /** The Yjs client IDs the device wrote under in the class (the board's own shapes). */
  writers: number[];
}

export const HANDOFF_TTL_MS = 120_000;
/** A classroom is about thirty devices; one device gets a handful of classes at most. */
const MAX_PER_ADDRESS = 20;
const MAX_TOTAL = 2000;
const MAX_TOKEN_CHARS = 512;
const MAX_NAME_CHARS = 40;
const MAX_WRITERS = 200;

interface Entry {
  handoff: Handoff;
  address: string;
  expires: number;
}

export class HandoffError extends Error {}

export class Handoffs {
  /** In insertion order, so the oldest go first. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** A code for `handoff`, asked for from `address`; throws HandoffError on a bad one. */
  create(address: string, raw: { token: unknown; name?: unknown; writers?: unknown }): string {
    const handoff = checked(raw);
    this.sweep();
    const mine = [...this.entries].filter(([, e]) => e.address === address);
    // One address cannot push everyone else's codes out: its own oldest go first.
    if (mine.length >= MAX_PER_ADDRESS) this.entries.delete(mine[0]![0]);
    if (this.entries.size >= MAX_TOTAL) this.entries.delete(this.entries.keys().next().value!);
    const code = crypto.randomBytes(18).toString('base64url');
    this.entries.set(code, { handoff, address, expires: this.now() + HANDOFF_TTL_MS });
    return code;
  }

  /** The handoff, once: a second redeem, or one after two minutes, gets nothing. */
  redeem(code: unknown): Handoff | undefined {
    if (typeof code !== 'string') return undefined;
    const entry = this.entries.get(code);
    if (!entry) return undefined;
    this.entries.delete(code);
    return entry.expires > this.now() ? entry.handoff : undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [code, entry] of this.entries) {
      if (entry.expires <= now) this.entries.delete(code);
    }
  }
}

function checked(raw: { token: unknown; name?: unknown; writers?: unknown }): Handoff {
  const { token, name = '', writers = [] } = raw;
  if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_CHARS) {
    throw new HandoffError(`a member token of 1 to ${MAX_TOKEN_CHARS} characters is required`);
  }
  if (typeof name !== 'string' || [...name].length > MAX_NAME_CHARS) {
    throw new HandoffError(`name: at most ${MAX_NAME_CHARS} characters`);
  }
  if (
    !Array.isArray(writers) ||
    writers.length > MAX_WRITERS ||
    !writers.every((id) => Number.isSafeInteger(id) && (id as number) >= 0)
  ) {
    throw new HandoffError(`writers: at most ${MAX_WRITERS} client IDs`);
  }
  return { token, name, writers: writers as number[] };
}
