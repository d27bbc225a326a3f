// createHub(config) -> { start, stop, stats, events }: opens the backend, mounts
// every protocol on one transport with one ProtocolContext, and starts and
// stops them in order. Hosts reach it through index.ts.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  ADMIN_TOKEN_FILE,
  adminTokenOrigin,
  adminTokenSource,
  dashboardAddress,
  mountAdmin,
} from './admin/hub-admin';
import { CredentialThrottle } from './auth/credential-throttle';
import { configuredJwtVerifier } from './auth/jwt';
import { boardRoutes, DEFAULT_BOARD_DIR } from './board/routes';
import { ADMIN_SESSIONS_FILE } from './admin/login-cookie';
import { DEFAULT_DASHBOARD_DIR } from './admin/static';
import { isFile } from './transport/static-files';
import { completeConfig, ConfigError } from './config/load';
import { HubDiscovery } from './discovery/discovery';
import { redeemRoute } from './moved/redeem-route';
import type { JoinAddresses, JoinInfo } from './discovery/join-info';
import { checkOpenFileLimit, connectionBudget, readOpenFileLimits } from './config/open-files';
import { keepDataDirPrivate } from './config/private-files';
import type { HubConfig } from './config/schema';
import type { HostControls } from './admin/host-controls';
import { openBackend } from './hub/backend';
import { checkDatabaseAtStart } from './hub/database-check';
import type { DatabaseCheck } from './hub/database-check';
import { reportingFaults } from './hub/faulty-writes';
import type { Backend } from './hub/backend';
import type { MountedProtocol, ProtocolContext } from './hub/protocol';
import { SessionRegistry } from './hub/registry';
import { reportRedisOutages } from './hub/redis-outages';
import { StorageFaults } from './hub/storage-faults';
import type { RegistryStats } from './hub/registry';
import { createLogger, LogRing } from './log/logger';
import type { Logger } from './log/logger';
import { healthRoute, metricsRoute } from './metrics/health';
import { HubMetrics } from './metrics/metrics';
import { timedStore } from './metrics/store-timing';
import { LimitHits } from './transport/limit-hits';
import { normalizeClassCode } from './classroom/codes';
import { mountClassrooms } from './classroom/mount';
import { mountChat } from './protocols/chat/mount';
import { rtcPageRoute } from './protocols/sse/page';
import { rtcPrefix } from './protocols/sse/routes';
import { mountYWebrtc } from './protocols/y-webrtc/mount';
import { mountYjs } from './protocols/yjs/mount';
import type { MountedYjs } from './protocols/yjs/mount';
import { mountRtcSse } from './protocols/sse/mount';
import { KEY_FILE as SSE_KEY_FILE } from './protocols/sse/token';
import { mountWorkspaces } from './protocols/workspaces/mount';
import { mountZwibbler } from './protocols/zwibbler/mount';
import type { MountedZwibbler } from './protocols/zwibbler/mount';
import type { DocumentStore } from './store/types';
import type { YjsStore } from './store/yjs-store';
import type { ClassroomStore } from './store/class-store';
import type { WorkspaceStore } from './store/workspace-store';
import { CloseCode } from './transport/close-codes';
import { HttpTransport } from './transport/http-server';
import { allowingAlso, originPolicy } from './transport/origins';
import { mountedAt } from './transport/routes';
import { loadTls, watchCertificates } from './transport/tls';
import type { CertificateWatch } from './transport/tls';

export interface HubOptions {
  /** Defaults to a pino logger at config.LogLevel on stdout. */
  logger?: Logger;
  logRing?: LogRing;
  /** The clock for access times, token expiry and JWTs (Unix ms); tests inject one. */
  now?: () => number;
  /** The host running this hub (config file, origins, restart), for the admin API. */
  host?: HostControls;
  /** The built dashboard; defaults to renderer/dist. */
  dashboardDir?: string;
  /** The built classroom board; defaults to renderer/board/dist. */
  boardDir?: string;
  /** In place of the document store chosen from config (tests make one fail for real). */
  store?: DocumentStore;
  /** In place of the Yjs store chosen from config (tests make one fail for real). */
  yjsStore?: YjsStore;
  /** In place of the class store chosen from config (tests make one fail for real). */
  classStore?: ClassroomStore;
  /** In place of the workspace store chosen from config (tests make one fail for real). */
  workspaceStore?: WorkspaceStore;
}

