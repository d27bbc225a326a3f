// The bus between hubs that share a PostgreSQL database, on its own
// LISTEN/NOTIFY (docs/architecture.md#several-hubs-on-one-postgresql). A
// publish reaches this hub's subscribers at once, in process, and goes to
// PostgreSQL as a notification on the topic's channel; every hub LISTENs on
// the channels of the topics it subscribes to and ignores its own echoes.
//
// - Two connections of the bus's own, outside the pool: one LISTENs (a
//   session that must last), one publishes, so that one hub's messages are
//   committed, and so delivered, in the order it published them.
// - A notification's payload must stay under 8000 bytes: a bigger message is
//   stored in bus_payloads and the notification carries its row's ID, in the
//   same statement, so the row is committed before any hub hears of it. Rows
//   older than PAYLOAD_KEEP are deleted; a hub that finds one gone catches up.
// - A lost LISTEN connection is opened again, LISTENs again and announces a
//   gap (what was notified meanwhile is lost), so sessions catch up from the
//   store or the other hubs; it tells the others too (GAP_CHANNEL), since
//   what they asked this hub meanwhile went unheard. So does a publish that
//   failed, once this hub can publish again.
import { createHash, randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Client, Notification } from 'pg';
import type { Logger } from '../log/logger';
import type { PostgresDb } from '../store/postgres/postgres-connection';
import type { Bus, BusHandler } from './bus';
import { TopicHandlers } from './topics';

/** Where a hub that could not publish says that the others may have missed something. */
const GAP_CHANNEL = 'lb_gap';
/** NOTIFY refuses a payload of 8000 bytes or more; ours are ASCII. */
const MAX_PAYLOAD_CHARS = 7999;
/** How long a stored big message is kept for the hubs that have yet to read it. */
const PAYLOAD_KEEP = "interval '10 minutes'";
const PRUNE_EVERY_MS = 60_000;
/** How often the LISTEN connection is checked: a dead one would lose messages unseen. */
const PING_EVERY_MS = 5000;
/** Waits between attempts to open the LISTEN connection again. */
const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000];
/** Messages waiting for the publishing connection, at most; past that, the oldest go. */
const MAX_OUTBOX_BYTES = 32 * 1024 * 1024;
/** How long close() waits for the messages still being published. */
const CLOSE_FLUSH_MS = 1000;
/** Notifications waiting for their stored payload, at most; past that, a gap. */
const MAX_INBOX = 10_000;

/** A topic's channel: an identifier PostgreSQL accepts (63 bytes at most), whatever the topic. */
export const channelOf = (topic: string): string =>
  `lb_${createHash('sha256').update(topic).digest('hex').slice(0, 40)}`;

/** The bus's connections as pg_stat_activity names them: which hub, and what for. */
export const busConnectionName = (role: 'listen' | 'publish', hubId: string): string =>
  `lanboard-${role}-${hubId}`;

/** What a notification carries, encoded with v8's structured clone so Uint8Arrays cross unchanged. */
interface Body {
  topic: string;
  message: unknown;
}

/** A payload is `<hub> <seq> i <base64 body>` or `<hub> <seq> r <bus_payloads ID>`. */
type Kind = 'i' | 'r';

interface Outgoing {
  channel: string;
  body: Buffer;
}

interface Incoming {
  channel: string;
  kind: Kind;
  data: string;
}

/** A topic subscribed to, and whether the LISTEN connection of now listens on it. */
interface Listening {
  on: Client | undefined;
  ready: Promise<void>;
  resolve: () => void;
}

const pending = (): Pick<Listening, 'ready' | 'resolve'> => {
  let resolve!: () => void;
  const ready = new Promise<void>((r) => (resolve = r));
  return { ready, resolve };
};

