// Message and byte counters. The transport bumps one per connection and one per
// endpoint; the registry reads a client's through ClientControl, the metrics
// read the endpoints'. Plain numbers, so counting a message allocates nothing.

export interface Traffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Unix milliseconds of the last message either way (0: none yet). */
  lastActivity: number;
}

/** An endpoint's totals, plus its open connections. */
export interface EndpointTraffic extends Traffic {
  connections: number;
}

export function emptyTraffic(): Traffic {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, lastActivity: 0 };
}

export function countIn(t: Traffic, bytes: number, now: number): void {
  t.messagesIn++;
  t.bytesIn += bytes;
  t.lastActivity = now;
}

export function countOut(t: Traffic, bytes: number, now: number): void {
  t.messagesOut++;
  t.bytesOut += bytes;
  t.lastActivity = now;
}

/** Adds `from` into `into` (for sums over a room's clients). */
export function addTraffic(into: Traffic, from: Traffic): void {
  into.messagesIn += from.messagesIn;
  into.messagesOut += from.messagesOut;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  into.lastActivity = Math.max(into.lastActivity, from.lastActivity);
}
