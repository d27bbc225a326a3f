// GET <admin>/api/events: one SSE stream per dashboard with the hub's identity,
// the last hour of stats, the failing writes, then a sample every second,
// session and client joins and leaves, new log lines, and the failing writes
// again whenever they change. The dashboard reads it with fetch (it
// must send the Authorization header, which EventSource cannot).
import type { ServerResponse } from 'node:http';
import type { ClientInfo, RegistryEvents, RoomInfo } from '../hub/registry';
import { formatEvent, SseStream } from '../transport/sse-stream';
import type { AdminEvents } from './api-types';
import type { AdminContext } from './context';
import { hubVersion } from '../config/version';
import { parseLogLine } from './logs';
import { clientView, sessionId } from './snapshot';

/** A dashboard that stops reading is cut off past this much queued output. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export function openEventStream(ctx: AdminContext, res: ServerResponse): void {
  const unsubscribe: (() => void)[] = [];
  const stream = new SseStream(res, MAX_QUEUED_BYTES, () => {
    for (const u of unsubscribe) u();
  });
  const send = <E extends keyof AdminEvents>(event: E, data: AdminEvents[E]) =>
    stream.send(formatEvent(event, JSON.stringify(data)));

  const { registry, history, logs } = ctx;
  send('hello', { startedAt: ctx.server().startedAt, version: hubVersion() });
  send('history', history.recent());
  send('storage-faults', ctx.faults.list());
  unsubscribe.push(ctx.faults.onChange((open) => send('storage-faults', open)));

  const client = (event: 'client-added' | 'client-removed') => (info: ClientInfo) =>
    send(event, {
      ...clientView(info, registry.traffic(info.id)),
      session: sessionId(info.protocol, info.room),
    });
  const room = (event: 'session-opened' | 'session-closed') => (info: RoomInfo) =>
    send(event, {
      id: sessionId(info.protocol, info.name),
      protocol: info.protocol,
      name: info.name,
      createdAt: info.openedAt,
    });
  const subscribe = <K extends keyof RegistryEvents>(
    event: K,
    listener: (...args: RegistryEvents[K]) => void,
  ) => {
    registry.on(event, listener as never);
    unsubscribe.push(() => registry.off(event, listener as never));
  };
  subscribe('client-added', client('client-added'));
  subscribe('client-removed', client('client-removed'));
  subscribe('room-opened', room('session-opened'));
  subscribe('room-closed', room('session-closed'));
  unsubscribe.push(history.onSample((s) => send('stats', s)));
  unsubscribe.push(
    logs.onLine((line) => {
      const entry = parseLogLine(line);
      if (entry) send('log', entry);
    }),
  );
}
