// The dashboard window. Its renderer is locked down
// (docs/architecture.md#the-desktop-app-runs-the-hub-in-process): the
// dashboard is a web page that talks to the hub over HTTP, and needs nothing
// from Node. Closing it hides it to the tray; only Quit ends the app.
import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { ElectronApi } from './electron-api';

/** `devTools` only in development: a release build cannot open them at all. */
export function secureWebPreferences(preload: string, devTools = false): WebPreferences {
  return {
    preload,
    devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface WindowOptions {
  preload: string;
  /** Developer tools: `npm start` only, never a packaged app. */
  devTools?: boolean;
  icon?: string;
  /** True once the app is quitting: then a close really closes. */
  isQuitting(): boolean;
}

export function createDashboardWindow(
  electron: Pick<ElectronApi, 'BrowserWindow'>,
  o: WindowOptions,
): BrowserWindow {
  const options: BrowserWindowConstructorOptions = {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Lanboard',
    show: false,
    backgroundColor: '#f7f8fa',
    webPreferences: secureWebPreferences(o.preload, o.devTools),
  };
  if (o.icon) options.icon = o.icon;
  const win = new electron.BrowserWindow(options);
  win.on('close', (event) => {
    if (o.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  return win;
}

/** Brings the window to the front: from the tray, a second launch, or the dock. */
export function showWindow(win: BrowserWindow): void {
  if (win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
