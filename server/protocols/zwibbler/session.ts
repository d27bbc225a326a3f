// One Zwibbler connection's state machine: AWAIT_INIT, then joining (the
// document is opened and the client registered), then CONNECTED, then closed
// (docs/protocols/zwibbler.md#the-state-machine).
// The session never touches the WebSocket itself, only the ClientSocket seam.
import type { LimitHits } from '../../transport/limit-hits';
import { admit, DEFAULT_MAX_MESSAGE_SIZE, openRefusal } from './admission';
import type { Refusal } from './admission';
import type { IdentityResolver } from './identity';
import type { Permissions } from '../../hub/permissions';
import type { SessionRegistry } from '../../hub/registry';
import type { Logger } from '../../log/logger';
import type { DocumentStore } from '../../store/types';
import { FAN_OUT } from '../../transport/client-socket';
import type { ClientSocket, SendOptions, SocketHandler } from '../../transport/client-socket';
import { CloseCode } from '../../transport/close-codes';
import { MessageTooBigError, Reassembler, splitIntoChunks } from './chunks';
import {
  AckStatus,
  decodeMessage,
  encodeError,
  encodeMessage,
  ErrorCode,
  MessageType,
  ZwibblerCodecError,
} from './codec';
import type { AppendMessage, InitMessage, KeyEntry, Message, SetKeyMessage } from './codec';
import { keyId } from './session-keys';
import type { Delivery, DocumentMember, LiveDocument, LiveDocuments } from './live-document';

export interface ZwibblerLimits {
  /** Largest reassembled message accepted from a client. */
  maxMessageBytes: number;
  /** Appends that would grow a document past this are refused. */
  maxDocumentBytes: number;
  /** Client keys per document, and document keys per document. */
  maxKeysPerDocument: number;
  /** Bytes of one key, name and value (MaxKeyBytes). */
  maxKeyBytes: number;
  /** Bytes of names and values per document: its client keys, and its document keys (MaxDocumentKeyBytes). */
  maxDocumentKeyBytes: number;
  /**
   * A client must complete its INIT within this time
   * (docs/protocols/zwibbler.md#the-state-machine).
   */
  initTimeoutMs: number;
}

export interface ZwibblerContext {
  store: DocumentStore;
  documents: LiveDocuments;
  registry: SessionRegistry;
  resolveIdentity: IdentityResolver;
  limits: ZwibblerLimits;
  log: Logger;
  /** Where refusals by a budget are counted (/metrics). */
  limitHits?: LimitHits;
}

/** Inbound backpressure: stop reading a client with this many messages in flight. */
const PAUSE_AT_PENDING = 64;

const CLIENT_TYPES: ReadonlySet<number> = new Set([
  MessageType.Init,
  MessageType.AppendV2,
  MessageType.SetKey,
  MessageType.Broadcast,
  MessageType.AppendV3,
]);

type State = 'await-init' | 'joining' | 'connected' | 'closed';

export class ZwibblerSession implements SocketHandler, DocumentMember {
  readonly clientId: string;
  private state: State = 'await-init';
  private readonly reassembler: Reassembler;
  private readonly initTimer: NodeJS.Timeout;
  private readonly log: Logger;
  /** Messages of this client, handled strictly one after another. */
  private work: Promise<void> = Promise.resolve();
  private pending = 0;
  private paused = false;

  private layout: 2 | 3 = 3;
  private maxChunk = DEFAULT_MAX_MESSAGE_SIZE;
  private permissions: Permissions = { read: false, write: false, admin: false };
  private doc: LiveDocument | undefined;
  private unregister: (() => void) | undefined;
  /**
   * End of the document as this client has it: fan-out below it is a duplicate
   * (docs/protocols/zwibbler.md#fan-out).
   */
  private lastEnd = 0;
  /** Events that arrived while joining, replayed once the initial load is sent. */
  private buffered: Delivery[] | undefined = [];
  private readonly pendingKeys = new Map<string, KeyEntry>();
  private keyFlushQueued = false;

