// The member's live state from the hub (SSE): `state` at once and on every
// change, `removed` when the teacher removes them. EventSource reconnects by
// itself after a network error (a hub restart); when it gives up (the hub
// answered with an error), the class page asks the hub again and reopens it.
import { useEffect, useRef } from 'react';
import type { MemberState, RemovedEvent } from './types';
import { eventsUrl } from './api';

export interface StreamHandlers {
  onState(state: MemberState): void;
  onRemoved(reason: string): void;
  onLost(): void;
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

/** `attempt`: a new value opens a new stream. */
export function useMemberStream(
  code: string,
  token: string | undefined,
  attempt: number,
  handlers: StreamHandlers,
): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!token) return;
    const es = new EventSource(eventsUrl(code, token));
    es.addEventListener('state', (e) => {
      const state = parse<MemberState>(e.data);
      if (state) latest.current.onState(state);
    });
    es.addEventListener('removed', (e) => {
      es.close();
      latest.current.onRemoved(parse<RemovedEvent>(e.data)?.reason ?? '');
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) latest.current.onLost();
    });
    return () => es.close();
  }, [code, token, attempt]);
}