export interface HubStats extends RegistryStats {
  /** Open connections, joined or not: WebSockets, and Socket.IO clients on any transport. */
  connections: number;
  /** TCP connections of every kind: admitted, and over a limit, kept only to be refused. */
  tcp: { admitted: number; refused: number };
  /** Zwibbler documents with connected clients. */
  liveDocuments: number;
  /** Yjs rooms held in memory (loaded, or loading). */
  yjsRoomsInMemory: number;
  uptimeMs: number;
  rssBytes: number;
}

export interface Hub {
  readonly config: HubConfig;
  readonly registry: SessionRegistry;
  /** The registry's events: client-added, client-removed, room-opened, … */
  readonly events: SessionRegistry;
  readonly logs: LogRing;
  /** Opens the store and listens; rejects with ConfigError or ListenError. */
  start(): Promise<AddressInfo>;
  /** Closes every socket with 1001 (1012 for a restart), then the store. Safe to call twice. */
  stop(options?: { restart?: boolean }): Promise<void>;
  stats(): HubStats;
  /** `http://host:port` once started (for tests and the dashboard). */
  url(): string;
  /** LAN URLs, the `.local` URL, a QR code and the endpoints, as GET /api/join serves them. */
  joinInfo(): Promise<JoinInfo>;
  /** The same without the QR code (which loads qrcode): for the terminal. */
  joinAddresses(): JoinAddresses;
  /** The dashboard on this computer, with the admin token in the fragment: for the host to open, never to log. */
  dashboardUrl(): string;
}

