// The Zwibbler "idle-session" webhook (docs/protocols/zwibbler.md#idle-session-webhook),
// without the reference's weaknesses: every call has a timeout and is retried
// with exponential backoff after a network error, a timeout or a 5xx; nothing
// waits on the receiver, the pending events are bounded, and stop() cancels
// everything
// (docs/protocols/zwibbler.md#the-webhook-has-a-timeout-retries-and-a-bounded-queue).
// Calls can be signed with an HMAC instead of carrying the management credentials
// (docs/protocols/zwibbler.md#the-webhook-can-be-signed-instead-of-carrying-credentials).
import type { HubConfig } from '../../../config/schema';
import { hubVersion } from '../../../config/version';
import type { RoomInfo, SessionRegistry } from '../../../hub/registry';
import type { Logger } from '../../../log/logger';
import { postOnce, SIGNATURE_HEADER, signBody } from '../../../transport/outbound-post';
import type { PostOutcome } from '../../../transport/outbound-post';

export interface IdleWebhookOptions {
  /** An http:// or https:// URL. */
  url: string;
  /** How long a document must stay without clients before the event is sent. */
  delayMs: number;
  /** Retries after the first attempt fails with a network error, a timeout or a 5xx. */
  retries: number;
  /** Sent as `Authorization: Basic …` when given. */
  credentials?: { user: string; password: string };
  /** When given, every call carries `X-Lanboard-Signature: sha256=<hex HMAC of the body>`. */
  secret?: string;
  log: Logger;
  /** Per-call limit for the whole exchange; 10 s by default. */
  timeoutMs?: number;
  /** First retry delay, doubled for each further retry; 1 s by default. */
  backoffBaseMs?: number;
  /** Cap on one retry delay; 60 s by default. */
  backoffMaxMs?: number;
  /** Events waiting (for their delay, their turn or a retry) kept at most; 10,000 by default. */
  maxPending?: number;
  /** Calls in flight at once; 4 by default. */
  maxConcurrent?: number;
  /** `lanboard/<version>` by default. */
  userAgent?: string;
}

export const WEBHOOK_DEFAULTS = {
  timeoutMs: 10_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  maxPending: 10_000,
  maxConcurrent: 4,
} as const;

/** The exact body of an idle-session call: keys sorted, as the reference sends it. */
export function idleSessionBody(documentId: string): string {
  return new URLSearchParams([
    ['documentID', documentId],
    ['event', 'idle-session'],
  ]).toString();
}

type State = 'delay' | 'ready' | 'sending' | 'backoff';

interface PendingEvent {
  seq: number;
  documentId: string;
  state: State;
  /** Attempts made so far. */
  attempts: number;
  timer?: NodeJS.Timeout;
}

export class IdleWebhook {
  private readonly url: URL;
  private readonly delayMs: number;
  private readonly retries: number;
  private readonly authorization: string | undefined;
  private readonly secret: string | undefined;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxPending: number;
  private readonly maxConcurrent: number;
  private readonly userAgent: string;

  /** Every undelivered event, oldest first (Map keeps insertion order). */
  private readonly events = new Map<number, PendingEvent>();
  /** Events still in their idle delay, by document: a rejoin cancels them. */
  private readonly delayed = new Map<string, PendingEvent>();
  /** Events due, in the order they became due. */
  private readonly ready = new Set<PendingEvent>();
  /** Events not in flight; this is what maxPending bounds. */
  private waiting = 0;
  private sending = 0;
  private readonly calls = new Set<AbortController>();
  private readonly tasks = new Set<Promise<void>>();
  private seq = 0;
  private stopped = false;

