// The main side of the DesktopApi. The renderer is untrusted
// (docs/architecture.md#desktop-app): every handler first checks that the call comes from the main
// frame of our window showing the hub's dashboard, then checks its arguments
// exactly; anything else is refused with an error the renderer sees.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from './ipc-contract';
import type {
  AdminConnection,
  Channel,
  FileKind,
  FirewallChange,
  NetworkStatus,
} from './ipc-contract';

export interface IpcHandlers {
  /** Whether the event's sender and frame are ours (see trustedSender). */
  isTrusted(event: IpcMainInvokeEvent): boolean;
  adminConnection(): AdminConnection;
  pickFile(kind: FileKind): Promise<string | null>;
  openLogsFolder(): Promise<void>;
  getAutostart(): boolean;
  setAutostart(enabled: boolean): boolean;
  networkStatus(): Promise<NetworkStatus | null>;
  allowThroughFirewall(): Promise<FirewallChange>;
}

export class IpcRefused extends Error {
  constructor(channel: string, why: string) {
    super(`${channel}: ${why}`);
    this.name = 'IpcRefused';
  }
}

type ArgsParser<T extends unknown[]> = (args: unknown[]) => T | string;

const none: ArgsParser<[]> = (args) => (args.length === 0 ? [] : 'takes no arguments');

const fileKind: ArgsParser<[FileKind]> = (args) =>
  args.length === 1 && (args[0] === 'cert' || args[0] === 'key')
    ? [args[0]]
    : 'takes one argument, "cert" or "key"';

const flag: ArgsParser<[boolean]> = (args) =>
  args.length === 1 && typeof args[0] === 'boolean' ? [args[0]] : 'takes one boolean';

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, h: IpcHandlers): Channel[] {
  const registered: Channel[] = [];
  function handle<T extends unknown[]>(
    channel: Channel,
    parse: ArgsParser<T>,
    run: (...args: T) => unknown,
  ): void {
    ipcMain.handle(channel, (event, ...raw: unknown[]) => {
      if (!h.isTrusted(event)) throw new IpcRefused(channel, 'sender is not the dashboard');
      const args = parse(raw);
      if (typeof args === 'string') throw new IpcRefused(channel, args);
      return run(...args);
    });
    registered.push(channel);
  }
  handle(CHANNELS.adminConnection, none, () => h.adminConnection());
  handle(CHANNELS.pickFile, fileKind, (kind) => h.pickFile(kind));
  handle(CHANNELS.openLogsFolder, none, () => h.openLogsFolder());
  handle(CHANNELS.getAutostart, none, () => h.getAutostart());
  handle(CHANNELS.setAutostart, flag, (enabled) => h.setAutostart(enabled));
  handle(CHANNELS.networkStatus, none, () => h.networkStatus());
  handle(CHANNELS.allowThroughFirewall, none, () => h.allowThroughFirewall());
  return registered;
}

/**
 * The sender check: the event comes from `window`'s own webContents, from its
 * main frame, and that frame shows a page under the dashboard's base URL.
 */
export function trustedSender(
  event: IpcMainInvokeEvent,
  windowContents: () => { id: number } | undefined,
  dashboardBase: () => string | undefined,
): boolean {
  const contents = windowContents();
  const base = dashboardBase();
  const frame = event.senderFrame;
  if (!contents || !base || !frame || event.sender.id !== contents.id) return false;
  if (frame.parent !== null) return false;
  return isUnder(frame.url, base);
}

function isUnder(url: string, base: string): boolean {
  try {
    const u = new URL(url);
    const b = new URL(base);
    return u.origin === b.origin && u.pathname.startsWith(b.pathname);
  } catch {
    return false;
  }
}
