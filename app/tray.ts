// The tray: the hub's state and connection count, whether it keeps the
// computer awake, the three things a teacher does from it, and a newer
// release to download when there is one. Its icon shows
// running or stopped, in each OS's own form (build/tray/, rendered by
// scripts/make-icons.ts). GNOME shows no tray without an extension, which is
// why the window always stays reachable (a second launch shows it).
import path from 'node:path';
import type { MenuItemConstructorOptions, Tray } from 'electron';
import type { ElectronApi } from './electron-api';

export interface TrayStatus {
  /** Undefined while no hub is running. */
  port?: number;
  connections: number;
  /** The computer is kept from sleeping (keep-awake.ts). */
  awake?: boolean;
  /** A newer release to download (updates.ts). */
  update?: string;
}

export interface TrayActions {
  openDashboard(): void;
  copyJoinLink(): void;
  downloadUpdate(): void;
  quit(): void;
}

export interface TrayIcons {
  running: string;
  stopped: string;
}

/** macOS: template images (black and alpha, tinted by the menu bar); Windows: .ico; Linux: PNG. */
export function trayIcons(trayDir: string, platform: NodeJS.Platform): TrayIcons {
  const file = (state: 'running' | 'stopped') =>
    platform === 'darwin'
      ? `tray${state === 'running' ? 'Running' : 'Stopped'}Template.png`
      : `tray-${state}.${platform === 'win32' ? 'ico' : 'png'}`;
  return {
    running: path.join(trayDir, file('running')),
    stopped: path.join(trayDir, file('stopped')),
  };
}

export const AWAKE_TEXT = 'Keeping this computer awake while devices are connected';

export function statusText(s: TrayStatus | undefined): string {
  if (s?.port === undefined) return 'Lanboard: hub not running';
  const n = s.connections;
  return `Lanboard: running on port ${s.port}, ${n} connection${n === 1 ? '' : 's'}`;
}

export class StatusTray {
  readonly tray: Tray;
  private shown = '';
  private icon = '';

  constructor(
    private readonly electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>,
    private readonly icons: TrayIcons,
    private readonly actions: TrayActions,
  ) {
    this.icon = icons.stopped;
    this.tray = new electron.Tray(electron.nativeImage.createFromPath(icons.stopped));
    this.tray.on('click', () => actions.openDashboard());
    this.update(undefined);
  }

  /** Rebuilds the menu only when something shown changed (it is polled). */
  update(status: TrayStatus | undefined): void {
    if (this.tray.isDestroyed()) return;
    const running = status?.port !== undefined;
    const icon = running ? this.icons.running : this.icons.stopped;
    if (icon !== this.icon) {
      this.icon = icon;
      this.tray.setImage(this.electron.nativeImage.createFromPath(icon));
    }
    const text = statusText(status);
    const awake = running && Boolean(status?.awake);
    const update = status?.update;
    const key = `${text}|${awake}|${update}`;
    if (key === this.shown) return;
    this.shown = key;
    this.tray.setToolTip(awake ? `${text}; keeping the computer awake` : text);
    const template: MenuItemConstructorOptions[] = [
      { label: text, enabled: false },
      ...(awake ? [{ label: AWAKE_TEXT, enabled: false }] : []),
      { type: 'separator' },
      { label: 'Open dashboard', click: () => this.actions.openDashboard() },
      {
        label: 'Copy join link',
        enabled: running,
        click: () => this.actions.copyJoinLink(),
      },
      ...(update
        ? [{ label: `Download Lanboard ${update}…`, click: () => this.actions.downloadUpdate() }]
        : []),
      { type: 'separator' },
      { label: 'Quit', click: () => this.actions.quit() },
    ];
    this.tray.setContextMenu(this.electron.Menu.buildFromTemplate(template));
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
