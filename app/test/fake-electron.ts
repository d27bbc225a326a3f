// A fake of the parts of Electron the app uses, recording what the app asks
// of it. Events are Node EventEmitters, as Electron's are; `preventable()`
// builds the event object Electron passes to listeners that may cancel.
// A window runs its preload (the real bundle, when it exists) in a vm context
// standing for the page's main world, as far as a fake can: contextBridge puts
// the API on that context's `window`, and ipcRenderer.invoke reaches the fake
// ipcMain with an event naming the window and the page it shows.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import vm from 'node:vm';
import type { ElectronApi } from '../electron-api';

export interface PreventableEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function preventable(): PreventableEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  url = '';
  /** The page's main world, once a preload ran for it. */
  page: vm.Context | undefined;
  /** Why the preload did not run, as Electron would log it. */
  preloadError: string | undefined;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  /** As Electron: evaluated in the page (here, the preload's context), promises awaited, the result cloned. */
  async executeJavaScript(code: string): Promise<unknown> {
    const page = this.page ?? vm.createContext({});
    return structuredClone(await vm.runInContext(code, page));
  }
}

/** Runs the preload bundle for `contents` the way a sandboxed preload runs: `require('electron')` only. */
function runPreload(contents: FakeWebContents, preload: unknown, ipcMain: FakeIpcMain): void {
  const page: Record<string, unknown> = {};
  page.window = page;
  contents.page = vm.createContext(page);
  contents.preloadError = undefined;
  if (typeof preload !== 'string') return;
  let code: string;
  try {
    code = fs.readFileSync(preload, 'utf8');
  } catch (err) {
    contents.preloadError = `Unable to load preload script: ${preload} (${(err as Error).message})`;
    return;
  }
  const electron = {
    contextBridge: {
      exposeInMainWorld: (name: string, api: unknown) => void (page[name] = api),
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) =>
        ipcMain.invoke(channel, ipcEvent(contents, contents.url), ...args),
    },
  };
  const require = (id: string) => {
    if (id === 'electron') return electron;
    throw new Error(`module not found: ${id} (a sandboxed preload can require only electron)`);
  };
  vm.runInNewContext(code, { require, module: { exports: {} }, exports: {} });
}

export class FakeApp extends EventEmitter {
  lockAvailable = true;
  sandboxed = false;
  isPackaged = false;
  quitCalls = 0;
  exitCode: number | undefined;
  readonly paths = new Map<string, string>();
  logsPath: string | undefined;
  loginItem = { openAtLogin: false, wasOpenedAtLogin: false };
  loginItemCalls: unknown[] = [];