export function createHub(partial: Partial<HubConfig> = {}, options: HubOptions = {}): Hub {
  const config = completeConfig(partial);
  const now = options.now ?? Date.now;
  const logs = options.logRing ?? new LogRing();
  const log =
    options.logger ??
    createLogger({ level: config.LogLevel, format: config.LogFormat, ring: logs });
  const registry = new SessionRegistry();
  const faults = new StorageFaults(now);
  const discovery = new HubDiscovery(config, log);
  const adminToken = adminTokenSource(config, log);
  const limitHits = new LimitHits();
  const metrics = new HubMetrics({
    registry,
    traffic: () => transport?.trafficByEndpoint() ?? new Map(),
    limitHits,
  });
  let backend: Backend | undefined;
  let store: DocumentStore | undefined;
  let transport: HttpTransport | undefined;
  let address: AddressInfo | undefined;
  let startedAt = 0;
  let stopping: Promise<void> | undefined;
  let certificates: CertificateWatch | undefined;
  let stopWatchingRedis: (() => void) | undefined;
  let databaseCheck: DatabaseCheck | undefined;
  const mounted: MountedProtocol[] = [];
  let zwibbler: MountedZwibbler | undefined;
  let yjs: MountedYjs | undefined;

  /** WebSockets on the transport, plus what protocols hold on their own (Socket.IO). */
  const connectionCount = (): number =>
    (transport?.connectionCount ?? 0) +
    mounted.reduce((sum, protocol) => sum + (protocol.connections?.() ?? 0), 0);

  async function start(): Promise<AddressInfo> {
    if (transport) throw new Error('hub already started');
    configuredJwtVerifier(config, now); // a bad JWTKey stops the start before anything opens
    checkOpenFileLimit(config.MaxFiles, log);
    ensureAdminToken();
    const tls = loadTls(config);
    transport = createTransport(config, tls, log, limitHits, options.host);
    // The board first: once built, its join page takes `/` over from discovery's.
    const board = boardRoutes(config, options.boardDir, {
      maybeClass: (name) => normalizeClassCode(name) !== undefined,
    });
    for (const route of [...board, ...discovery.routes()]) transport.addRoute(route);
    if (options.host?.handoffs) transport.addRoute(redeemRoute(options.host.handoffs, log));
    try {
      // A throwaway hub (Database=memory) makes no data folder.
      if (config.Database !== 'memory') {
        keepDataDirPrivate(config.DataDir, [ADMIN_TOKEN_FILE, ADMIN_SESSIONS_FILE, SSE_KEY_FILE]);
      }
    } catch (err) {
      // A read-only folder still serves Database=memory; SQLite says so itself below.
      log.warn({ err: (err as Error).message, dir: config.DataDir }, 'cannot make DataDir private');
    }
    databaseCheck = await checkDatabaseAtStart(config, log, faults);
    backend = await openBackend(config, now, log, options.store);
    if (backend.redis) stopWatchingRedis = reportRedisOutages(backend.redis, faults);
    store = reportingFaults(timedStore(backend.store, metrics), faults, {
      what: 'Zwibbler documents',
      adding: ['appendIfLength', 'createDocument', 'addToken', 'setDocumentKey'],
    });
    transport.addRoute(healthRoute(store, () => startedAt, faults, databaseCheck));
    transport.addRoute(metricsRoute(metrics));
    const context: ProtocolContext = {
      config,
      store,
      registry,
      bus: backend.bus,
      log,
      now,
      credentials: new CredentialThrottle(config.TokenFailuresPerMinute, log, now),
      redis: backend.redis,
      database: backend.database,
      onDeadHub: backend.onDeadHub,
      faults,
      limitHits,
    };
    // Each protocol: mounted.push(mountX(transport, context));
    zwibbler = mountZwibbler(transport, context);
    mounted.push(zwibbler);
    mounted.push(mountWorkspaces(transport, context, options.workspaceStore));
    mounted.push(mountRtcSse(transport, context));
    mounted.push(mountYWebrtc(transport, context));
    const classes = mountClassrooms(transport, context, () => yjs!, options.classStore);
    mounted.push(mountChat(transport, context, classes.chatGate));
    yjs = mountYjs(transport, context, { gate: classes.gate, store: options.yjsStore });
    mounted.push(yjs, classes); // classes stop after the boards: closing boards release owners

    mounted.push(
      mountAdmin(transport, {
        ...context,
        deleteDocument: zwibbler.deleteDocument,
        classes: classes.service,
        logs,
        log: log.child({ component: 'admin' }),
        token: adminToken,
        host: options.host,
        dashboardDir: options.dashboardDir,
        server: () => ({
          address: address!,
          tls: Boolean(tls),
          startedAt,
          connections: connectionCount(),
        }),
        joinInfo: () => discovery.joinInfo(),
      }),
    );
    // Last: with RtcBasePath=/ its rooms are every one-segment path nobody else has.
    if (config.RtcPageDir) {
      const rtcLog = log.child({ protocol: 'rtc-sse' });
      transport.addRoute(rtcPageRoute(rtcPrefix(config.RtcBasePath), config.RtcPageDir, rtcLog));
    }
    try {
      address = await transport.listen(config.ServerBindAddress, config.ServerPort);
    } catch (err) {
      databaseCheck?.stop();
      for (const protocol of mounted) await protocol.stop?.();
      await backend.close();
      throw err;
    }
    // Background work starts only once the hub is really up.
    for (const protocol of mounted) protocol.start?.();
    await backend.start();
    startedAt = Date.now();
    metrics.start();
    discovery.start(address.port, Boolean(tls)); // mDNS problems are logged, never fatal
    if (tls) certificates = watchCertificates(transport.server, config, tls, log);
    log.info(
      { address: address.address, port: address.port, tls: Boolean(tls), database: store.kind },
      'hub listening',
    );
    log.info({ tokenAt: adminTokenOrigin(config) }, 'dashboard token');
    for (const [page, dir] of [
      ['dashboard', options.dashboardDir ?? DEFAULT_DASHBOARD_DIR],
      ['board', options.boardDir ?? DEFAULT_BOARD_DIR],
    ] as const) {
      if (!isFile(path.join(dir, 'index.html'))) {
        log.warn({ dir }, `the ${page} is not built: run \`npm run build\` in the checkout`);
      }
    }
    return address;
  }

  /** The token file exists from the first start, so IT can find it (0600). */
  function ensureAdminToken(): void {
    try {
      adminToken();
    } catch (err) {
      throw new ConfigError(
        `DataDir="${config.DataDir}": cannot keep the admin token there: ${(err as Error).message}`,
      );
    }
  }

  function stop({ restart = false }: { restart?: boolean } = {}): Promise<void> {
    stopping ??= (async () => {
      certificates?.stop();
      metrics.stop();
      databaseCheck?.stop();
      if (!transport || !store) return;
      await discovery.stop(); // goodbye packets first, while clients can still reach us
      for (const protocol of mounted) await protocol.stop?.();
      await transport.close(3000, restart ? CloseCode.ServiceRestart : CloseCode.GoingAway);
      for (const protocol of mounted) await protocol.closed?.();
      stopWatchingRedis?.();
      await backend?.close();
      log.info('hub stopped');
    })();
    return stopping;
  }

  return {
    config,
    registry,
    events: registry,
    logs,
    start,
    stop,
    stats: () => ({
      ...registry.stats(),
      connections: connectionCount(),
      tcp: transport?.connectionCounts ?? { admitted: 0, refused: 0 },
      liveDocuments: zwibbler?.documents.size ?? 0,
      yjsRoomsInMemory: yjs?.rooms.size ?? 0,
      uptimeMs: startedAt ? Date.now() - startedAt : 0,
      rssBytes: process.memoryUsage().rss,
    }),
    joinInfo: () => discovery.joinInfo(),
    joinAddresses: () => discovery.joinAddresses(),
    dashboardUrl() {
      if (!address) throw new Error('hub not started');
      return dashboardAddress(config, address, adminToken());
    },
    url() {
      if (!address) throw new Error('hub not started');
      return `${config.CertFile ? 'https' : 'http'}://${hostOf(address)}:${address.port}`;
    },
  };
}

