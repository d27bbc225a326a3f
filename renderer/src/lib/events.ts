// The live event stream: fetch with the login cookie, the SSE parser, and reconnects
// with a growing delay (up to 5 s), so the dashboard comes back by itself
// after the hub restarts.
import type { AdminEvents } from '../../../server/admin/api-types';
import { API_BASE } from './api';
import { SseParser } from './sse';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export type AdminEvent = {
  [E in keyof AdminEvents]: { type: E; data: AdminEvents[E] };
}[keyof AdminEvents];

export function connectEvents(
  onEvent: (e: AdminEvent) => void,
  onStatus: (s: StreamStatus) => void,
): () => void {
  const stop = new AbortController();
  void (async () => {
    let delay = 500;
    onStatus('connecting');
    while (!stop.signal.aborted) {
      try {
        const res = await fetch(`${API_BASE}events`, {
          cache: 'no-store',
          signal: stop.signal,
        });
        if (res.status === 401) return onStatus('unauthorized');
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        onStatus('live');
        delay = 500;
        const parser = new SseParser();
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) {
            onEvent({ type: e.event, data: JSON.parse(e.data) } as AdminEvent);
          }
        }
      } catch {
        // the hub went away (restart, stop) or the network did: try again below
      }
      if (stop.signal.aborted) return;
      onStatus('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  })();
  return () => stop.abort();
}
