// The seam between the app and Electron: every feature module takes the parts
// of the `electron` namespace it uses, so the tests can pass a fake
// (app/test/fake-electron.ts) and main.ts passes the real module.
import type * as Electron from 'electron';

export type ElectronApi = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'Tray'
  | 'Menu'
  | 'ipcMain'
  | 'dialog'
  | 'shell'
  | 'clipboard'
  | 'nativeImage'
  | 'session'
  | 'crashReporter'
  | 'powerSaveBlocker'
>;
