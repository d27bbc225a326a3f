// The app's wiring, in one function that takes Electron as an argument so the
// tests can run it against a fake (docs/architecture.md#desktop-app). Order
// matters: the single-instance lock before anything touches the hub's port or
// database, the crash reporter before any other process starts, the sandbox
// and guards before the first window, the window before the hub (the
// supervisor points it at every hub it starts: restarts move it), and on
// Windows the firewall question before the hub first listens on the LAN.
import type { BrowserWindow } from 'electron';
import { createLogger, HubSupervisor } from '../server/index';
import type { Hub } from '../server/index';
import { StateFile } from './app-state';
import { autostart, HIDDEN_FLAG } from './autostart';
import { trustHubCertificate } from './certificate';
import { runCommand } from './commands';
import type { CommandRunner } from './commands';
import { crashRecorder, guardProcess, startCrashReporter, watchProcesses } from './crash-guard';
import type { GuardOptions } from './crash-guard';
import type { ElectronApi } from './electron-api';
import { adminConnection, appSources, SMOKE_FLAGS } from './hub-host';
import { registerIpc } from './ipc';
import { desktopHandlers } from './ipc-handlers';
import { LOG_LIMITS, RotatingFile } from './log-file';
import type { RotationLimits } from './log-file';
import { offerFirewallRule } from './firewall-offer';
import { KeepAwake } from './keep-awake';
import { installMenu } from './menu';
import { guardSession, guardWebContents } from './navigation';
import { migrateUserData } from './data-location';
import {
  ensureDefaultConfig,
  readPackage,
  resources,
  roamingUserDataDir,
  setupPaths,
  usePaths,
} from './paths';
import type { AppPaths } from './paths';
import { checkBridge, checkPages, smokeReport } from './smoke-test';
import { startFirstHub } from './startup';
import { StatusTray, trayIcons } from './tray';
import { githubRepository, UpdateOffer } from './updates';
import type { UpdateOptions } from './updates';
import { createDashboardWindow, showWindow } from './window';

export const SMOKE_TEST_FLAG = '--smoke-test';
/** How long Quit waits for the hub to close its sockets and database. */
const STOP_TIMEOUT_MS = 10_000;
const TRAY_POLL_MS = 2000;

export interface RunOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The running executable, for autostart entries. */
  execPath?: string;
  /** The folder holding out/, renderer/dist and build/icons. */
  root?: string;
  /** Where the smoke test's verdict and fatal errors are written. */
  report?(line: string): void;
  /** Where uncaughtException and unhandledRejection come from: process, or a stand-in in tests. */
  processEvents?: GuardOptions['events'];
  /** Runs PowerShell on Windows; tests answer as Windows would. */
  commands?: CommandRunner;
  /** Where and how often to look for a newer release; tests point it at a local server. */
  updates?: Partial<
    Pick<UpdateOptions, 'repository' | 'apiBase' | 'firstDelayMs' | 'intervalMs' | 'retryMs'>
  >;
  logLimits?: RotationLimits;
  crashLimit?: GuardOptions['limit'];
}

export interface DesktopApp {
  readonly paths: AppPaths;
  readonly window: BrowserWindow;
  readonly tray: StatusTray;
  readonly supervisor: HubSupervisor;
  /** The hub running now, if any. */
  hub(): Hub | undefined;
  /** Settles once the first hub runs, or the app gave up starting one. */
  readonly started: Promise<void>;
  /** Settles once a quit has stopped the hub and closed its database. */
  readonly stopped: Promise<void>;
}

export function launchFlags(argv: readonly string[]): { hidden: boolean; smokeTest: boolean } {
  return { hidden: argv.includes(HIDDEN_FLAG), smokeTest: argv.includes(SMOKE_TEST_FLAG) };
}

