// When the page's own address stops answering and nothing says where the hub
// went (the hub's computer got a new address by itself: sleep, another
// Wi-Fi), a class board tries the hub's other addresses: its `.local` name and
// the LAN addresses its join info listed while the page was connected. Only a
// class board does: its member token is what proves the hub at another address
// is this one (another hub there refuses the token, and the board moves on).
// Not at once: a restart in place takes a few seconds, and must not send the
// board elsewhere.
import type { WebsocketProvider } from 'y-websocket';
import { socketBase } from './moved';

/** How long the page's own address must fail before other addresses are tried. */
export const LOST_AFTER_MS = 10_000;
/** How long each address gets before the next is tried. */
const TRY_MS = 5_000;
const CHECK_MS = 1_000;

/** What the board reads of GET /api/join. */
type JoinListing = { urls?: unknown; localUrl?: unknown };

export class HubAddresses {
  private others: URL[] = [];
  /** -1: the page's own address; else the one of `others` being tried. */
  private index = -1;
  private downSince: number | undefined;
  private switchedAt = 0;
  private timer: number | undefined;

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly home: string,
  ) {}

  /** Asks the hub (the page's own origin) for its other addresses. */
  learn(): void {
    void fetch('/api/join', { cache: 'no-store' })
      .then((r): Promise<JoinListing> | JoinListing => (r.ok ? r.json() : {}))
      .then((info) => {
        const listed = [info.localUrl, ...(Array.isArray(info.urls) ? info.urls : [])];
        const found = new Map<string, URL>();
        for (const raw of listed) {
          if (typeof raw !== 'string') continue;
          try {
            const url = new URL(raw);
            if (/^https?:$/.test(url.protocol) && url.origin !== location.origin) {
              found.set(url.origin, url);
            }
          } catch {
            // not a URL: skipped
          }
        }
        this.others = [...found.values()];
      })
      .catch(() => undefined);
  }

  /** The other address the provider is trying now, if any. */
  get trying(): URL | undefined {
    return this.index >= 0 ? this.others[this.index] : undefined;
  }

  synced(): void {
    this.downSince = undefined;
  }

  /** A connection closed or failed. */
  lost(now = Date.now()): void {
    this.downSince ??= now;
    this.timer ??= window.setInterval(() => this.check(), CHECK_MS);
  }

  destroy(): void {
    window.clearInterval(this.timer);
  }

  /**
   * A connection to an address that is gone often neither opens nor fails
   * for minutes (nothing answers at all): so the clock decides, not the
   * socket. Once the page's address has been lost LOST_AFTER_MS, each address
   * gets TRY_MS in turn, the page's own included.
   */
  private check(now = Date.now()): void {
    if (this.downSince === undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.others.length === 0 || now - this.downSince < LOST_AFTER_MS) return;
    if (now - this.switchedAt < TRY_MS) return;
    this.switchedAt = now;
    this.index = this.index + 1 < this.others.length ? this.index + 1 : -1;
    this.provider.serverUrl =
      this.index < 0 ? this.home : socketBase(this.others[this.index]!, this.home);
    // An attempt still hanging on the old address is dropped; the provider retries at the new one.
    const pending = this.provider.ws;
    if (pending && !this.provider.wsconnected) pending.close();
  }
}
