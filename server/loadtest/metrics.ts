// The counters every simulated client updates, and the latency histogram. One
// instance per run; plain fields, because clients bump them per message.
import { LatencyHistogram } from './stats';

export class Metrics {
  readonly latency = new LatencyHistogram();

  /** WebSocket connections open now, and the most at once. */
  open = 0;
  peakOpen = 0;
  /** Clients past their initial load (the first APPEND after INIT). */
  joined = 0;
  connects = 0;
  /** Connections lost that the tester did not close itself. */
  disconnects = 0;
  failedDials = 0;

  /** The largest document end seen in any append or ACK. */
  docLength = 0;

  /** Distinct teacher changes made. */
  sent = 0;
  acked = 0;
  /** NACKs: a change lost the race and waits to be re-sent at the new end. */
  conflicts = 0;
  resent = 0;
  /** Changes whose teacher disconnected before their ACK. */
  unconfirmed = 0;

  /** Live APPENDs received by any client (initial loads excluded). */
  delivered = 0;

  /** ERROR messages (and no-permission replies) from the server. */
  serverErrors = 0;
  /** Messages of a type the client does not expect, or that do not decode. */
  unexpected = 0;
  /** Appends that started past a client's end: bytes it never received. */
  gaps = 0;

  opened(): void {
    this.open++;
    this.connects++;
    if (this.open > this.peakOpen) this.peakOpen = this.open;
  }

  seenEnd(end: number): void {
    if (end > this.docLength) this.docLength = end;
  }
}
