// The hub's only public surface: createHub(config) -> { start, stop, stats, events }.
// Both hosts, the headless CLI and the desktop app, build the hub through here.
import type { AddressInfo } from 'node:net';
import type { Bus } from './cluster/bus';
import { LocalBus } from './cluster/local-bus';
import { completeConfig } from './config/load';
import { checkOpenFileLimit } from './config/open-files';
import type { HubConfig } from './config/schema';
import type { MountedProtocol, ProtocolContext } from './hub/protocol';
import { SessionRegistry } from './hub/registry';
import type { RegistryStats } from './hub/registry';
import { createLogger, LogRing } from './log/logger';
import type { Logger } from './log/logger';
import { startIdleWebhook } from './management/webhook';
import { mountChat } from './protocols/chat/mount';
import { mountYWebrtc } from './protocols/signaling/y-webrtc';
import { mountRtcSse } from './protocols/signaling/sse-mount';
import { mountWorkspaces } from './protocols/signaling/workspaces-mount';
import { mountZwibbler, zwibblerIdentity } from './protocols/zwibbler/mount';
import { LiveDocuments } from './protocols/zwibbler/live-document';
import { startExpirySweeper } from './store/expiry-sweeper';
import type { ExpirySweeper } from './store/expiry-sweeper';
import { openStore } from './store/open-store';
import type { DocumentStore } from './store/types';
import { HttpTransport } from './transport/http-server';
import { originPolicy } from './transport/origins';
import { loadTls, watchCertificates } from './transport/tls';
import type { CertificateWatch } from './transport/tls';

export type { HubConfig } from './config/schema';
export { ConfigError } from './config/load';
export { ListenError } from './transport/http-server';

export interface HubOptions {
  /** Defaults to a pino logger at config.LogLevel on stdout. */
  logger?: Logger;
  logRing?: LogRing;
  /** The clock for access times, token expiry and JWTs (Unix ms); tests inject one. */
  now?: () => number;
}

export interface HubStats extends RegistryStats {
  /** Open WebSocket connections, joined or not. */
  connections: number;
  /** Zwibbler documents with connected clients. */
  liveDocuments: number;
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
  /** Closes every socket with 1001, then the store. Safe to call twice. */
  stop(): Promise<void>;
  stats(): HubStats;
  /** `http://host:port` once started (for tests and the dashboard). */
  url(): string;
}

export function createHub(partial: Partial<HubConfig> = {}, options: HubOptions = {}): Hub {
  const config = completeConfig(partial);
  const now = options.now ?? Date.now;
  const logs = options.logRing ?? new LogRing();
  const log = options.logger ?? createLogger({ level: config.LogLevel, ring: logs });
  const registry = new SessionRegistry();
  const bus: Bus = new LocalBus();
  const documents = new LiveDocuments(bus);
  let store: DocumentStore | undefined;
  let transport: HttpTransport | undefined;
  let address: AddressInfo | undefined;
  let startedAt = 0;
  let stopping: Promise<void> | undefined;
  let sweeper: ExpirySweeper | undefined;
  let certificates: CertificateWatch | undefined;
  let stopWebhook: (() => Promise<void>) | undefined;
  const mounted: MountedProtocol[] = [];

  async function start(): Promise<AddressInfo> {
    if (transport) throw new Error('hub already started');
    zwibblerIdentity(config, now); // a bad JWTKey stops the start before anything opens
    checkOpenFileLimit(config.MaxFiles, log);
    const tls = loadTls(config);
    transport = createTransport(config, tls, log);
    store = openStore(config, now);
    mountZwibbler(transport, { config, store, documents, registry, log, now });
    const context: ProtocolContext = { config, store, registry, bus, log, now };
    // Each further protocol: mounted.push(mountX(transport, context));
    mounted.push(mountWorkspaces(transport, context));
    mounted.push(mountRtcSse(transport, context));
    mounted.push(mountChat(transport, context));
    mounted.push(mountYWebrtc(transport, context));
    try {
      address = await transport.listen(config.ServerBindAddress, config.ServerPort);
    } catch (err) {
      for (const protocol of mounted) await protocol.stop?.();
      await store.close();
      throw err;
    }
    // Background work starts only once the hub is really up.
    if (config.Webhook) stopWebhook = startIdleWebhook(config, registry, log);
    sweeper = startExpirySweeper(config, store, (id) => documents.get(id) !== undefined, log, now);
    startedAt = Date.now();
    if (tls) certificates = watchCertificates(transport.server, config, tls, log);
    log.info(
      { address: address.address, port: address.port, tls: Boolean(tls), database: store.kind },
      'hub listening',
    );
    return address;
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      certificates?.stop();
      if (!transport || !store) return;
      await stopWebhook?.();
      await sweeper?.stop();
      for (const protocol of mounted) await protocol.stop?.();
      await transport.close();
      await waitUntil(() => documents.size === 0, 2000);
      await bus.close();
      await store.close();
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
      connections: transport?.connectionCount ?? 0,
      liveDocuments: documents.size,
      uptimeMs: startedAt ? Date.now() - startedAt : 0,
      rssBytes: process.memoryUsage().rss,
    }),
    url() {
      if (!address) throw new Error('hub not started');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `${config.CertFile ? 'https' : 'http'}://${host}:${address.port}`;
    },
  };
}

function createTransport(
  config: HubConfig,
  tls: { cert: Buffer; key: Buffer } | undefined,
  log: Logger,
): HttpTransport {
  return new HttpTransport({
    tls,
    compression: config.Compression,
    maxMessageBytes: config.MaxMessageBytes,
    maxQueuedBytes: config.MaxQueuedBytes,
    keepaliveMs: config.KeepaliveSeconds * 1000,
    log,
    origins: originPolicy(config.AllowedOrigins),
  });
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