  constructor(appData: string) {
    super();
    this.paths.set('appData', appData);
  }
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(name: string): string {
    const p = this.paths.get(name);
    if (!p) throw new Error(`fake electron: no path ${name}`);
    return p;
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  setAppLogsPath(value: string): void {
    this.logsPath = value;
  }
  getLoginItemSettings(options?: unknown) {
    this.loginItemCalls.push({ get: options });
    return { ...this.loginItem };
  }
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.loginItemCalls.push({ set: settings });
    this.loginItem.openAtLogin = Boolean(settings.openAtLogin);
  }
  /** As Electron: before-quit may be cancelled; otherwise the app quits. */
  quit(): void {
    this.quitCalls++;
    const event = preventable();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.emit('will-quit', preventable());
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static app: FakeApp | undefined;
  static ipcMain: FakeIpcMain | undefined;
  static readonly all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  visible = false;
  minimized = false;
  destroyed = false;
  focused = 0;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
    FakeBrowserWindow.app?.emit('web-contents-created', preventable(), this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.url = url;
    const prefs = this.options.webPreferences as { preload?: unknown } | undefined;
    if (FakeBrowserWindow.ipcMain)
      runPreload(this.webContents, prefs?.preload, FakeBrowserWindow.ipcMain);
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** As the user's close button: the app may cancel it. */
  close(): void {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

export class FakeTray extends EventEmitter {
  static readonly all: FakeTray[] = [];
  tooltip = '';
  menu:
    | { items: Array<{ label?: string; type?: string; enabled?: boolean; click?: () => void }> }
    | undefined;
  destroyed = false;
  /** Every image set after the first, in order. */
  readonly images: unknown[] = [];
  constructor(readonly image: unknown) {
    super();
    FakeTray.all.push(this);
  }
  /** The image shown now. */
  get current(): unknown {
    return this.images.at(-1) ?? this.image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setImage(image: unknown): void {
    this.images.push(image);
  }
  setContextMenu(menu: FakeTray['menu']): void {
    this.menu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Clicks the menu item with this label. */
  click(label: string): void {
    const item = this.menu?.items.find((i) => i.label === label);
    if (!item?.click) throw new Error(`fake tray: no item "${label}"`);
    item.click();
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** As ipcRenderer.invoke would reach the handler: a throw becomes a rejection. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

export interface MessageBoxCall {
  type?: string;
  message: string;
  detail?: string;
  buttons?: string[];
}

export class FakeElectron {
  readonly app: FakeApp;
  readonly ipcMain = new FakeIpcMain();
  readonly messageBoxes: MessageBoxCall[] = [];
  /** The button index each message box answers; 0 when the list runs out. */
  readonly messageBoxAnswers: number[] = [];
  readonly errorBoxes: Array<{ title: string; content: string }> = [];
  readonly openDialogAnswers: Array<{ canceled: boolean; filePaths: string[] }> = [];
  readonly externalUrls: string[] = [];
  readonly openedPaths: string[] = [];
  readonly clipboardTexts: string[] = [];
  permissionHandler: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
  permissionCheck: (() => boolean) | undefined;
  headersListener:
    | ((
        details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
        callback: (r: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | undefined;

  /** What crashReporter.start was given, in order. */
  readonly crashReporterStarts: unknown[] = [];
  readonly crashReporter = {
    start: (options: unknown) => void this.crashReporterStarts.push(options),
  };
  /** Power save blockers started and not stopped, by id. */
  readonly powerBlockers = new Map<number, string>();
  private nextBlocker = 1;
  readonly powerSaveBlocker = {
    start: (type: string) => {
      const id = this.nextBlocker++;
      this.powerBlockers.set(id, type);
      return id;
    },
    stop: (id: number) => this.powerBlockers.delete(id),
    isStarted: (id: number) => this.powerBlockers.has(id),
  };
  readonly BrowserWindow = FakeBrowserWindow;
  readonly Tray = FakeTray;
  /** The menu given to Menu.setApplicationMenu, if any. */
  applicationMenu: { items: unknown[] } | null | undefined;
  readonly Menu = {
    buildFromTemplate: (items: unknown[]) => ({ items }),
    setApplicationMenu: (menu: { items: unknown[] } | null) => void (this.applicationMenu = menu),
  };
  readonly nativeImage = { createFromPath: (path: string) => ({ path }) };
  readonly clipboard = { writeText: (text: string) => void this.clipboardTexts.push(text) };
  readonly shell = {
    openExternal: async (url: string) => void this.externalUrls.push(url),
    openPath: async (path: string) => {
      this.openedPaths.push(path);
      return '';
    },
    showItemInFolder: (path: string) => void this.openedPaths.push(path),
  };
  readonly dialog = {
    showMessageBox: async (...args: unknown[]) => {
      this.messageBoxes.push(args[args.length - 1] as MessageBoxCall);
      return { response: this.messageBoxAnswers.shift() ?? 0, checkboxChecked: false };
    },
    showOpenDialog: async () => this.openDialogAnswers.shift() ?? { canceled: true, filePaths: [] },
    showErrorBox: (title: string, content: string) => void this.errorBoxes.push({ title, content }),
  };
  readonly session = {
    defaultSession: {
      setPermissionRequestHandler: (h: FakeElectron['permissionHandler']) => {
        this.permissionHandler = h;
      },
      setPermissionCheckHandler: (h: FakeElectron['permissionCheck']) => {
        this.permissionCheck = h;
      },
      webRequest: {
        onHeadersReceived: (l: FakeElectron['headersListener']) => {
          this.headersListener = l;
        },
      },
    },
  };

  constructor(appData: string) {
    this.app = new FakeApp(appData);
    FakeBrowserWindow.app = this.app;
    FakeBrowserWindow.ipcMain = this.ipcMain;
    FakeBrowserWindow.all.length = 0;
    FakeTray.all.length = 0;
  }

  /** The fake, typed as the real module for the code under test. */
  get api(): ElectronApi {
    return this as unknown as ElectronApi;
  }
}

/** An IPC event as Electron builds it, from a webContents and the frame's URL. */
export function ipcEvent(
  sender: { id: number },
  frameUrl: string,
  options: { subframe?: boolean } = {},
): unknown {
  return { sender, senderFrame: { url: frameUrl, parent: options.subframe ? {} : null } };
}
