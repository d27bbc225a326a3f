// Start at login, into the tray (`--hidden`). macOS and Windows have a login
// item API; on Linux Electron's does nothing (electron/electron#15198), so we
// write an XDG autostart entry ourselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'electron';

export const HIDDEN_FLAG = '--hidden';

export interface AutostartOptions {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings' | 'isPackaged'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The running executable (process.execPath). */
  exe: string;
  /** In development, the entry `electron` was given; the packaged app needs none. */
  mainEntry: string;
}

export interface Autostart {
  get(): boolean;
  set(enabled: boolean): void;
}

export function autostart(o: AutostartOptions): Autostart {
  // An AppImage runs from a temporary mount: the entry must name the AppImage file.
  const exe = (o.platform === 'linux' && o.env.APPIMAGE) || o.exe;
  const args = [...(o.app.isPackaged ? [] : [o.mainEntry]), HIDDEN_FLAG];
  if (o.platform === 'linux') {
    const file = autostartFile(o.env);
    return {
      get: () => fs.existsSync(file),
      set(enabled) {
        if (!enabled) return fs.rmSync(file, { force: true });
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, desktopEntry([exe, ...args]));
      },
    };
  }
  // Windows compares path and args to find the entry; macOS ignores both.
  const query = { path: exe, args };
  return {
    get: () => o.app.getLoginItemSettings(query).openAtLogin,
    set: (enabled) => o.app.setLoginItemSettings({ openAtLogin: enabled, ...query }),
  };
}

export function autostartFile(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  return path.join(configHome, 'autostart', 'lanboard.desktop');
}

/** An XDG autostart entry (Desktop Entry Specification 1.5). */
export function desktopEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.5',
    'Name=Lanboard',
    'Comment=Classroom collaboration hub',
    `Exec=${command.map(execArgument).join(' ')}`,
    'Icon=lanboard',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Quotes one Exec argument as the spec asks: reserved characters need double
 * quotes, inside which `"`, `` ` ``, `$` and `\` are backslash-escaped; `%` is
 * doubled (field codes); then the string escaping of the file doubles every
 * backslash again.
 */
export function execArgument(arg: string): string {
  const percent = arg.replace(/%/g, '%%');
  if (/^[\w/.,:@+=%-]+$/.test(arg)) return percent;
  const quoted = `"${percent.replace(/["`$\\]/g, '\\$&')}"`;
  return quoted.replace(/\\/g, '\\\\');
}
