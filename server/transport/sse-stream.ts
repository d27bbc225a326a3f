// Server-sent events on one HTTP response: the framing, and a stream that
// drops a client which stops reading instead of queueing for it without bound.
import type { ServerResponse } from 'node:http';

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

  /**
   * Sends the headers at once. `onClose` runs once, when the client goes away
   * or `end()` is called.
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly maxQueuedBytes: number,
    onClose: () => void,
  ) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      // Proxies that buffer responses would hold the events back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.once('close', () => {
      this.ended = true;
      onClose();
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
      this.res.destroy();
      return;
    }
    this.res.write(frame);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.res.end();
  }
}