  constructor(
    private readonly socket: ClientSocket,
    private readonly ctx: ZwibblerContext,
  ) {
    this.clientId = ctx.registry.nextClientId();
    this.log = ctx.log.child({ client: this.clientId, remote: socket.remoteAddress });
    this.reassembler = new Reassembler(ctx.limits.maxMessageBytes);
    this.initTimer = setTimeout(
      () =>
        this.close(
          CloseCode.InitTimeout,
          `no INIT message within ${ctx.limits.initTimeoutMs / 1000} seconds`,
        ),
      ctx.limits.initTimeoutMs,
    );
  }

  // ---- SocketHandler -------------------------------------------------------

  message(data: Buffer): void {
    if (this.state === 'closed' || !this.socket.isOpen) return;
    let msg: Message;
    try {
      const whole = this.reassembler.push(data);
      if (!whole) return;
      // Only client types are decoded; anything else is ignored like an unknown type
      // (docs/protocols/zwibbler.md#after-init).
      msg = CLIENT_TYPES.has(whole[0]!)
        ? decodeMessage(whole)
        : { type: 'unknown', code: whole[0]!, body: whole.subarray(2) };
    } catch (err) {
      return this.rejectMalformed(err);
    }
    if (this.state === 'await-init') {
      clearTimeout(this.initTimer);
      this.state = 'joining';
    }
    this.enqueue(msg);
  }

  closed(): void {
    clearTimeout(this.initTimer);
    const wasJoined = this.state === 'connected' || this.state === 'joining';
    this.state = 'closed';
    this.unregister?.();
    this.unregister = undefined;
    if (wasJoined && this.doc) this.leave(this.doc);
  }

  // ---- DocumentMember --------------------------------------------------------

  deliver(delivery: Delivery): void {
    if (this.buffered) {
      this.buffered.push(delivery);
      return;
    }
    const e = delivery.event;
    switch (e.kind) {
      case 'append':
        if (e.offset < this.lastEnd) return;
        this.lastEnd = e.offset + e.data.length;
        return this.sendFanOut(delivery.appendBytes(this.layout));
      case 'keys':
        return this.queueKeys(e.keys);
      case 'broadcast':
        return this.sendFanOut(delivery.broadcastBytes());
      case 'deleted':
        return this.fail(ErrorCode.DoesNotExist, CloseCode.NotFound, 'document deleted');
    }
  }

  // ---- Registry controls -----------------------------------------------------

  private setPermissions(permissions: Permissions): void {
    // Applied before anything else: nothing the client sent before its close may use the old rights.
    this.permissions = { ...permissions };
    if (!permissions.read) {
      this.fail(ErrorCode.AccessDenied, CloseCode.Forbidden, 'read permission revoked');
    }
  }

  // ---- Message handling ------------------------------------------------------

  /** Joined, and not closing: only then do messages change anything. */
  private get live(): boolean {
    return this.state === 'connected' && this.socket.isOpen;
  }

  private enqueue(msg: Message): void {
    if (++this.pending >= PAUSE_AT_PENDING && !this.paused) {
      this.paused = true;
      this.socket.pauseReading();
    }
    this.work = this.work
      // Once a close has begun (kicked, revoked, failed), nothing more is handled
      // (docs/protocols/zwibbler.md#nothing-is-handled-after-a-close-begins).
      .then(() => (this.socket.isOpen ? this.handle(msg) : undefined))
      .catch((err: Error) => {
        this.log.error({ err: err.message }, 'storage failed while handling a message');
        this.fail(ErrorCode.Unspecified, CloseCode.InternalError, 'internal storage error');
      })
      .finally(() => {
        if (--this.pending < PAUSE_AT_PENDING / 2 && this.paused) {
          this.paused = false;
          this.socket.resumeReading();
        }
      });
  }