export class PostgresBus implements Bus {
  readonly hubId = randomUUID();
  readonly crossesHubs = true;
  private readonly handlers = new TopicHandlers();
  private readonly gapListeners = new Set<() => void>();
  private readonly topics = new Map<string, Listening>();
  private listener: Client | undefined;
  private everListened = false;
  private publisher: Promise<Client> | undefined;
  private outbox: Outgoing[] = [];
  private outboxBytes = 0;
  private sending: Promise<void> | undefined;
  /** A publish failed: the other hubs are told to catch up once publishing works. */
  private peersMissed = false;
  private readonly inbox: Incoming[] = [];
  private draining = false;
  private sequence = 0;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly db: PostgresDb,
    private readonly log: Logger,
  ) {}

  /** A bus whose LISTEN connection is open (or being opened again). */
  static async open(db: PostgresDb, log: Logger): Promise<PostgresBus> {
    const bus = new PostgresBus(db, log);
    await bus.listen();
    bus.every(PRUNE_EVERY_MS, () => bus.prune());
    bus.every(PING_EVERY_MS, () => bus.ping());
    return bus;
  }

  publish<T>(topic: string, message: T): void {
    this.handlers.deliver(topic, message);
    if (this.closed) return;
    const body = serialize({ topic, message } satisfies Body);
    this.outbox.push({ channel: channelOf(topic), body });
    this.outboxBytes += body.length;
    while (this.outboxBytes > MAX_OUTBOX_BYTES) {
      this.outboxBytes -= this.outbox.shift()!.body.length;
      this.peersMissed = true;
    }
    this.sending ??= this.send().finally(() => (this.sending = undefined));
  }

  subscribe<T>(topic: string, handler: BusHandler<T>): () => void {
    const { first, remove } = this.handlers.add(topic, handler as BusHandler<unknown>);
    if (first) {
      this.topics.set(topic, { on: undefined, ...pending() });
      this.listenOn(topic);
    }
    return () => {
      if (!remove() || this.closed) return;
      const listening = this.topics.get(topic);
      this.topics.delete(topic);
      const client = listening?.on;
      if (client && client === this.listener) {
        client.query(`UNLISTEN "${channelOf(topic)}"`).catch(this.failed(topic));
      }
    };
  }

  subscribed(topic: string): Promise<void> {
    return this.topics.get(topic)?.ready ?? Promise.resolve();
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // What this hub said last (a leave, say) still goes out, unless PostgreSQL is down.
    if (this.sending) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((r) => (timer = setTimeout(r, CLOSE_FLUSH_MS)));
      await Promise.race([this.sending, late]); // send() never rejects
      clearTimeout(timer);
    }
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.handlers.clear();
    this.gapListeners.clear();
    const listener = this.listener;
    this.listener = undefined;
    const publisher = this.publisher;
    this.publisher = undefined;
    await Promise.all([listener && end(listener), publisher?.then(end, () => undefined)]);
  }

  // --- listening ---

  /** Opens the LISTEN connection, trying again until it works or the bus closes. */
  private async listen(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const client = await this.db.dedicated(busConnectionName('listen', this.hubId));
        const lost = (err?: Error) => this.lostListener(client, err);
        client.on('error', lost);
        client.on('end', () => lost());
        client.on('notification', (n) => this.received(n));
        await client.query(`LISTEN ${GAP_CHANNEL}`);
        if (this.closed) return void (await end(client));
        this.listener = client;
        for (const topic of this.topics.keys()) this.listenOn(topic);
        if (this.everListened) this.restored(client);
        this.everListened = true;
        return;
      } catch (err) {
        const wait = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]!;
        this.log.warn(
          { err: (err as Error).message, retryMs: wait },
          'cannot LISTEN for the other hubs on PostgreSQL',
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * The catch-up after a lost link starts only once the topics' LISTENs on the
   * new connection are in force (a connection runs its queries in order): the
   * answers it asks for must not come before this hub hears its topics again.
   */
  private restored(client: Client): void {
    client.query('SELECT 1').then(
      () => {
        if (client !== this.listener || this.closed) return;
        this.announceGap('link to the other hubs restored');
        // What the others asked this hub meanwhile (a Yjs catch-up) went unheard: they ask again.
        this.peersMissed = true;
        this.sending ??= this.send().finally(() => (this.sending = undefined));
      },
      () => undefined, // the connection is lost again: the next one catches up
    );
  }

  private lostListener(client: Client, err?: Error): void {
    if (client !== this.listener || this.closed) return;
    this.listener = undefined;
    this.log.warn(
      { err: err?.message },
      'lost the PostgreSQL connection that hears the other hubs: opening it again',
    );
    void end(client);
    // Subscribed again on the next connection: until then, a question could miss its answers.
    for (const [topic, listening] of this.topics) {
      this.topics.set(topic, { on: undefined, ...pending() });
      listening.resolve(); // whoever waited on the old connection's LISTEN goes on
    }
    void this.listen();
  }

  /** LISTENs on the topic's channel, unless the connection of now already does. */
  private listenOn(topic: string): void {
    const listening = this.topics.get(topic);
    const client = this.listener;
    if (!listening || !client || listening.on === client) return;
    listening.on = client;
    client.query(`LISTEN "${channelOf(topic)}"`).then(
      () => listening.resolve(),
      (err: Error) => {
        if (listening.on === client) listening.on = undefined;
        this.failed(topic)(err);
      },
    );
  }

  private received(n: Notification): void {
    const payload = n.payload ?? '';
    if (n.channel === GAP_CHANNEL) {
      if (payload !== this.hubId) this.announceGap('another hub could not publish');
      return;
    }
    const [hub, , kind, data] = payload.split(' ');
    if (hub === this.hubId || (kind !== 'i' && kind !== 'r') || data === undefined) return;
    // In order: a message behind a stored one waits for it.
    if (kind === 'i' && !this.draining) return this.deliver(n.channel, Buffer.from(data, 'base64'));
    if (this.inbox.length >= MAX_INBOX) {
      this.inbox.length = 0;
      this.announceGap('too many messages from other hubs waiting');
      return;
    }
    this.inbox.push({ channel: n.channel, kind, data });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.inbox.length > 0 && !this.closed) {
        const next = this.inbox[0]!;
        const body =
          next.kind === 'i' ? Buffer.from(next.data, 'base64') : await this.stored(next.data);
        this.inbox.shift();
        if (body) this.deliver(next.channel, body);
      }
    } finally {
      this.draining = false;
    }
  }

  /** A big message's body, or null (then this hub catches up from the store). */
  private async stored(id: string): Promise<Buffer | null> {
    try {
      const row = await this.db.row<{ body: Buffer }>(
        'SELECT body FROM bus_payloads WHERE id = $1',
        [id],
      );
      if (row) return row.body;
      this.announceGap('a big message from another hub was already deleted');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot read a big message from another hub');
      this.announceGap('a big message from another hub could not be read');
    }
    return null;
  }

  private deliver(channel: string, bytes: Buffer): void {
    let body: Body;
    try {
      body = deserialize(bytes) as Body;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, channel }, 'undecodable bus message');
      return;
    }
    // A channel is a hash of its topic: check that it is ours.
    if (typeof body?.topic !== 'string' || channelOf(body.topic) !== channel) return;
    this.handlers.deliver(body.topic, body.message);
  }

  private announceGap(why: string): void {
    this.log.warn(
      { why },
      'this hub may have missed messages from the others: catching up from the store',
    );
    for (const listener of [...this.gapListeners]) listener();
  }

  // --- publishing ---

  private async send(): Promise<void> {
    while ((this.outbox.length > 0 || this.peersMissed) && !this.closed) {
      const batch = this.outbox;
      this.outbox = [];
      this.outboxBytes = 0;
      try {
        const client = await this.publishing();
        if (this.peersMissed) {
          await client.query('SELECT pg_notify($1, $2)', [GAP_CHANNEL, this.hubId]);
          this.peersMissed = false;
        }
        await this.notify(client, batch);
      } catch (err) {
        this.peersMissed = true;
        this.publisher = undefined;
        this.log.error(
          { err: (err as Error).message, messages: batch.length },
          'publishing to other hubs failed: they catch up from the store once this hub can publish again',
        );
        return; // tried again at the next publish, not in a loop against a server that is down
      }
    }
  }

  /** Sends a batch in order: runs of small messages in one statement, a big one in its own. */
  private async notify(client: Client, batch: Outgoing[]): Promise<void> {
    let channels: string[] = [];
    let payloads: string[] = [];
    const flush = async () => {
      if (channels.length === 0) return;
      // unnest yields the arrays in order, and one session's notifications arrive in order.
      await client.query('SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS n(c, p)', [
        channels,
        payloads,
      ]);
      channels = [];
      payloads = [];
    };
    for (const { channel, body } of batch) {
      // The sequence number keeps two equal messages apart: PostgreSQL folds
      // identical notifications within one transaction.
      const head = `${this.hubId} ${++this.sequence}`;
      const inline = `${head} i ${body.toString('base64')}`;
      if (inline.length <= MAX_PAYLOAD_CHARS) {
        channels.push(channel);
        payloads.push(inline);
        continue;
      }
      await flush();
      await client.query(
        `WITH stored AS (INSERT INTO bus_payloads (body) VALUES ($1) RETURNING id)
         SELECT pg_notify($2, $3 || id) FROM stored`,
        [body, channel, `${head} r `],
      );
    }
    await flush();
  }

  private publishing(): Promise<Client> {
    if (this.publisher) return this.publisher;
    const opened = this.db.dedicated(busConnectionName('publish', this.hubId)).then((client) => {
      const lost = (err?: Error) => {
        if (this.publisher !== opened) return;
        this.publisher = undefined;
        this.log.warn({ err: err?.message }, 'lost the PostgreSQL connection that publishes');
        void end(client);
      };
      client.on('error', lost);
      client.on('end', () => lost());
      return client;
    });
    this.publisher = opened;
    opened.catch(() => {
      if (this.publisher === opened) this.publisher = undefined;
    });
    return opened;
  }

  // --- upkeep ---

  private every(ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => void work(), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async prune(): Promise<void> {
    await this.db
      .query(`DELETE FROM bus_payloads WHERE sent_at < now() - ${PAYLOAD_KEEP}`)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'pruning bus_payloads failed'));
  }

  /** A LISTEN connection that no longer answers is treated as lost. */
  private async ping(): Promise<void> {
    const client = this.listener;
    if (!client) return;
    try {
      await client.query('SELECT 1');
    } catch (err) {
      this.lostListener(client, err as Error);
    }
  }

  private failed(topic: string) {
    return (err: Error) =>
      this.log.error({ err: err.message, topic }, 'PostgreSQL LISTEN change failed');
  }
}

/** Ends a connection, whatever state it is in. */
async function end(client: Client): Promise<void> {
  client.on('error', () => undefined);
  await client.end().catch(() => undefined);
}
