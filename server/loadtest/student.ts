// A student only reads: every live append is a screen-to-screen sample. Unlike
// the reference, an ACK or any other message is counted, not a crash
// (docs/loadtest.md#it-never-crashes-on-what-a-server-sends).
import { SimUser } from './user';
import type { RunState } from './user';

export class Student extends SimUser {
  constructor(id: number, run: RunState) {
    super(id, 'student', run);
  }

  protected loaded(): void {}

  protected appended(): void {}

  protected ackNack(): void {
    this.unexpected('an ACK/NACK, but students never append');
  }

  protected disconnected(): void {}
}
