// What a host (the CLI's supervisor, later the desktop app) lets the admin API
// do to the hub it runs: find the config file, say where each value came
// from, check an edited file, and restart the hub on the reloaded config.
import type { LoadedConfig, Origin } from '../config/load';
import type { ConfigKey } from '../config/schema';
import type { Handoffs } from '../moved/handoffs';

export interface HostControls {
  /** The file the config API edits: the one loaded, or where the host would look for one. */
  readonly configFile: string;
  /** Where each running value came from; 'env' and 'flag' shadow the file. */
  readonly origins: Readonly<Record<ConfigKey, Origin>>;
  /** Loads the config as a restart would, with `fileText` in place of the file; throws ConfigError. */
  check(fileText?: string): LoadedConfig;
  /** Stops this hub (WebSockets close with 1012) and starts one on the reloaded config. Absent: the host cannot. */
  restart?(): Promise<void>;
  /** Board identities handed over from the hub's old address after a move (the hub redeems them). */
  readonly handoffs?: Handoffs;
  /** The origins the hub answered at before it moved: their open boards' sockets are let in. */
  formerOrigins?(): readonly string[];
}
