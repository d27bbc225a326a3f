// The live state of one Zwibbler document while clients are connected: its
// members, its client keys, and one queue that runs every operation on the
// document in arrival order. Because a commit and its fan-out happen inside the
// same queued task, every reader sees appends in commit order (§16.10), and a
// join's read cannot interleave with an append (§16.9).
import type { Bus } from '../../cluster/bus';
import { encodeAppend, encodeMessage } from './codec';
import type { KeyEntry } from './codec';

export type DocumentEvent =
  | { kind: 'append'; origin: string; offset: number; data: Uint8Array }
  | { kind: 'keys'; origin: string; keys: KeyEntry[] }
  | { kind: 'broadcast'; origin: string; data: Uint8Array }
  | { kind: 'deleted' };

/** An event as delivered to members, encoded at most once per wire form. */
export class Delivery {
  private v2: Buffer | undefined;
  private v3: Buffer | undefined;
  private broadcast: Buffer | undefined;
  constructor(readonly event: DocumentEvent) {}

  broadcastBytes(): Buffer {
    const e = this.event;
    if (e.kind !== 'broadcast') throw new Error('not a broadcast');
    return (this.broadcast ??= encodeMessage({ type: 'broadcast', data: e.data }));
  }

  appendBytes(layout: 2 | 3): Buffer {
    const e = this.event;
    if (e.kind !== 'append') throw new Error('not an append');
    if (layout === 2) return (this.v2 ??= encodeAppend(2, e.offset, e.data));
    return (this.v3 ??= encodeAppend(3, e.offset, e.data));
  }
}

export interface DocumentMember {
  readonly clientId: string;
  deliver(delivery: Delivery): void;
}

export interface ClientKey extends KeyEntry {
  owner: string;
}

export const keyId = (name: Uint8Array): string => Buffer.from(name).toString('latin1');

export class LiveDocument {
  readonly members = new Map<string, DocumentMember>();
  readonly clientKeys = new Map<string, ClientKey>();
  /** Sessions holding this document, joined or joining. */
  holders = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    readonly id: string,
    private readonly bus: Bus,
  ) {
    this.unsubscribe = bus.subscribe<DocumentEvent>(topicOf(id), (e) => this.fanOut(e));
  }

  /** Runs `task` after every task queued before it; a failure does not block later tasks. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  publish(event: DocumentEvent): void {
    this.bus.publish(topicOf(this.id), event);
  }

  dispose(): void {
    this.unsubscribe();
  }

  private fanOut(event: DocumentEvent): void {
    const delivery = new Delivery(event);
    const origin = 'origin' in event ? event.origin : undefined;
    for (const member of [...this.members.values()]) {
      if (member.clientId !== origin) member.deliver(delivery);
    }
  }
}

export const topicOf = (documentId: string): string => `zwibbler:${documentId}`;

/** The documents that have clients, created on first join and dropped after the last leave. */
export class LiveDocuments {
  private readonly docs = new Map<string, LiveDocument>();

  constructor(private readonly bus: Bus) {}

  acquire(id: string): LiveDocument {
    let doc = this.docs.get(id);
    if (!doc) {
      doc = new LiveDocument(id, this.bus);
      this.docs.set(id, doc);
    }
    doc.holders++;
    return doc;
  }

  release(doc: LiveDocument): void {
    if (--doc.holders > 0) return;
    doc.dispose();
    if (this.docs.get(doc.id) === doc) this.docs.delete(doc.id);
  }

  get(id: string): LiveDocument | undefined {
    return this.docs.get(id);
  }

  get size(): number {
    return this.docs.size;
  }
}
