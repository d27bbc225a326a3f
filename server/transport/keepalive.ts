// One timer pings every live socket; a socket that has not answered (a pong or
// any message) since the previous sweep is dropped as dead. The reference never
// pings, so half-open connections stayed in sessions forever
// (docs/protocols/zwibbler.md#keepalive-pings-drop-dead-peers).

export interface Pingable {
  /** True if the peer showed life since the last sweep; resets the flag. */
  takeAlive(): boolean;
  ping(): void;
  /** Called when the peer missed a whole interval. */
  dead(): void;
}

export class KeepaliveSweeper {
  private readonly members = new Set<Pingable>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(member: Pingable): void {
    this.members.add(member);
    if (!this.timer && this.intervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      this.timer.unref();
    }
  }

  delete(member: Pingable): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    for (const m of [...this.members]) {
      if (m.takeAlive()) m.ping();
      else {
        this.members.delete(m);
        m.dead();
      }
    }
  }
}