  constructor(options: IdleWebhookOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the webhook URL must be http:// or https://');
    }
    this.url = url;
    this.delayMs = Math.max(0, options.delayMs);
    this.retries = Math.max(0, Math.floor(options.retries));
    this.authorization = options.credentials
      ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
      : undefined;
    this.secret = options.secret || undefined;
    this.log = options.log;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
    this.backoffBaseMs = options.backoffBaseMs ?? WEBHOOK_DEFAULTS.backoffBaseMs;
    this.backoffMaxMs = options.backoffMaxMs ?? WEBHOOK_DEFAULTS.backoffMaxMs;
    this.maxPending = Math.max(1, options.maxPending ?? WEBHOOK_DEFAULTS.maxPending);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? WEBHOOK_DEFAULTS.maxConcurrent);
    this.userAgent = options.userAgent ?? `lanboard/${hubVersion()}`;
  }

  /** Undelivered events, in flight or not. */
  get pending(): number {
    return this.events.size;
  }

  /** The last client left `documentId`: queue an event due after the delay. */
  documentIdle(documentId: string): void {
    if (this.stopped) return;
    const previous = this.delayed.get(documentId);
    if (previous) this.discard(previous);
    const event: PendingEvent = { seq: ++this.seq, documentId, state: 'delay', attempts: 0 };
    event.timer = setTimeout(() => {
      this.delayed.delete(documentId);
      this.makeReady(event);
    }, this.delayMs);
    this.events.set(event.seq, event);
    this.delayed.set(documentId, event);
    this.waiting++;
    this.trim();
  }

  /** A client joined `documentId`: an event still in its delay is cancelled. */
  documentActive(documentId: string): void {
    const event = this.delayed.get(documentId);
    if (!event) return;
    this.discard(event);
    this.log.debug({ documentID: documentId }, 'idle-session cancelled: a client joined');
  }

  /** Cancels every timer and aborts calls in flight; undelivered events are lost. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      const discarded = this.events.size;
      for (const event of this.events.values()) clearTimeout(event.timer);
      this.events.clear();
      this.delayed.clear();
      this.ready.clear();
      this.waiting = 0;
      for (const call of this.calls) call.abort();
      if (discarded > 0) {
        this.log.info({ discarded }, 'webhook stopped; undelivered idle-session events dropped');
      }
    }
    await Promise.allSettled([...this.tasks]);
  }

  private makeReady(event: PendingEvent): void {
    event.timer = undefined;
    event.state = 'ready';
    this.ready.add(event);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.sending < this.maxConcurrent) {
      const next = this.ready.values().next();
      if (next.done) return;
      const event = next.value;
      this.ready.delete(event);
      event.state = 'sending';
      this.waiting--;
      this.sending++;
      const task: Promise<void> = this.attempt(event).finally(() => {
        this.sending--;
        this.tasks.delete(task);
        this.pump();
      });
      this.tasks.add(task);
    }
  }

  private async attempt(event: PendingEvent): Promise<void> {
    event.attempts++;
    const started = Date.now();
    const outcome = await this.post(event.documentId);
    if (this.stopped) return;
    const fields = {
      documentID: event.documentId,
      attempt: event.attempts,
      ms: Date.now() - started,
      ...outcome,
    };
    if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
      this.events.delete(event.seq);
      this.log.info(fields, 'idle-session webhook delivered');
      return;
    }
    if ('status' in outcome && outcome.status < 500) {
      this.events.delete(event.seq);
      this.log.warn(fields, 'idle-session webhook refused; not retried');
      return;
    }
    if (event.attempts > this.retries) {
      this.events.delete(event.seq);
      this.log.warn(fields, 'idle-session webhook failed; giving up');
      return;
    }
    const delay = Math.min(this.backoffBaseMs * 2 ** (event.attempts - 1), this.backoffMaxMs);
    this.log.warn({ ...fields, retryInMs: delay }, 'idle-session webhook failed; will retry');
    event.state = 'backoff';
    event.timer = setTimeout(() => this.makeReady(event), delay);
    this.waiting++;
    this.trim();
  }

  /** Drops the oldest waiting events while more than maxPending wait. */
  private trim(): void {
    while (this.waiting > this.maxPending) {
      let oldest: PendingEvent | undefined;
      for (const event of this.events.values()) {
        if (event.state !== 'sending') {
          oldest = event;
          break;
        }
      }
      if (!oldest) return;
      this.discard(oldest);
      this.log.warn(
        { documentID: oldest.documentId, maxPending: this.maxPending },
        'webhook queue full; dropped the oldest idle-session event',
      );
    }
  }

  /** Forgets an event that is not in flight. */
  private discard(event: PendingEvent): void {
    clearTimeout(event.timer);
    event.timer = undefined;
    this.events.delete(event.seq);
    this.ready.delete(event);
    if (this.delayed.get(event.documentId) === event) this.delayed.delete(event.documentId);
    if (event.state !== 'sending') this.waiting--;
  }

  /** One call; never rejects. */
  private async post(documentId: string): Promise<PostOutcome> {
    const body = Buffer.from(idleSessionBody(documentId), 'utf8');
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': this.userAgent,
    };
    if (this.authorization) headers['Authorization'] = this.authorization;
    if (this.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(this.secret, body);
    const controller = new AbortController();
    this.calls.add(controller);
    try {
      return await postOnce(this.url, body, {
        headers,
        timeoutMs: this.timeoutMs,
        signal: controller.signal,
      });
    } finally {
      this.calls.delete(controller);
    }
  }
}

