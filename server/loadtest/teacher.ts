// A teacher appends a change every normal(delay, delay/2) ms: `length` bytes of
// the current letter, the first 4 overwritten by a timestamp
// (docs/loadtest.md#teachers). One change is in flight at a time. On a NACK it
// waits until the winner's append has arrived, then re-sends the same change at
// the new end, so no change is lost (the reference drops it and moves on). The
// letter follows the document: after the last byte seen, 'Z' wrapping to 'A'.
import { AckStatus, encodeAppend } from '../protocols/zwibbler/codec';
import { changeInterval } from './random';
import { writeStamp } from './timestamp';
import { SimUser } from './user';
import type { RunState } from './user';

const A = 0x41;
const Z = 0x5a;

/** The letter after `byte`, wrapping 'Z' to 'A'; 'A' after anything that is not a capital. */
export const nextLetter = (byte: number | undefined): number =>
  byte !== undefined && byte >= A && byte < Z ? byte + 1 : A;

interface Change {
  seq: number;
  data: Buffer;
  /** Set by a NACK: re-send once the document has reached this length. */
  conflictAt: number | undefined;
}

export class Teacher extends SimUser {
  private letter = A;
  private seq = 0;
  private inFlight: Change | undefined;
  private writer: NodeJS.Timeout | undefined;

  constructor(id: number, run: RunState) {
    super(id, 'teacher', run);
  }

  /** True while a change waits for its ACK. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  protected loaded(lastByte: number | undefined): void {
    this.letter = lastByte === undefined ? A : nextLetter(lastByte);
    this.scheduleChange();
  }

  private scheduleChange(): void {
    clearTimeout(this.writer);
    const { options } = this.run;
    this.writer = setTimeout(() => this.tick(), changeInterval(options.random, options.delayMs));
  }

  private tick(): void {
    this.writer = undefined;
    if (this.run.stopWriting || !this.joined) return;
    // As the reference: a tick while the last change is unsettled sends nothing.
    if (!this.inFlight) {
      const data = Buffer.alloc(this.run.options.length);
      writeStamp(data, this.run.options.clock());
      this.inFlight = { seq: ++this.seq, data, conflictAt: undefined };
      this.run.metrics.sent++;
      this.transmit(this.inFlight);
    }
    this.scheduleChange();
  }

  /** Sends the change at this teacher's end, in the current letter. */
  private transmit(change: Change): void {
    change.data.fill(this.letter, 4);
    change.conflictAt = undefined;
    this.send(encodeAppend(3, this.end, change.data));
    this.run.onChange?.({
      kind: 'sent',
      teacher: this.id,
      seq: change.seq,
      offset: this.end,
      data: Buffer.from(change.data),
    });
  }

  protected appended(lastByte: number | undefined): void {
    if (lastByte !== undefined) this.letter = nextLetter(lastByte);
    this.retryIfDue();
  }

  private retryIfDue(): void {
    const change = this.inFlight;
    if (change?.conflictAt === undefined || this.end < change.conflictAt) return;
    this.run.metrics.resent++;
    this.say(`re-sending change ${change.seq} at ${this.end}`);
    this.transmit(change);
  }

  protected ackNack(status: number, length: number): void {
    const change = this.inFlight;
    const { metrics } = this.run;
    if (!change) return this.unexpected('an ACK/NACK with no change in flight');
    metrics.seenEnd(length);
    if (status === AckStatus.Appended) {
      this.end = length;
      this.letter = nextLetter(this.letter);
      this.inFlight = undefined;
      metrics.acked++;
      this.run.onChange?.({ kind: 'acked', teacher: this.id, seq: change.seq, offset: length });
      return;
    }
    if (status === AckStatus.Conflict) {
      metrics.conflicts++;
      change.conflictAt = length;
      this.run.onChange?.({ kind: 'conflict', teacher: this.id, seq: change.seq, offset: length });
      this.say(`conflict: change ${change.seq} lost the race, the document is ${length} bytes`);
      // The winner's append normally arrives before the NACK: then re-send at once.
      this.retryIfDue();
      return;
    }
    // No write permission (2) or a status this tester does not know: the change cannot land.
    metrics.serverErrors++;
    this.inFlight = undefined;
    this.say(`change ${change.seq} refused (status ${status}): no write permission?`);
    this.run.onChange?.({ kind: 'abandoned', teacher: this.id, seq: change.seq, offset: length });
  }

  protected disconnected(): void {
    clearTimeout(this.writer);
    this.writer = undefined;
    const change = this.inFlight;
    if (!change) return;
    this.inFlight = undefined;
    this.run.metrics.unconfirmed++;
    this.run.onChange?.({ kind: 'abandoned', teacher: this.id, seq: change.seq, offset: this.end });
  }

  override async stop(): Promise<void> {
    clearTimeout(this.writer);
    this.writer = undefined;
    await super.stop();
  }
}
