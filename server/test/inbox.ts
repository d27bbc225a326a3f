// What a test client has received, in order, with a cursor: `next()` takes the
// next item, waiting for it until a deadline or until the connection closes.
export class Inbox<T> {
  readonly items: T[] = [];
  private cursor = 0;
  private closed = false;
  private waiters: (() => void)[] = [];

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** No more items will come: waiting ones fail instead of timing out. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Items received but not taken yet. */
  get unread(): number {
    return this.items.length - this.cursor;
  }

  /** Marks everything received so far as taken. */
  skipAll(): void {
    this.cursor = this.items.length;
  }

  async next(timeoutMs: number, what = 'frame'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.items.length) {
      if (this.closed) throw new Error(`socket closed before the next ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items[this.cursor++]!;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
