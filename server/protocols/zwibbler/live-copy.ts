// A live document's committed bytes, kept in memory while it has clients on
// this hub, so that a join of a hot document is answered without reading the
// store (docs/protocols/zwibbler.md#joins-of-a-live-document). The copy holds
// bytes [0, length) and grows only by appends in commit order; every byte
// in it came from the store or from a committed append. What it occupies is
// charged to one budget per hub (MaxLiveDocumentBytes); a copy that does not
// fit is not kept, and that document's joins read the store as before.
//
// Joiners of one document mostly ask for the same bytes (from offset 0, of the
// same length), so the copy also keeps the last initial APPEND it encoded, in
// the chunks of the client's size, and hands the same buffers to the next
// joiner alike: charged to the budget too, dropped when the document grows.
import { splitIntoChunks } from './chunks';
import { encodeAppend } from './codec';

interface EncodedJoin {
  key: string;
  chunks: Uint8Array[];
  bytes: number;
}

/** The bytes every live copy of this hub may hold together. */
export class LiveCopyBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  /** Takes `bytes` if they fit; false leaves the budget as it was. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }

  get usedBytes(): number {
    return this.used;
  }
}

export class LiveCopy {
  /** Owned storage, grown by doubling; charged to the budget in full. */
  private buffer: Buffer;
  private size: number;
  private encoded: EncodedJoin | undefined;

  private constructor(
    private readonly budget: LiveCopyBudget,
    private readonly maxBytes: number,
    initial: Uint8Array,
    capacity: number,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
    this.buffer.set(initial);
    this.size = initial.length;
  }

  /** A copy of `bytes` (the whole document), or undefined when it would pass a budget. */
  static keep(budget: LiveCopyBudget, maxBytes: number, bytes: Uint8Array): LiveCopy | undefined {
    // Never a zero-byte buffer: growing doubles it.
    const capacity = Math.max(bytes.length, 1024);
    if (bytes.length > maxBytes || !budget.take(capacity)) return undefined;
    return new LiveCopy(budget, maxBytes, bytes, capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes from `offset` to the end, without copying (bytes once written never change). */
  from(offset: number): Uint8Array {
    return this.buffer.subarray(offset, this.size);
  }

  /** The initial APPEND from `offset` to the end, in chunks of `maxChunk` bytes. */
  initialAppend(layout: 2 | 3, offset: number, maxChunk: number): Uint8Array[] {
    const key = `${layout}/${offset}/${this.size}/${maxChunk}`;
    if (this.encoded?.key === key) return this.encoded.chunks;
    const chunks = splitIntoChunks(encodeAppend(layout, offset, this.from(offset)), maxChunk);
    this.forget();
    const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
    if (this.budget.take(bytes)) this.encoded = { key, chunks, bytes };
    return chunks;
  }

  /**
   * Adds a committed append at `offset`. An append the copy already holds is
   * skipped; false when the copy cannot follow (a gap, or a budget passed):
   * the owner must then drop it.
   */
  extend(offset: number, data: Uint8Array): boolean {
    if (offset + data.length <= this.size) return true;
    if (offset !== this.size) return false;
    const needed = this.size + data.length;
    if (needed > this.maxBytes) return false;
    if (needed > this.buffer.length && !this.grow(needed)) return false;
    this.buffer.set(data, this.size);
    this.size = needed;
    this.forget();
    return true;
  }

  /** Gives its bytes back to the budget; the copy must not be used after. */
  release(): void {
    this.forget();
    this.budget.give(this.buffer.length);
    this.buffer = Buffer.alloc(0);
    this.size = 0;
  }

  /** Drops the kept initial APPEND: it no longer reaches the end. */
  private forget(): void {
    if (!this.encoded) return;
    this.budget.give(this.encoded.bytes);
    this.encoded = undefined;
  }

  private grow(needed: number): boolean {
    const capacity = Math.min(Math.max(needed, this.buffer.length * 2), this.maxBytes);
    if (!this.budget.take(capacity - this.buffer.length)) return false;
    const bigger = Buffer.allocUnsafe(capacity);
    this.buffer.copy(bigger, 0, 0, this.size);
    this.buffer = bigger;
    return true;
  }
}
