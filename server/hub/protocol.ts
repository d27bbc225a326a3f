// What every protocol gets when it is mounted on the hub, and what it gives back.
import type { CredentialThrottle } from '../auth/credential-throttle';
import type { Bus } from '../cluster/bus';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import type { SharedDatabase } from '../store/open-store';
import type { RedisClient } from '../store/redis-connection';
import type { DocumentStore } from '../store/types';
import type { LimitHits } from '../transport/limit-hits';
import type { SessionRegistry } from './registry';
import type { StorageFaults } from './storage-faults';

/** Cleans up what a hub that died without a goodbye left behind in Redis. */
export type DeadHubCleanUp = (deadHubId: string) => Promise<void>;

export interface ProtocolContext {
  config: HubConfig;
  /** Documents and the tokens the management API issues (every protocol's tokens). */
  store: DocumentStore;
  registry: SessionRegistry;
  bus: Bus;
  log: Logger;
  /** The hub's clock (Unix ms); tests inject one. */
  now: () => number;
  /** Writes that failed and are retried: reported here, they make /healthz answer 503. */
  faults: StorageFaults;
  /** Failed credentials per address, one budget for every protocol (TokenFailuresPerMinute). */
  credentials: CredentialThrottle;
  /** Where a budget's refusals are counted, by the setting's name (/metrics). */
  limitHits: LimitHits;
  /** The Redis connection hubs share, when Database=redis. */
  redis?: RedisClient;
  /** The Redis connection or PostgreSQL pool the stores open their data in (Database=redis or postgresql). */
  database?: SharedDatabase;
  /**
   * Registers a clean-up for a hub found dead (Database=redis). It runs on the
   * one surviving hub that claims the dead one, before every hub hears
   * `cluster/hub-gone` on the bus. Absent where no other hub can die (one hub).
   */
  onDeadHub?(cleanUp: DeadHubCleanUp): void;
}

export interface MountedProtocol {
  /** Connections this protocol holds outside the hub's WebSocket servers (Socket.IO's own). */
  connections?(): number;
  /** Called once the hub listens: background work (timers, webhooks) starts here. */
  start?(): void;
  /** Called on hub.stop(), before the transport closes its sockets. */
  stop?(): Promise<void>;
  /** Called on hub.stop() once the transport has closed every socket, before the store closes. */
  closed?(): Promise<void>;
}
