// The Yjs benchmark's simulated clients: real providers, each with its own
// Y.Doc, as browsers would run them (y-websocket's WebsocketProvider, or
// HocuspocusProvider for Hocuspocus, which speaks its own protocol). Writers
// push {writer, seq, sentAt} entries onto one Y.Array; every client counts the
// entries it receives from others and their screen-to-screen time. All clients
// share this process's clock. Awareness is off (no cursors): each awareness
// change goes to every client, so it would swamp the document updates measured
// here with N² traffic of its own.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Metrics } from '../server/loadtest/metrics';
import { changeInterval } from '../server/loadtest/random';

export type YjsClientKind = 'y-websocket' | 'hocuspocus';

/** What bench/yjs-generator.ts is asked to run (its argument, as JSON). */
export interface YjsLoadInput {
  kind: YjsClientKind;
  url: string;
  room: string;
  writers: number;
  watchers: number;
  delayMs: number;
  durationS: number;
  rampUpMs: number;
}

export interface YjsRun {
  kind: YjsClientKind;
  /** y-websocket: the URL the room name is appended to; Hocuspocus: the server's URL. */
  url: string;
  room: string;
  metrics: Metrics;
  delayMs: number;
  random: () => number;
  /** Entries written so far, by writer. */
  written: number[];
  stopWriting: boolean;
}

interface Entry {
  /** The writer's index. */
  w: number;
  s: number;
  /** Unix ms when written. */
  t: number;
}

/** What a client needs of its provider. */
interface Link {
  destroy(): void;
}

interface LinkEvents {
  opened(): void;
  closed(): void;
  synced(): void;
}

export class YjsSimClient {
  private readonly doc = new Y.Doc();
  private readonly entries = this.doc.getArray<Entry>('bench');
  /**
   * Entries held, by writer, own ones included. Yjs applies one writer's
   * entries in order, so these counts say which entries a client lacks.
   */
  readonly held: Uint32Array;
  private link: Link | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  private open = false;
  private joined = false;
  private stopped = false;

  constructor(
    private readonly run: YjsRun,
    /** Index of this writer, or undefined for a watcher. */
    private readonly writer: number | undefined,
  ) {
    this.held = new Uint32Array(run.written.length);
    this.entries.observe((event) => this.received(event));
  }

  /** Connects after `afterMs`. */
  start(afterMs: number): void {
    this.connectTimer = setTimeout(() => {
      this.link = connect(this.run, this.doc, {
        opened: () => this.opened(),
        closed: () => this.closed(),
        synced: () => this.synced(),
      });
    }, afterMs);
  }

  get isJoined(): boolean {
    return this.joined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.writeTimer);
    this.link?.destroy();
    this.doc.destroy();
  }

  private opened(): void {
    if (this.open) return;
    this.open = true;
    this.run.metrics.opened();
  }

  private closed(): void {
    if (!this.open) return;
    const { metrics } = this.run;
    this.open = false;
    metrics.open--;
    if (this.joined) metrics.joined--;
    this.joined = false;
    if (!this.stopped) metrics.disconnects++;
  }

  private synced(): void {
    if (this.joined || !this.open) return;
    this.joined = true;
    this.run.metrics.joined++;
    if (this.writer !== undefined && this.writeTimer === undefined) this.writeLater();
  }

  private writeLater(): void {
    this.writeTimer = setTimeout(
      () => {
        const { run } = this;
        if (run.stopWriting || this.stopped) return;
        if (this.joined) {
          const w = this.writer!;
          this.entries.push([{ w, s: run.written[w]!, t: Date.now() }]);
          run.written[w]!++;
          run.metrics.sent++;
          run.metrics.acked++; // y-websocket has no acknowledgements: written is sent
          run.metrics.docLength++;
        }
        this.writeLater();
      },
      changeInterval(this.run.random, this.run.delayMs),
    );
  }

  /** Live entries from others are deliveries; the initial sync's are only held. */
  private received(event: Y.YArrayEvent<Entry>): void {
    const live = this.joined && !event.transaction.local;
    const { metrics } = this.run;
    const now = Date.now();
    for (const item of event.changes.added) {
      for (const entry of item.content.getContent() as Entry[]) {
        this.held[entry.w]!++;
        if (!live) continue;
        metrics.delivered++;
        metrics.latency.record(now - entry.t);
      }
    }
  }
}

/** Entries written but missing at one client or more (their clients are `behind`). */
export function missing(
  clients: readonly YjsSimClient[],
  written: readonly number[],
): { entries: number; behind: number } {
  let entries = 0;
  written.forEach((n, w) => {
    let least = n;
    for (const c of clients) least = Math.min(least, c.held[w]!);
    entries += n - least;
  });
  const behind = clients.filter((c) => written.some((n, w) => c.held[w]! < n)).length;
  return { entries, behind };
}

function connect(run: YjsRun, doc: Y.Doc, on: LinkEvents): Link {
  return run.kind === 'hocuspocus' ? hocuspocus(run, doc, on) : yWebsocket(run, doc, on);
}

function yWebsocket(run: YjsRun, doc: Y.Doc, on: LinkEvents): Link {
  const awareness = new Awareness(doc);
  awareness.setLocalState(null);
  const provider = new WebsocketProvider(run.url, run.room, doc, {
    // ws offers permessage-deflate, as browsers do.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    awareness,
  });
  provider.on('status', ({ status }) => {
    if (status === 'connected') on.opened();
    else if (status === 'disconnected') on.closed();
  });
  provider.on('sync', (isSynced) => isSynced && on.synced());
  return {
    destroy() {
      provider.destroy();
      awareness.destroy();
    },
  };
}

function hocuspocus(run: YjsRun, doc: Y.Doc, on: LinkEvents): Link {
  // One socket per client, as one browser tab has.
  const socket = new HocuspocusProviderWebsocket({ url: run.url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: run.room,
    document: doc,
    awareness: null,
    onOpen: () => on.opened(),
    onClose: () => on.closed(),
    onSynced: ({ state }) => state && on.synced(),
  });
  provider.attach();
  return {
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
}
