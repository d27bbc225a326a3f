// The `electron` module for the bundled main process (out/main.mjs) run by
// plain Node, which scripts/packaged-layout.test.ts maps `electron` to: a
// FakeElectron whose app really ends the process, that prints each URL its
// windows load (how the test finds the hub's port), and that quits when the
// parent sends "quit".
import type { ElectronApi } from '../electron-api';
import { FakeBrowserWindow, FakeElectron } from './fake-electron';

const appData = process.env.LANBOARD_FAKE_APP_DATA;
if (!appData) throw new Error('LANBOARD_FAKE_APP_DATA names the fake appData folder');

const fake = new FakeElectron(appData);
fake.app.exit = (code = 0) => process.exit(code);
// Electron ends the process once will-quit goes unprevented.
fake.app.on('will-quit', () => setImmediate(() => process.exit(0)));
process.on('message', (message) => message === 'quit' && fake.app.quit());

const loadURL = FakeBrowserWindow.prototype.loadURL;
FakeBrowserWindow.prototype.loadURL = async function (this: FakeBrowserWindow, url: string) {
  process.stdout.write(`fake-electron: loadURL ${url}\n`);
  return loadURL.call(this, url);
};

// Every name of ElectronApi, or this does not compile.
const api: { [K in keyof ElectronApi]: unknown } = {
  app: fake.app,
  BrowserWindow: fake.BrowserWindow,
  Tray: fake.Tray,
  Menu: fake.Menu,
  ipcMain: fake.ipcMain,
  dialog: fake.dialog,
  shell: fake.shell,
  clipboard: fake.clipboard,
  nativeImage: fake.nativeImage,
  session: fake.session,
  crashReporter: fake.crashReporter,
  powerSaveBlocker: fake.powerSaveBlocker,
};

export const { app, BrowserWindow, Tray, Menu, ipcMain, dialog, shell, clipboard, nativeImage } =
  api;
export const { session, crashReporter, powerSaveBlocker } = api;
