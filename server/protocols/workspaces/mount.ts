// Puts the workspaces signaling server on the hub
// (docs/protocols/workspaces.md#transport): a Socket.IO v4 server that also
// speaks Engine.IO 3 (`allowEIO3`), so the original Socket.IO v2 client
// connects unchanged. It is not attached to the HTTP server (that would
// take over every upgrade): the transport hands it the HTTP requests and the
// raw upgrades under WorkspacesPath, after the hub's own origin check.
// Socket.IO is loaded at the first request there, not at start
// (docs/architecture.md#startup-loads-what-is-used).
import type { Server as EngineServer } from 'engine.io';
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import { LoginThrottle } from '../../auth/login-throttle';
import { startPeriodicPurge } from '../../store/periodic-purge';
import { reportingFaults } from '../../hub/faulty-writes';
import { openWorkspaceStore } from '../../store/open-store';
import { RedisAddressBudget } from '../../store/redis-address-budget';
import type { WorkspaceStore } from '../../store/workspace-store';
import type { HttpTransport } from '../../transport/http-server';
import { originPolicy } from '../../transport/origins';
import { AddressLimiter } from '../../transport/rate-limit';
import { RefusalLog } from '../../transport/refusals';
import { mountedAt } from '../../transport/routes';
import { WorkspacesLink } from './hub-link';
import { WorkspacesServer } from './server';

/** The original server's Engine.IO timings: the EIO3 client pings every 25 s. */
const PING_INTERVAL_MS = 25_000;
const PING_TIMEOUT_MS = 12_000;

export function mountWorkspaces(
  transport: HttpTransport,
  context: ProtocolContext,
  /** In place of the one chosen from config (tests make one fail for real). */
  workspaceStore?: WorkspaceStore,
): MountedProtocol {
  const { config, registry, now } = context;
  const log = context.log.child({ protocol: 'workspaces' });
  const store = reportingFaults(
    workspaceStore ?? openWorkspaceStore(config, now, context.database),
    context.faults,
    {
      what: 'workspaces',
      adding: ['create', 'putMember', 'setCall'],
    },
  );
  // Made now, not with Socket.IO: a hub must know who is present elsewhere
  // before its first client asks (docs/protocols/workspaces.md#several-hubs).
  const link = context.bus.crossesHubs ? new WorkspacesLink(context.bus) : undefined;
  const origins = originPolicy(config.AllowedOrigins);
  const creationBudget = () => {
    const budget = {
      burst: config.WorkspacesPerHour,
      perSecond: config.WorkspacesPerHour / 3600,
      now,
    };
    return context.redis
      ? new RedisAddressBudget(context.redis, { name: 'workspaces', ...budget })
      : new AddressLimiter(budget);
  };
  const base = config.WorkspacesPath.replace(/\/+$/, '');

  /** Engine.IO, Socket.IO and the server, made at the first request under the path. */
  let loaded: Promise<{ engine: EngineServer; server: WorkspacesServer }> | undefined;
  let server: WorkspacesServer | undefined;
  let engine: EngineServer | undefined;
  const load = () =>
    (loaded ??= (async () => {
      const [{ Server: Engine }, { Server }] = await Promise.all([
        import('engine.io'),
        import('socket.io'),
      ]);
      engine = new Engine({
        pingInterval: PING_INTERVAL_MS,
        pingTimeout: PING_TIMEOUT_MS,
        allowEIO3: true,
        maxHttpBufferSize: config.SignalMaxMessageBytes,
        // The original's page is served from its own origin, and its Socket.IO 2
        // client polls with credentials: like the original, any origin is answered
        // with itself while AllowedOrigins is empty (the hub sets AllowedOrigins'
        // own CORS headers otherwise). Safe here: nothing on this path reads cookies.
        cors: config.AllowedOrigins.trim() === '' ? { origin: true, credentials: true } : undefined,
        // Polling is not a WebSocket, but AllowedOrigins applies to it the same way.
        allowRequest: (req, callback) => callback(null, origins.allowsSocket(req.headers.origin)),
      });
      const io = new Server({ path: base || '/', serveClient: false });
      io.bind(engine);
      server = new WorkspacesServer({
        io,
        store,
        registry,
        log,
        now,
        capacity: config.WorkspaceCapacity,
        iceServers: config.IceServers,
        messagesPerSecond: config.SignalMessagesPerSecond,
        pinThrottle: new LoginThrottle(
          config.LoginFailureLimit,
          config.LoginLockoutSeconds * 1000,
          now,
        ),
        creations: creationBudget(),
        refusals: new RefusalLog(log, now),
        link,
      });
      const accepting = server;
      io.on('connection', (socket) => accepting.accept(socket));
      return { engine, server };
    })());
  const failed = (err: Error) => log.error({ err: err.message }, 'Socket.IO could not be loaded');

  const path = mountedAt(`${base}/`);
  transport.addRoute({
    name: 'workspaces',
    path,
    handle: (req, res) =>
      void load().then(
        ({ engine }) => engine.handleRequest(req, res),
        (err: Error) => {
          failed(err);
          res.writeHead(503).end();
        },
      ),
  });
  transport.addRawUpgrade({
    name: 'workspaces',
    path,
    handle: (req, socket, head) =>
      void load().then(
        ({ engine }) => engine.handleUpgrade(req, socket, head),
        (err: Error) => {
          failed(err);
          socket.destroy();
        },
      ),
  });

  // Workspaces expire by default (docs/protocols/workspaces.md#expiration): the
  // shorter of WorkspaceExpiration and Expiration, through the stores' shared sweep.
  const expiration = shorterExpiration(config.WorkspaceExpiration, config.Expiration);
  let stopping = false;
  const purge = async (cutoff: number): Promise<void> => {
    // A starting hub first hears who is present on the others; this hub's
    // live workspaces count as used, for a hub that has not heard yet.
    await link?.settled;
    if (stopping) return;
    await Promise.all((server?.liveHere() ?? []).map((id) => store.touch(id)));
    const gone = await store.purgeExpired(
      cutoff,
      // Present here, or on another hub (Socket.IO may not even be loaded
      // here); a stopping hub no longer knows, so it keeps everything.
      (id) => stopping || Boolean(server?.isLive(id) || link?.isLive(id)),
    );
    if (gone.length > 0) log.info({ workspaces: gone.length }, 'expired workspaces deleted');
  };
  const sweep = startPeriodicPurge({ ...config, Expiration: expiration }, now, (cutoff) =>
    purge(cutoff).catch((err: Error) =>
      log.error({ err: err.message }, 'workspace expiration sweep failed'),
    ),
  );

  return {
    connections: () => engine?.clientsCount ?? 0,
    async stop() {
      stopping = true;
      link?.stopSettling();
      await sweep.stop();
      // The leaves of these disconnects still reach the other hubs.
      await loaded?.then(({ server }) => server.close(), failed);
      link?.dispose();
      await store.close();
    },
  };
}

function shorterExpiration(a: number | 'never', b: number | 'never'): number | 'never' {
  if (a === 'never') return b;
  return b === 'never' ? a : Math.min(a, b);
}