/**
 * Sends `documentIdle` when a Zwibbler document's last client leaves and
 * `documentActive` when one joins; other protocols are ignored. Returns the
 * function that detaches it.
 */
export function attachIdleWebhook(
  registry: SessionRegistry,
  webhook: Pick<IdleWebhook, 'documentIdle' | 'documentActive'>,
): () => void {
  const opened = (room: RoomInfo): void => {
    if (room.protocol === 'zwibbler') webhook.documentActive(room.name);
  };
  const closed = (room: RoomInfo): void => {
    if (room.protocol === 'zwibbler') webhook.documentIdle(room.name);
  };
  registry.on('room-opened', opened);
  registry.on('room-closed', closed);
  return () => {
    registry.off('room-opened', opened);
    registry.off('room-closed', closed);
  };
}

export type WebhookConfig = Pick<
  HubConfig,
  | 'Webhook'
  | 'WebhookSendCredentials'
  | 'WebhookSecret'
  | 'WebhookDelaySeconds'
  | 'WebhookRetries'
  | 'SecretUser'
  | 'SecretPassword'
>;

/** Builds the webhook from the config and attaches it; returns the function that stops it. */
export function startIdleWebhook(
  config: WebhookConfig,
  registry: SessionRegistry,
  log: Logger,
): () => Promise<void> {
  const sendCredentials = Boolean(
    config.WebhookSendCredentials && config.SecretUser && config.SecretPassword,
  );
  const webhookLog = log.child({ component: 'webhook' });
  const webhook = new IdleWebhook({
    url: config.Webhook,
    delayMs: config.WebhookDelaySeconds * 1000,
    retries: config.WebhookRetries,
    credentials: sendCredentials
      ? { user: config.SecretUser, password: config.SecretPassword }
      : undefined,
    secret: config.WebhookSecret || undefined,
    log: webhookLog,
  });
  const target = new URL(config.Webhook);
  webhookLog.info(
    {
      target: `${target.protocol}//${target.host}${target.pathname}`,
      delaySeconds: config.WebhookDelaySeconds,
      retries: config.WebhookRetries,
      sendsCredentials: sendCredentials,
      signed: Boolean(config.WebhookSecret),
    },
    'idle-session webhook on',
  );
  if (sendCredentials && target.protocol === 'http:') {
    webhookLog.warn(
      'the webhook sends the management credentials over plain http; set WebhookSendCredentials=0 and use WebhookSecret',
    );
  }
  const detach = attachIdleWebhook(registry, webhook);
  return async () => {
    detach();
    await webhook.stop();
  };
}