  private async handle(msg: Message): Promise<void> {
    if (this.doc === undefined) {
      if (msg.type !== 'init') {
        const what = msg.type === 'unknown' ? `type 0x${msg.code.toString(16)}` : msg.type;
        return this.close(
          CloseCode.ProtocolError,
          `expected INIT as the first message, got ${what}`,
        );
      }
      return this.join(msg);
    }
    const doc = this.doc;
    switch (msg.type) {
      case 'append':
        return doc.run(() => this.append(doc, msg));
      case 'set-key':
        return doc.run(() => this.setKey(doc, msg));
      case 'broadcast':
        // Readers may not broadcast; the reference lets them
        // (docs/protocols/zwibbler.md#readers-may-not-broadcast-or-set-keys).
        // No reply exists for it.
        if (!this.permissions.write) return this.log.debug('broadcast from a reader dropped');
        return doc.run(() =>
          doc.publish({ kind: 'broadcast', origin: this.clientId, data: msg.data }),
        );
      default:
        // As the reference: unknown and server-only types are ignored
        // (docs/protocols/zwibbler.md#after-init).
        this.log.debug({ type: msg.type }, 'ignored message');
    }
  }

  private async join(init: InitMessage): Promise<void> {
    const admission = await admit(init, this.ctx.resolveIdentity, this.socket.remoteAddress);
    if (!admission.ok) return this.refuse(admission.refusal);
    const { identity, mode, missingCode } = admission;
    this.layout = admission.layout;
    this.maxChunk = admission.maxChunk;
    if (this.state === 'closed') return;
    this.permissions = { ...identity.permissions };

    const doc = this.ctx.documents.acquire(identity.documentId);
    this.doc = doc;
    doc.members.set(this.clientId, this); // buffering until the initial load is out
    await doc.run(async () => {
      if (this.state === 'closed') return;
      const loaded = await doc.open(mode, init.initialData, init.offset);
      if (loaded.status !== 'ok') return this.refuse(openRefusal(loaded, missingCode));
      const offset = loaded.created ? loaded.length : init.offset;
      this.lastEnd = loaded.length;
      this.flushKeys();
      const initial = doc.initialAppend(this.layout, offset, loaded, this.maxChunk);
      this.socket.send(initial, { uncapped: true });
      const keys: KeyEntry[] = await this.ctx.documents.sessionKeys.list(identity.documentId);
      keys.push(...(await this.ctx.store.getDocumentKeys(identity.documentId)));
      if (keys.length > 0) this.queueKeys(keys);
      this.state = 'connected';
      this.unregister = this.ctx.registry.add(
        {
          id: this.clientId,
          protocol: 'zwibbler',
          room: identity.documentId,
          remoteAddress: this.socket.remoteAddress,
          userId: identity.userId,
          permissions: identity.permissions,
          connectedAt: Date.now(),
        },
        {
          kick: (reason) => this.close(CloseCode.Forbidden, `kicked: ${reason}`),
          setPermissions: (p) => this.setPermissions(p),
          traffic: this.socket.traffic,
        },
      );
      this.log.info(
        { document: identity.documentId, via: identity.via, created: loaded.created },
        'client joined',
      );
      const early = this.buffered ?? [];
      this.buffered = undefined;
      for (const d of early) this.deliver(d);
    });
  }

