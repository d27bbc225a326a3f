// Puts the Zwibbler protocol on the hub: the WebSocket endpoint, and on the same
// path the status text, `?ping` and the management API; behind them the live
// documents, the client keys (in memory, or in the Redis or PostgreSQL hubs share), the
// idle-session webhook and the expiration sweep of documents and tokens.
import { configuredJwtVerifier } from '../../auth/jwt';
import { LoginThrottle } from '../../auth/login-throttle';
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import { startExpirySweeper } from '../../store/expiry-sweeper';
import { PostgresDb } from '../../store/postgres/postgres-connection';
import type { ExpirySweeper } from '../../store/expiry-sweeper';
import type { HttpTransport } from '../../transport/http-server';
import { zwibblerEndpoint, zwibblerHttpRoute } from './endpoint';
import { identityResolver } from './identity';
import { keyReaper } from './key-reaper';
import type { HubKeys } from './key-reaper';
import { LiveCopyBudget } from './live-copy';
import { deleteDocument, LiveDocuments } from './live-document';
import { ManagementApi } from './management/api';
import { startIdleWebhook } from './management/webhook';
import { PostgresSessionKeys } from './postgres-session-keys';
import { RedisSessionKeys } from './redis-session-keys';
import { LocalSessionKeys } from './session-keys';
import type { SessionKeys } from './session-keys';

export interface MountedZwibbler extends MountedProtocol {
  /** Documents with connected clients. */
  readonly documents: LiveDocuments;
  /** Deletes a document; a live one's clients get ERROR 1 and are closed first. */
  deleteDocument(id: string): Promise<boolean>;
}

/** How long stop() waits for the closing sockets' leaves to clear the live documents. */
const DRAIN_MS = 2000;

export function mountZwibbler(transport: HttpTransport, context: ProtocolContext): MountedZwibbler {
  const { config, store, registry, bus, now } = context;
  const log = context.log.child({ protocol: 'zwibbler' });
  const shared = sharedSessionKeys(context);
  if (shared) context.onDeadHub?.(keyReaper(shared, bus));
  // Hubs on one MariaDB share the store but not the bus
  // (docs/architecture.md#several-hubs-on-one-mariadb): a live copy would never
  // hear another hub's appends and would serve joins stale bytes, so none is kept.
  const copyBytes = config.Database === 'mariadb' ? 0 : config.MaxLiveDocumentBytes;
  const documents = new LiveDocuments(bus, store, shared ?? new LocalSessionKeys(), {
    budget: new LiveCopyBudget(copyBytes),
    maxDocumentBytes: config.MaxDocumentBytes,
  });
  const management = new ManagementApi({
    store,
    documents,
    registry,
    credentials:
      config.SecretUser && config.SecretPassword
        ? { user: config.SecretUser, password: config.SecretPassword }
        : undefined,
    throttle: new LoginThrottle(config.LoginFailureLimit, config.LoginLockoutSeconds * 1000, now),
    // A document up to its limit, plus room for the form's other fields.
    maxBodyBytes: config.MaxDocumentBytes + 64 * 1024,
    maxDocumentBytes: config.MaxDocumentBytes,
    log: context.log.child({ component: 'management' }),
  });
  transport.addRoute(
    zwibblerHttpRoute(config.ZwibblerPath, {
      store,
      management,
      log: context.log,
      faults: context.faults,
    }),
  );
  transport.addEndpoint(
    zwibblerEndpoint(config.ZwibblerPath, {
      store,
      documents,
      registry,
      resolveIdentity: identityResolver({
        store,
        jwt: configuredJwtVerifier(config, now),
        now,
        credentials: context.credentials,
      }),
      limits: {
        maxMessageBytes: config.MaxMessageBytes,
        maxDocumentBytes: config.MaxDocumentBytes,
        maxKeysPerDocument: config.MaxKeysPerDocument,
        maxKeyBytes: config.MaxKeyBytes,
        maxDocumentKeyBytes: config.MaxDocumentKeyBytes,
        initTimeoutMs: config.InitTimeoutSeconds * 1000,
      },
      log,
      limitHits: context.limitHits,
    }),
  );

  let stopWebhook: (() => Promise<void>) | undefined;
  let sweeper: ExpirySweeper | undefined;
  return {
    documents,
    deleteDocument: (id) => deleteDocument(documents, store, id),
    start() {
      if (config.Webhook) stopWebhook = startIdleWebhook(config, registry, context.log);
      const live = {
        has: (id: string) => documents.get(id) !== undefined,
        ids: () => documents.ids(),
      };
      sweeper = startExpirySweeper(config, store, live, context.log, now);
    },
    async stop() {
      await stopWebhook?.();
      await sweeper?.stop();
    },
    async closed() {
      // Each closing socket leaves its document; the last one out disposes of it.
      const deadline = Date.now() + DRAIN_MS;
      while (documents.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      documents.dispose();
    },
  };
}

/** Client keys in the database other hubs share, or undefined for one hub's own (in memory). */
function sharedSessionKeys(context: ProtocolContext): (SessionKeys & HubKeys) | undefined {
  if (context.redis) return new RedisSessionKeys(context.redis, context.bus.hubId);
  if (context.database instanceof PostgresDb) {
    return new PostgresSessionKeys(context.database, context.bus.hubId);
  }
  return undefined;
}
