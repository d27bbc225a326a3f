// A transport with one protocol mounted by hand, for tests that must reach
// inside a protocol (inject a store, tune timers, hold a room's objects)
// where a whole hub would hide them.
import type { AddressInfo } from 'node:net';
import { CredentialThrottle } from '../auth/credential-throttle';
import { LocalBus } from '../cluster/local-bus';
import { LimitHits } from '../transport/limit-hits';
import { completeConfig } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { MountedProtocol, ProtocolContext } from '../hub/protocol';
import { SessionRegistry } from '../hub/registry';
import { StorageFaults } from '../hub/storage-faults';
import { createLogger } from '../log/logger';
import { openStore } from '../store/open-store';
import { HttpTransport } from '../transport/http-server';

export interface BareTransport<M extends MountedProtocol> {
  mounted: M;
  context: ProtocolContext;
  httpUrl: string;
  wsUrl: string;
  /** Stops the protocol, then the transport and the store. */
  stop(): Promise<void>;
}

export async function startBareTransport<M extends MountedProtocol>(
  partial: Partial<HubConfig>,
  mount: (transport: HttpTransport, context: ProtocolContext) => M,
  now: () => number = Date.now,
): Promise<BareTransport<M>> {
  const config = completeConfig({ Database: 'memory', LogLevel: 'silent', ...partial });
  const log = createLogger({ level: config.LogLevel });
  const transport = new HttpTransport({
    compression: false,
    maxMessageBytes: config.MaxMessageBytes,
    maxQueuedBytes: config.MaxQueuedBytes,
    keepaliveMs: 0,
    log,
  });
  const context: ProtocolContext = {
    config,
    store: openStore(config, now),
    registry: new SessionRegistry(),
    bus: new LocalBus(),
    log,
    now,
    faults: new StorageFaults(now),
    credentials: new CredentialThrottle(config.TokenFailuresPerMinute, log, now),
    limitHits: new LimitHits(),
  };
  const mounted = mount(transport, context);
  const address: AddressInfo = await transport.listen('127.0.0.1', 0);
  const httpUrl = `http://127.0.0.1:${address.port}`;
  return {
    mounted,
    context,
    httpUrl,
    wsUrl: httpUrl.replace(/^http/, 'ws'),
    async stop() {
      await mounted.stop?.();
      await transport.close();
      await context.bus.close();
      await context.store.close();
    },
  };
}
