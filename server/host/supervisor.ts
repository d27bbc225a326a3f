// Owns "load the config -> create the hub -> start it" for a host (the CLI's
// `serve`, later the desktop app), so that the hub can be restarted on a
// reloaded config: the admin API's POST restart. The config comes again from
// the same sources (file < env < flags); the log ring is kept across restarts
// so the dashboard's log tail survives them.
import { createHub } from '../create-hub';
import type { Hub, HubOptions } from '../create-hub';
import { loadConfig } from '../config/load';
import type { ConfigSources, LoadedConfig } from '../config/load';
import { createLogger, LogRing } from '../log/logger';
import type { Logger } from '../log/logger';
import type { HostControls } from '../admin/host-controls';
import type { AddressInfo } from 'node:net';
import { Handoffs } from '../moved/handoffs';
import { openMovedListener } from '../moved/moved-listener';
import type { MovedListener } from '../moved/moved-listener';
import { movedTargets } from '../moved/targets';
import { loadTls } from '../transport/tls';

export interface SupervisorOptions {
  sources: ConfigSources;
  /** Passed to every hub; a logger given here replaces the per-hub one (tests). */
  hubOptions?: Omit<HubOptions, 'host' | 'logRing'>;
  /** Where the per-hub logger writes besides the ring; stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /** After every start, first or restart: the place to show `loaded.warnings` and the dashboard URL. */
  onStart?(hub: Hub, loaded: LoadedConfig): void;
  /** A restart that could bring no hub back up, even on the previous config. */
  onFatal?(err: Error): void;
  /** How long the old address says where the hub moved; MOVED_GRACE_MS by default (tests shorten it). */
  movedGraceMs?: number;
}

export class HubSupervisor {
  readonly logs = new LogRing();
  private hub: Hub | undefined;
  private loaded: LoadedConfig | undefined;
  private log: Logger | undefined;
  private restarting: Promise<void> | undefined;
  private address: AddressInfo | undefined;
  /** The previous address, answering "moved" for a while after a restart moved the hub. */
  private moved: MovedListener | undefined;
  /** Identities boards carry from the old address to the new one; shared by every hub this runs. */
  readonly handoffs = new Handoffs();
  /** Where the hub answered before its last move: open boards there reconnect across origins. */
  private formerOrigins: string[] = [];

  constructor(private readonly o: SupervisorOptions) {}

  /** The running hub. */
  get current(): Hub {
    if (!this.hub) throw new Error('no hub started');
    return this.hub;
  }

  /** Where PUT config writes: the file given, or the default one (created on first save). */
  get configFile(): string | undefined {
    return this.o.sources.file ?? this.o.sources.optionalFile;
  }

  /**
   * Loads and starts; throws ConfigError or ListenError as createHub does.
   * `sources` replaces the supervisor's for this start only (the desktop app's
   * temporary port when its own is taken); a restart reloads from its own.
   */
  async start(sources: ConfigSources = this.o.sources): Promise<Hub> {
    return this.launch(loadConfig(sources));
  }