function createTransport(
  config: HubConfig,
  tls: { cert: Buffer; key: Buffer } | undefined,
  log: Logger,
  limitHits: LimitHits,
  host: HostControls | undefined,
): HttpTransport {
  const admin = mountedAt(`${config.AdminPath.replace(/\/+$/, '')}/`);
  const total = connectionBudget(config.MaxConnections, readOpenFileLimits());
  log.debug({ maxConnections: total }, 'connection limit');
  return new HttpTransport({
    tls,
    compression: config.Compression,
    maxMessageBytes: config.MaxMessageBytes,
    maxQueuedBytes: config.MaxQueuedBytes,
    inbound: { burstBytes: config.InboundBurstBytes, bytesPerSecond: config.InboundBytesPerSecond },
    inboundPerAddress: {
      burstBytes: config.InboundAddressBurstBytes,
      bytesPerSecond: config.InboundAddressBytesPerSecond,
    },
    limitHits,
    keepaliveMs: config.KeepaliveSeconds * 1000,
    log,
    origins: allowingAlso(originPolicy(config.AllowedOrigins), () => host?.formerOrigins?.() ?? []),
    timeouts: {
      headersMs: config.HeadersTimeoutSeconds * 1000,
      requestMs: config.RequestTimeoutSeconds * 1000,
      idleMs: config.IdleTimeoutSeconds * 1000,
    },
    connections: {
      perAddress: config.MaxConnectionsPerAddress,
      newPerSecond: config.NewConnectionsPerSecond,
      total,
    },
    // The hub's own health and its dashboard stay reachable through a flood.
    alwaysServed: (path) => path === '/healthz' || admin.matches(path),
  });
}

function hostOf(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
