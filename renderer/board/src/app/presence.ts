// Live cursors and names through y-websocket's awareness: each device shares
// its name, colour and cursor (board coordinates, throttled); the overlay draws
// the others'.
import type { Awareness } from 'y-protocols/awareness';
import type { OverlayPainter } from '../render/board-renderer';

const CURSOR_MS = 50;

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  cursor: [number, number] | null;
}

export class Presence {
  private pending: [number, number] | null | undefined;
  private timer = 0;

  constructor(
    private readonly awareness: Awareness,
    name: string,
    color: string,
  ) {
    awareness.setLocalStateField('user', { name, color });
  }

  rename(name: string): void {
    const user = this.awareness.getLocalState()?.user as { color?: string } | undefined;
    this.awareness.setLocalStateField('user', { ...user, name });
  }

  setCursor(cursor: [number, number] | null): void {
    this.pending = cursor && [Math.round(cursor[0]), Math.round(cursor[1])];
    if (this.timer) return;
    this.timer = window.setTimeout(() => {
      this.timer = 0;
      this.awareness.setLocalStateField('cursor', this.pending ?? null);
    }, CURSOR_MS);
  }

  /** The other devices in the room. */
  peers(): Peer[] {
    const out: Peer[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID) continue;
      const user = (state as { user?: { name?: unknown; color?: unknown } }).user;
      const cursor = (state as { cursor?: unknown }).cursor;
      out.push({
        clientId,
        name: typeof user?.name === 'string' ? user.name.slice(0, 40) : 'Someone',
        color:
          typeof user?.color === 'string' && /^#[0-9a-f]{6}$/i.test(user.color)
            ? user.color
            : '#868e96',
        cursor: isPoint(cursor) ? cursor : null,
      });
    }
    return out;
  }

  onChange(listener: () => void): () => void {
    this.awareness.on('change', listener);
    return () => this.awareness.off('change', listener);
  }

  /** Draws each peer's cursor and name at a constant screen size. */
  painter(): OverlayPainter {
    return (ctx, view) => {
      ctx.font = `${12 / view.scale}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      for (const peer of this.peers()) {
        if (!peer.cursor) continue;
        const [x, y] = peer.cursor;
        const k = 1 / view.scale;
        ctx.fillStyle = peer.color;
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 12 * k, y + 5 * k);
        ctx.lineTo(x + 5 * k, y + 12 * k);
        ctx.closePath();
        ctx.fill();
        const w = ctx.measureText(peer.name).width + 8 * k;
        ctx.fillRect(x + 10 * k, y + 12 * k, w, 16 * k);
        ctx.fillStyle = '#ffffff';
        ctx.fillText(peer.name, x + 14 * k, y + 14 * k);
      }
    };
  }

  destroy(): void {
    clearTimeout(this.timer);
  }
}

const isPoint = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n));