  /**
   * Stops the hub (clients get 1012 and reconnect) and starts one on the
   * reloaded config. A config that no longer loads leaves the hub running; a
   * hub that cannot start (the new port is taken) is replaced by one on the
   * previous config. Concurrent calls share one restart.
   */
  restart(): Promise<void> {
    this.restarting ??= this.doRestart().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /**
   * After the host caught an error nothing in the hub handled (an uncaught
   * exception in its process): the hub may be half broken, so it is stopped
   * with its errors ignored and waited for `stopTimeoutMs` at most, then a
   * new one starts on the config as it is now, or on the last one that ran.
   * Clients get 1012 and reconnect. Waits for a restart under way.
   */
  async recover(stopTimeoutMs = 5000): Promise<void> {
    await this.restarting?.catch(() => undefined);
    this.restarting ??= this.doRecover(stopTimeoutMs).finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async stop(): Promise<void> {
    await this.restarting?.catch(() => undefined);
    await this.closeMoved();
    await this.hub?.stop();
  }

  /** Where the old address answers "moved", while it does. */
  get movedFrom(): AddressInfo | undefined {
    return this.moved?.address;
  }

  private async closeMoved(): Promise<void> {
    const moved = this.moved;
    this.moved = undefined;
    await moved?.close();
  }

  private async doRecover(stopTimeoutMs: number): Promise<void> {
    const previous = this.loaded;
    this.log?.warn('restarting the hub after an error it did not handle');
    let timer: NodeJS.Timeout | undefined;
    const stopped = this.hub?.stop({ restart: true }).catch(() => undefined);
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, stopTimeoutMs)))]);
    clearTimeout(timer);
    let next: LoadedConfig | undefined;
    try {
      next = loadConfig(this.o.sources);
    } catch {
      next = previous; // the file was broken meanwhile: the config that ran is still good
    }
    if (!next) throw new Error('no config to start the hub with');
    await this.closeMoved();
    await this.launchOrFallBack(next, previous ?? next);
  }

  /** Starts on `next`, else on `previous`; onFatal when neither listens. */
  private async launchOrFallBack(next: LoadedConfig, previous: LoadedConfig): Promise<void> {
    try {
      await this.launch(next);
    } catch (err) {
      this.log?.error(
        { err: (err as Error).message },
        'the hub could not start on the new config; starting it on the previous one',
      );
      try {
        await this.launch(previous);
      } catch (fatal) {
        this.o.onFatal?.(fatal as Error);
        throw fatal;
      }
      throw err;
    }
  }

  private async doRestart(): Promise<void> {
    const previous = this.loaded!;
    const before = this.address!;
    const next = loadConfig(this.o.sources);
    const beforeTargets = movedTargets(
      await this.current.joinInfo(),
      previous.config.ServerBindAddress,
    );
    this.log?.info('restarting the hub with the saved config');
    await this.current.stop({ restart: true });
    // The new hub may want the address an earlier move still answers on.
    await this.closeMoved();
    await this.launchOrFallBack(next, previous);
    if (this.address!.port !== before.port || this.address!.address !== before.address) {
      this.formerOrigins = beforeTargets.urls.map((u) => new URL(u).origin);
      await this.answerMoved(previous, before);
    }
  }

  /** The old address says where the hub went, for open boards to follow (server/moved/). */
  private async answerMoved(previous: LoadedConfig, before: AddressInfo): Promise<void> {
    let tls;
    try {
      tls = loadTls(previous.config);
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, 'the old address cannot answer over TLS');
      return;
    }
    const hub = this.current;
    this.moved = await openMovedListener({
      bindAddress: previous.config.ServerBindAddress,
      port: before.port,
      tls: tls && { cert: tls.cert, key: tls.key },
      targets: movedTargets(await hub.joinInfo(), hub.config.ServerBindAddress),
      handoffs: this.handoffs,
      log: this.log!,
      graceMs: this.o.movedGraceMs,
    });
  }

  private async launch(loaded: LoadedConfig): Promise<Hub> {
    const log =
      this.o.hubOptions?.logger ??
      createLogger({
        level: loaded.config.LogLevel,
        format: loaded.config.LogFormat,
        ring: this.logs,
        destination: this.o.logDestination,
      });
    const hub = createHub(loaded.config, {
      ...this.o.hubOptions,
      logger: log,
      logRing: this.logs,
      host: this.controls(loaded),
    });
    this.address = await hub.start();
    this.hub = hub;
    this.loaded = loaded;
    this.log = log;
    this.o.onStart?.(hub, loaded);
    return hub;
  }

  private controls(loaded: LoadedConfig): HostControls {
    const sources = this.o.sources;
    const configFile = this.configFile ?? loaded.file ?? '';
    return {
      configFile,
      origins: loaded.origins,
      check: (fileText) =>
        loadConfig(
          fileText === undefined
            ? sources
            : { ...sources, fileText, ...(sources.file ? {} : { optionalFile: configFile }) },
        ),
      restart: () => this.restart(),
      handoffs: this.handoffs,
      formerOrigins: () => this.formerOrigins,
    };
  }
}
