// What each DesktopApi call does in the main process; registerIpc (ipc.ts)
// checks the sender and the arguments before any of these runs.
import type { BrowserWindow, Dialog, Shell } from 'electron';
import type { Hub } from '../server/index';
import type { Autostart } from './autostart';
import type { CommandRunner } from './commands';
import { adminConnection } from './hub-host';
import type { IpcHandlers } from './ipc';
import { trustedSender } from './ipc';
import { allowThroughFirewall, networkStatus } from './windows-network';

export interface HandlerContext {
  platform: NodeJS.Platform;
  /** For Windows' network profiles and firewall rules. */
  run: CommandRunner;
  /** The running executable: what the firewall rule names. */
  exe: string;
  window: BrowserWindow;
  dialog: Pick<Dialog, 'showOpenDialog'>;
  shell: Pick<Shell, 'openPath'>;
  logsDir: string;
  login: Autostart;
  running(): Hub | undefined;
}

export function desktopHandlers(c: HandlerContext): IpcHandlers {
  return {
    isTrusted: (event) =>
      trustedSender(
        event,
        () => (c.window.isDestroyed() ? undefined : c.window.webContents),
        () => {
          const hub = c.running();
          return hub && adminConnection(hub).url;
        },
      ),
    adminConnection: () => {
      const hub = c.running();
      if (!hub) throw new Error('the hub is not running');
      return adminConnection(hub);
    },
    async pickFile(kind) {
      const result = await c.dialog.showOpenDialog(c.window, {
        title: kind === 'cert' ? 'Choose the TLS certificate' : 'Choose the TLS private key',
        properties: ['openFile'],
        filters: [
          kind === 'cert'
            ? { name: 'Certificates', extensions: ['pem', 'crt', 'cer'] }
            : { name: 'Private keys', extensions: ['pem', 'key'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async openLogsFolder() {
      const problem = await c.shell.openPath(c.logsDir);
      if (problem) throw new Error(problem);
    },
    getAutostart: () => c.login.get(),
    setAutostart(enabled) {
      c.login.set(enabled);
      return c.login.get();
    },
    networkStatus: async () => (c.platform === 'win32' ? networkStatus(c.run, c.exe) : null),
    async allowThroughFirewall() {
      if (c.platform !== 'win32')
        return { ok: false, message: 'Only Windows needs this: its firewall rule is per program.' };
      return allowThroughFirewall(c.run, c.exe);
    },
  };
}