  private async append(doc: LiveDocument, msg: AppendMessage): Promise<void> {
    if (!this.live) return;
    const { store, limits } = this.ctx;
    if (!this.permissions.write) {
      // Nothing is written, but the offset is still checked
      // (docs/protocols/zwibbler.md#ack-and-nack).
      const length = await store.documentLength(doc.id);
      if (length === null) return this.documentGone();
      const status = length === msg.offset ? AckStatus.NoPermission : AckStatus.Conflict;
      return this.sendMessage(encodeMessage({ type: 'ack-nack', status, length }));
    }
    if (msg.offset + msg.data.length > limits.maxDocumentBytes) {
      // Only an append at the true end is refused for size; a stale one is just a NACK.
      const length = await store.documentLength(doc.id);
      if (length === null) return this.documentGone();
      if (length !== msg.offset) {
        const nack = { type: 'ack-nack', status: AckStatus.Conflict, length } as const;
        return this.sendMessage(encodeMessage(nack));
      }
      this.log.warn({ document: doc.id, limit: limits.maxDocumentBytes }, 'document size limit');
      return this.fail(
        ErrorCode.Unspecified,
        CloseCode.MessageTooBig,
        'document size limit reached',
      );
    }
    const result = await store.appendIfLength(doc.id, msg.offset, msg.data);
    if (result.status === 'missing') return this.documentGone();
    if (result.status === 'conflict') {
      return this.sendMessage(
        encodeMessage({ type: 'ack-nack', status: AckStatus.Conflict, length: result.length }),
      );
    }
    this.lastEnd = result.length;
    this.sendMessage(
      encodeMessage({ type: 'ack-nack', status: AckStatus.Appended, length: result.length }),
    );
    doc.publish({ kind: 'append', origin: this.clientId, offset: msg.offset, data: msg.data });
  }

  private async setKey(doc: LiveDocument, msg: SetKeyMessage): Promise<void> {
    if (!this.live) return;
    const result = await this.trySetKey(doc, msg);
    // As an append: the document was deleted under this client (the reference panics here).
    if (result === 'missing') return this.documentGone();
    const accepted = result === 'ok';
    // As the reference: a success with old = new version gets no reply
    // (docs/protocols/zwibbler.md#compare-and-set).
    if (!accepted || msg.oldVersion !== msg.newVersion) {
      this.sendMessage(
        encodeMessage({ type: 'set-key-ack-nack', accepted, requestId: msg.requestId }),
      );
    }
    if (!accepted) return;
    const entry = {
      version: msg.newVersion,
      name: Buffer.from(msg.name),
      value: Buffer.from(msg.value),
    };
    doc.publish({ kind: 'keys', origin: this.clientId, keys: [entry] });
  }

  private async trySetKey(
    doc: LiveDocument,
    msg: SetKeyMessage,
  ): Promise<'ok' | 'refused' | 'missing'> {
    const { limits, store } = this.ctx;
    // Readers may set no key at all; the reference lets them
    // (docs/protocols/zwibbler.md#readers-may-not-broadcast-or-set-keys).
    // admin: keys need `a` (docs/protocols/zwibbler.md#compare-and-set).
    if (!this.permissions.write) return 'refused';
    if (startsWithAdmin(msg.name) && !this.permissions.admin) return 'refused';
    const bytes = msg.name.length + msg.value.length;
    if (bytes > limits.maxKeyBytes) return this.keyRefused('MaxKeyBytes', 'MaxKeyBytes', bytes);
    const budget = { maxKeys: limits.maxKeysPerDocument, maxBytes: limits.maxDocumentKeyBytes };
    const entry = {
      version: msg.newVersion,
      name: Buffer.from(msg.name),
      value: Buffer.from(msg.value),
    };
    const result =
      msg.lifetime !== 0
        ? await store.setDocumentKey(doc.id, msg.oldVersion, entry, budget)
        : await this.ctx.documents.sessionKeys.set(
            doc.id,
            this.clientId,
            msg.oldVersion,
            entry,
            budget,
          );
    if (result === 'full') {
      return this.keyRefused(
        'MaxDocumentKeyBytes',
        "the document's key budget (MaxKeysPerDocument, MaxDocumentKeyBytes)",
        bytes,
      );
    }
    if (result === 'ok' || result === 'missing') return result;
    return 'refused';
  }

