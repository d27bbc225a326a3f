// The only place the app computes paths (docs/desktop.md#where-it-keeps-its-data).
// Config, database and logs live under userData; the app's own files (the
// bundles, the built dashboard and board, the icons) are found from the app's
// root, which is the folder above both app/ (tests, tsx) and out/ (the bundle,
// also inside the asar).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'electron';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface AppPaths {
  /** app.getPath('userData'): Chromium's profile, and ours. */
  userData: string;
  /** The config file the dashboard's Settings page edits. */
  configFile: string;
  /** The hub's DataDir: the SQLite file and the admin token. */
  dataDir: string;
  logsDir: string;
  /** The hub's and the app's log, rotated by size (log-file.ts). */
  logFile: string;
  /** Errors nothing handled and processes that died, one JSON line each. */
  crashFile: string;
  /** Crashpad's dumps of native crashes, kept here and never uploaded. */
  crashDumpsDir: string;
  /** What the app remembers between starts (app-state.ts). */
  stateFile: string;
}

export interface Resources {
  preload: string;
  /** The built dashboard (renderer/dist), served under AdminPath. */
  dashboardDir: string;
  /** The built classroom board and join page (renderer/board/dist), served at / and /board/. */
  boardDir: string;
  /** The window's icon on Linux and Windows (macOS takes the app's). */
  windowIcon: string;
  /** The tray's icons for every OS and state (tray.ts picks). */
  trayDir: string;
  /** What `electron <entry>` ran in development; autostart repeats it. */
  mainEntry: string;
  /** The app's version, and the repository its releases come from (updates.ts). */
  packageJson: string;
}

export function resources(root = APP_ROOT): Resources {
  return {
    preload: path.join(root, 'out', 'preload.cjs'),
    dashboardDir: path.join(root, 'renderer', 'dist'),
    boardDir: path.join(root, 'renderer', 'board', 'dist'),
    windowIcon: path.join(root, 'build', 'icons', '256x256.png'),
    trayDir: path.join(root, 'build', 'tray'),
    mainEntry: path.join(root, 'out', 'main.mjs'),
    packageJson: path.join(root, 'package.json'),
  };
}

/**
 * Where the app keeps everything. On Windows that is Local AppData
 * (`%LOCALAPPDATA%\Lanboard`), not Roaming: schools often redirect Roaming to
 * a network share, where SQLite's WAL does not work and a roaming profile
 * would copy the database at every logon. Elsewhere it is Electron's appData
 * (`~/Library/Application Support`, `~/.config`).
 */
export function userDataDir(
  app: Pick<App, 'getPath'>,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): string {
  if (platform !== 'win32') return path.join(app.getPath('appData'), 'Lanboard');
  const local = env.LOCALAPPDATA || path.join(app.getPath('home'), 'AppData', 'Local');
  return path.join(local, 'Lanboard');
}

/** Earlier versions kept Windows data in Roaming AppData (data-location.ts moves it). */
export function roamingUserDataDir(app: Pick<App, 'getPath'>): string {
  return path.join(app.getPath('appData'), 'Lanboard');
}

/**
 * Fixes userData before anything reads it (the single-instance lock is keyed
 * on it). `electron out/main.mjs` in development would otherwise use
 * "Electron"; the smoke test uses a fresh folder so that it never touches, or
 * waits on, a teacher's real Lanboard.
 */
export function setupPaths(
  app: Pick<App, 'getPath' | 'setPath' | 'setAppLogsPath'>,
  o: { smokeTest: boolean; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv },
): AppPaths {
  const userData = o.smokeTest
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-smoke-'))
    : userDataDir(app, o.platform ?? process.platform, o.env ?? process.env);
  return usePaths(app, userData);
}

/** Points Electron at `userData` and names what lives under it. */
export function usePaths(app: Pick<App, 'setPath' | 'setAppLogsPath'>, userData: string): AppPaths {
  app.setPath('userData', userData);
  const logsDir = path.join(userData, 'logs');
  app.setAppLogsPath(logsDir);
  return {
    userData,
    configFile: path.join(userData, 'lanboard.conf'),
    dataDir: path.join(userData, 'data'),
    logsDir,
    logFile: path.join(logsDir, 'lanboard.log'),
    crashFile: path.join(logsDir, 'crashes.log'),
    crashDumpsDir: path.join(logsDir, 'crash-dumps'),
    stateFile: path.join(userData, 'desktop-state.json'),
  };
}

/** Writes the first-run config, which pins DataDir under userData. False if one exists. */
export function ensureDefaultConfig(paths: AppPaths): boolean {
  fs.mkdirSync(paths.logsDir, { recursive: true });
  if (fs.existsSync(paths.configFile)) return false;
  const text = [
    '# Lanboard settings. The dashboard (Settings) edits this file; the keys are',
    "# zwibbler.conf's plus Lanboard's own, listed in Lanboard's docs/configuration.md.",
    `DataDir=${paths.dataDir}`,
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(paths.configFile), { recursive: true });
  fs.writeFileSync(paths.configFile, text, { flag: 'wx' });
  return true;
}

/** The app's package.json: its version and `repository` (empty when unreadable). */
export function readPackage(file: string): { version: string; repository?: unknown } {
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { version: String(pkg.version ?? '0'), repository: pkg.repository };
  } catch {
    return { version: '0' };
  }
}
