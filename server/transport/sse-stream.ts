// Server-sent events on one HTTP response: the framing, and a stream that
// drops a client which stops reading instead of queueing for it without bound.
import type { ServerResponse } from 'node:http';

/**
 * How a stream ended, as the server can observe it:
 * - 'client-closed': the client closed its connection in order (a TCP FIN with
 *   no socket error), as a browser does when its tab closes or navigates, or
 *   when the page closes its EventSource;
 * - 'dropped': anything else the server did not ask for: a reset or other
 *   socket error, or the hub cutting a client that stopped reading;
 * - 'ended': the server ended it (`end()`).
 */
export type StreamEnd = 'client-closed' | 'dropped' | 'ended';

/**
 * One event: `id:` (when given), `event:`, one `data:` line per line of data,
 * then the blank line that ends it. Without that blank line a client holds
 * the event back until the next one arrives.
 */
export function formatEvent(event: string, data: string, id?: string): string {
  if (/[\r\n]/.test(event) || (id !== undefined && /[\r\n]/.test(id))) {
    throw new Error('SSE event names and ids are single lines');
  }
  let out = id === undefined ? '' : `id: ${id}\n`;
  out += `event: ${event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

export class SseStream {
  private ended = false;
  private how: StreamEnd | undefined;

  /**
   * Sends the headers at once. `onClose` runs once, when the client goes away
   * or `end()` is called, with how it ended.
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly maxQueuedBytes: number,
    onClose: (how: StreamEnd) => void,
  ) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      // Proxies that buffer responses would hold the events back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const socket = res.socket;
    socket?.setNoDelay(true);
    // The first sign wins: a write that fails after the client's FIN does not
    // make an orderly close a drop, and a reset before it is not orderly.
    const onEnd = () => (this.how ??= 'client-closed');
    const onError = () => (this.how ??= 'dropped');
    socket?.once('end', onEnd);
    socket?.once('error', onError);
    res.once('close', () => {
      socket?.off('end', onEnd);
      socket?.off('error', onError);
      this.ended = true;
      onClose(this.how ?? 'dropped');
    });
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Writes a formatted event; a client that has not read MaxQueuedBytes is cut off. */
  send(frame: string): void {
    if (this.ended) return;
    if (this.res.writableLength > this.maxQueuedBytes) {
      this.ended = true;
      this.how = 'dropped';
      this.res.destroy();
      return;
    }
    this.res.write(frame);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.how = 'ended';
    this.res.end();
  }
}