  /** A key over a budget: refused as any SET_KEY is (0x83 with 0), and logged with the address. */
  private keyRefused(limit: string, what: string, bytes: number): 'refused' {
    this.ctx.limitHits?.hit(limit);
    this.log.warn({ limit, bytes }, `key refused: over ${what}`);
    return 'refused';
  }

  private leave(doc: LiveDocument): void {
    void doc.run(async () => {
      doc.members.delete(this.clientId);
      try {
        const cleared = await this.ctx.documents.sessionKeys.release(doc.id, this.clientId);
        if (cleared.length > 0) doc.publish({ kind: 'keys', origin: this.clientId, keys: cleared });
      } catch (err) {
        // On a shared store, the dead-hub sweep clears them later.
        this.log.error({ err: (err as Error).message }, 'client keys not released');
      } finally {
        this.ctx.documents.release(doc);
      }
    });
  }

  // ---- Output ------------------------------------------------------------------

  /** Key updates are merged per name until the next message or the end of this tick. */
  private queueKeys(keys: readonly KeyEntry[]): void {
    for (const k of keys) {
      const id = keyId(k.name);
      const pending = this.pendingKeys.get(id);
      if (!pending || k.version >= pending.version) this.pendingKeys.set(id, k);
    }
    if (!this.keyFlushQueued) {
      this.keyFlushQueued = true;
      queueMicrotask(() => this.flushKeys());
    }
  }

  private flushKeys(): void {
    this.keyFlushQueued = false;
    if (this.pendingKeys.size === 0) return;
    const keys = [...this.pendingKeys.values()];
    this.pendingKeys.clear();
    this.sendChunks(encodeMessage({ type: 'key-information', keys }), {});
  }

  /**
   * Sends one protocol message, after any key updates queued before it, so order is kept
   * (docs/protocols/zwibbler.md#key-updates-keep-their-place-in-the-stream).
   */
  private sendMessage(message: Buffer, uncapped = false): void {
    this.flushKeys();
    this.sendChunks(message, { uncapped });
  }

  /** A document's change as every member gets it: the same bytes, framed once for all. */
  private sendFanOut(message: Buffer): void {
    this.flushKeys();
    this.sendChunks(message, FAN_OUT);
  }

  private sendChunks(message: Buffer, options: SendOptions): void {
    this.socket.send(splitIntoChunks(message, this.maxChunk), options);
  }

  private documentGone(): void {
    // The reference keeps such clients connected; they can do nothing useful
    // (docs/protocols/zwibbler.md#clients-of-a-deleted-document-are-closed).
    this.fail(ErrorCode.DoesNotExist, CloseCode.NotFound, 'document does not exist');
  }

  private refuse({ errorCode, close, reason }: Refusal): void {
    if (errorCode === undefined) this.close(close, reason);
    else this.fail(errorCode, close, reason);
  }

  /** Sends an ERROR message, then closes with a matching close frame. */
  private fail(errorCode: number, closeCode: number, reason: string): void {
    if (this.state === 'closed') return;
    const text = errorCode === ErrorCode.Unspecified ? reason : undefined;
    this.sendMessage(encodeError(errorCode, text));
    this.close(closeCode, reason);
  }

  private rejectMalformed(err: unknown): void {
    if (!(err instanceof ZwibblerCodecError)) {
      this.log.error({ err: (err as Error).message }, 'decoder failed');
      return this.close(CloseCode.InternalError, 'internal error');
    }
    this.log.info({ reason: err.message }, 'malformed message, closing');
    const code =
      err instanceof MessageTooBigError ? CloseCode.MessageTooBig : CloseCode.ProtocolError;
    this.close(code, err.message);
  }

  private close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    clearTimeout(this.initTimer);
    this.socket.close(code, reason);
  }
}

const ADMIN_PREFIX = Buffer.from('admin:');

function startsWithAdmin(name: Uint8Array): boolean {
  return (
    name.length >= ADMIN_PREFIX.length && ADMIN_PREFIX.equals(name.subarray(0, ADMIN_PREFIX.length))
  );
}
