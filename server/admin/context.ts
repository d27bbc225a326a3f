// Everything the admin API reads or acts on, handed over by createHub.
import type { AddressInfo } from 'node:net';
import type { ClassroomService } from '../classroom/service';
import type { HubConfig } from '../config/schema';
import type { JoinInfo } from '../discovery/join-info';
import type { HostControls } from './host-controls';
import type { SessionRegistry } from '../hub/registry';
import type { StorageFaults } from '../hub/storage-faults';
import type { Logger, LogRing } from '../log/logger';
import type { DocumentStore } from '../store/types';
import type { LoginCookies } from './login-cookie';
import type { StatsHistory } from './stats-history';

export interface ServerState {
  address: AddressInfo;
  tls: boolean;
  /** Unix milliseconds. */
  startedAt: number;
  /** Open WebSocket connections. */
  connections: number;
}

export interface AdminContext {
  config: HubConfig;
  registry: SessionRegistry;
  store: DocumentStore;
  /** Deletes a Zwibbler document, closing its clients; false if there was none. */
  deleteDocument(id: string): Promise<boolean>;
  classes: ClassroomService;
  logs: LogRing;
  log: Logger;
  history: StatsHistory;
  /** Writes that fail now, for the dashboard's banner. */
  faults: StorageFaults;
  host: HostControls;
  token: () => string;
  /** The dashboard's login cookie, which stands for the token. */
  cookies: LoginCookies;
  /** Where the built dashboard is (renderer/dist). */
  dashboardDir: string;
  server(): ServerState;
  joinInfo(): Promise<JoinInfo>;
  /** Whether a client from another machine has joined since the start. */
  lanClientSeen(): boolean;
}