/** Runs the app; undefined when another instance holds the lock (this one quits). */
export async function runApp(
  electron: ElectronApi,
  o: RunOptions,
): Promise<DesktopApp | undefined> {
  const { app, dialog, shell } = electron;
  const platform = o.platform ?? process.platform;
  const report = o.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const flags = launchFlags(o.argv);
  let paths = setupPaths(app, { ...flags, platform, env: o.env });
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  // Once, on Windows: the data moves from Roaming to Local AppData; if it cannot, this start uses it where it is.
  const moved =
    platform === 'win32' && !flags.smokeTest
      ? migrateUserData(roamingUserDataDir(app), paths.userData)
      : undefined;
  if (moved?.outcome === 'failed') paths = usePaths(app, moved.from);
  app.enableSandbox();
  startCrashReporter(app, electron.crashReporter, paths.crashDumpsDir);
  const files = resources(o.root);

  let quitting = false;
  let exitCode: number | undefined;
  // Set once ready; the launch events below may come before.
  const ui: { window?: BrowserWindow } = {};
  let running: Hub | undefined;
  let nextPage = '';
  /** Set when the first start needs the teacher (a temporary port): shown even if started hidden. */
  let showOnStart = false;
  /** The window's latest load of the dashboard: the smoke test waits for it. */
  let dashboardLoaded: Promise<unknown> = Promise.resolve();
  let hubStopped = false;
  let stopDone!: () => void;
  const stopped = new Promise<void>((resolve) => (stopDone = resolve));

  app.on('second-instance', (_event, argv) => {
    if (ui.window && !argv.includes(HIDDEN_FLAG)) showWindow(ui.window);
  });
  app.on('activate', () => ui.window && showWindow(ui.window));
  app.on('window-all-closed', () => {
    // Stay in the tray: only Quit ends the app.
  });
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, shell));
  trustHubCertificate(app, () =>
    running?.config.CertFile
      ? { origin: new URL(adminConnection(running).url).origin, certFile: running.config.CertFile }
      : undefined,
  );
  // Replaced once the hub, tray and log exist: a quit during start-up has nothing to stop.
  let shutdown = async (): Promise<void> => undefined;
  let stopping: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    quitting = true;
    if (hubStopped) return;
    event.preventDefault();
    stopping ??= shutdown()
      .catch((err: Error) => report(`lanboard: stopping the hub failed: ${err.message}`))
      .finally(() => {
        hubStopped = true;
        stopDone();
        if (exitCode !== undefined) app.exit(exitCode);
        else app.quit();
      });
  });

  await app.whenReady();
  guardSession(electron.session.defaultSession);
  ensureDefaultConfig(paths);
  const logFile = new RotatingFile(paths.logFile, o.logLimits ?? LOG_LIMITS);
  const crashFile = new RotatingFile(paths.crashFile, { maxBytes: 256 * 1024, keep: 1 });
  const sources = appSources(paths, o.env, flags.smokeTest ? SMOKE_FLAGS : {});

  const window = createDashboardWindow(electron, {
    preload: files.preload,
    devTools: !app.isPackaged,
    icon: files.windowIcon,
    isQuitting: () => quitting,
  });
  ui.window = window;
  const startHidden =
    flags.hidden ||
    flags.smokeTest ||
    (platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);

  const supervisor = new HubSupervisor({
    sources,
    hubOptions: { dashboardDir: files.dashboardDir, boardDir: files.boardDir },
    logDestination: logFile,
    onStart(hub) {
      const first = running === undefined;
      running = hub;
      // The restart moved the hub (port, TLS): the window follows it.
      dashboardLoaded = window.loadURL(adminConnection(hub).url + nextPage).catch(() => undefined);
      nextPage = '';
      if (first && (showOnStart || !startHidden)) showWindow(window);
      tray.update(trayStatus());
    },
    onFatal(err) {
      running = undefined;
      tray.update(undefined);
      dialog.showErrorBox('Lanboard stopped', `The hub could not restart: ${err.message}`);
    },
  });

  // The app's own lines go where the hub's do: the file and the dashboard's Logs page.
  const log = createLogger({ level: 'info', destination: logFile, ring: supervisor.logs }).child({
    component: 'desktop',
  });
  if (moved?.outcome === 'moved')
    log.info({ from: moved.from, to: moved.to }, 'moved the data to Local AppData');
  if (moved?.outcome === 'failed')
    log.error(
      { from: moved.from, to: moved.to, err: moved.error },
      'could not move the data to Local AppData: using it where it is',
    );
  const record = crashRecorder(crashFile, log);
  const unguard = guardProcess({
    events: o.processEvents ?? process,
    log,
    record,
    recover: () => supervisor.recover(),
    limit: o.crashLimit,
    giveUp(err) {
      dialog.showErrorBox(
        'Lanboard keeps failing',
        `The hub failed again and again, so Lanboard stopped restarting it: ${err.message}\n\nQuit and start Lanboard again; if it keeps happening, send the logs folder (Settings) to whoever looks after Lanboard.`,
      );
    },
  });
  watchProcesses(app, {
    log,
    record,
    reloadWindow(id) {
      if (quitting || window.isDestroyed() || window.webContents.id !== id || !running)
        return false;
      dashboardLoaded = window.loadURL(adminConnection(running).url).catch(() => undefined);
      return true;
    },
  });

  const keepAwake = new KeepAwake(electron.powerSaveBlocker, log);
  const state = new StateFile(paths.stateFile);
  const pkg = readPackage(files.packageJson);
  const updates = new UpdateOffer({
    repository: githubRepository(pkg.repository),
    currentVersion: pkg.version,
    enabled: () => !flags.smokeTest && Boolean(running?.config.UpdateCheck),
    dialog,
    shell,
    state,
    log,
    ...o.updates,
  });
  /**
   * Polled: the tray's text and icon, the computer kept awake while anyone is
   * connected, and an update checked for and offered only when nobody is.
   */
  const trayStatus = () => {
    const connections = running?.stats().connections ?? 0;
    const awake = keepAwake.update(connections);
    if (running) updates.tick(connections);
    const update = updates.available?.version;
    return running && { port: Number(new URL(running.url()).port), connections, awake, update };
  };
  const tray = new StatusTray(electron, trayIcons(files.trayDir, platform), {
    openDashboard: () => showWindow(window),
    copyJoinLink: () => {
      const hub = running;
      if (!hub) return;
      void hub.joinInfo().then((j) => electron.clipboard.writeText(j.preferredUrl));
    },
    downloadUpdate: () => void updates.openDownload(),
    quit: () => app.quit(),
  });
  const poll = setInterval(() => tray.update(trayStatus()), TRAY_POLL_MS);
  poll.unref?.();

  installMenu(electron, platform, !app.isPackaged, {
    openDashboard: () => showWindow(window),
    openLogsFolder: () => void shell.openPath(paths.logsDir),
  });

  const exe = o.execPath ?? process.execPath;
  const login = autostart({ app, platform, env: o.env, exe, mainEntry: files.mainEntry });
  const run = o.commands ?? runCommand;
  registerIpc(
    electron.ipcMain,
    desktopHandlers({
      platform,
      run,
      exe,
      window,
      dialog,
      shell,
      logsDir: paths.logsDir,
      login,
      running: () => running,
    }),
  );

  shutdown = async () => {
    clearInterval(poll);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
    await Promise.race([supervisor.stop().catch(() => undefined), timeout]);
    clearTimeout(timer);
    running = undefined;
    keepAwake.release();
    tray.destroy();
    unguard();
    await new Promise<void>((resolve) => logFile.end(resolve));
    await new Promise<void>((resolve) => crashFile.end(resolve));
  };

  async function smokeTest(): Promise<void> {
    const checks = running
      ? [...(await checkPages(running)), await checkBridge(window.webContents, dashboardLoaded)]
      : [{ what: 'the hub', ok: false, detail: 'not running' }];
    const { ok, line } = smokeReport(checks);
    report(line);
    exitCode = ok ? 0 : 1;
    app.quit();
  }

  // Before the hub first listens on the LAN (Windows would prompt instead).
  const firewallOffered =
    platform === 'win32' && !flags.smokeTest
      ? offerFirewallRule({ run, exe, dialog, state, log }).catch((err: Error) =>
          log.warn({ err: err.message }, 'could not check Windows Firewall'),
        )
      : Promise.resolve();
  const started = firewallOffered
    .then(() =>
      startFirstHub({
        app,
        dialog,
        shell,
        supervisor,
        sources,
        configFile: paths.configFile,
        smokeTest: flags.smokeTest,
        openSettings() {
          nextPage = 'settings';
          showOnStart = true;
        },
      }),
    )
    .catch((err: Error) => {
      report(`lanboard: the hub could not start: ${err.message}`);
      if (!flags.smokeTest) dialog.showErrorBox('Lanboard could not start', err.message);
      exitCode = 1;
      app.quit();
    })
    .then(() => (flags.smokeTest && exitCode === undefined ? smokeTest() : undefined));

  return {
    paths,
    window,
    tray,
    supervisor,
    hub: () => running,
    started,
    stopped,
  };
}
