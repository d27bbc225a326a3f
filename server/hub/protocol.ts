// What every protocol gets when it is mounted on the hub, and what it gives back.
import type { Bus } from '../cluster/bus';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { RedisClient } from '../store/redis-connection';
import type { DocumentStore } from '../store/types';
import type { SessionRegistry } from './registry';

export interface ProtocolContext {
  config: HubConfig;
  store: DocumentStore;
  registry: SessionRegistry;
  bus: Bus;
  log: Logger;
  /** The hub's clock (Unix ms); tests inject one. */
  now: () => number;
  /** The Redis connection hubs share, when Database=redis. */
  redis?: RedisClient;
}

export interface MountedProtocol {
  /** Connections this protocol holds outside the hub's WebSocket servers (Socket.IO's own). */
  connections?(): number;
  /** Called on hub.stop(), before the transport closes its sockets. */
  stop?(): Promise<void>;
}
