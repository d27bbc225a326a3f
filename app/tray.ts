// The tray: the hub's state and connection count, and the three things a
// teacher does from it. GNOME shows no tray without an extension, which is
// why the window always stays reachable (a second launch shows it).
import type { MenuItemConstructorOptions, Tray } from 'electron';
import type { ElectronApi } from './electron-api';

export interface TrayStatus {
  /** Undefined while no hub is running. */
  port?: number;
  connections: number;
}

export interface TrayActions {
  openDashboard(): void;
  copyJoinLink(): void;
  quit(): void;
}

export function statusText(s: TrayStatus | undefined): string {
  if (s?.port === undefined) return 'Lanboard: hub not running';
  const n = s.connections;
  return `Lanboard: running on port ${s.port}, ${n} connection${n === 1 ? '' : 's'}`;
}

export class StatusTray {
  readonly tray: Tray;
  private shown = '';

  constructor(
    private readonly electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>,
    icon: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new electron.Tray(electron.nativeImage.createFromPath(icon));
    this.tray.on('click', () => actions.openDashboard());
    this.update(undefined);
  }

  /** Rebuilds the menu only when the text changed (it is polled). */
  update(status: TrayStatus | undefined): void {
    const text = statusText(status);
    if (text === this.shown || this.tray.isDestroyed()) return;
    this.shown = text;
    this.tray.setToolTip(text);
    const template: MenuItemConstructorOptions[] = [
      { label: text, enabled: false },
      { type: 'separator' },
      { label: 'Open dashboard', click: () => this.actions.openDashboard() },
      {
        label: 'Copy join link',
        enabled: status?.port !== undefined,
        click: () => this.actions.copyJoinLink(),
      },
      { type: 'separator' },
      { label: 'Quit', click: () => this.actions.quit() },
    ];
    this.tray.setContextMenu(this.electron.Menu.buildFromTemplate(template));
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
