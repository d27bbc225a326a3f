// The application menu, instead of Electron's default one, whose View menu
// offers Reload (which would drop the dashboard's state mid-lesson) and
// Toggle Developer Tools. Release builds get neither; a development run
// (`npm start`, not packaged) keeps both. The Edit menu stays: on macOS,
// copy and paste in the dashboard's fields work only through it.
import type { MenuItemConstructorOptions } from 'electron';
import type { ElectronApi } from './electron-api';

export interface MenuActions {
  openDashboard(): void;
  openLogsFolder(): void;
}

export function menuTemplate(
  platform: NodeJS.Platform,
  developer: boolean,
  actions: MenuActions,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
    ...(developer
      ? ([
          { type: 'separator' },
          { role: 'reload' },
          { role: 'toggleDevTools' },
        ] satisfies MenuItemConstructorOptions[])
      : []),
  ];
  return [
    ...(mac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open dashboard', click: () => actions.openDashboard() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Open logs folder', click: () => actions.openLogsFolder() }],
    },
  ];
}

export function installMenu(
  electron: Pick<ElectronApi, 'Menu'>,
  platform: NodeJS.Platform,
  developer: boolean,
  actions: MenuActions,
): void {
  electron.Menu.setApplicationMenu(
    electron.Menu.buildFromTemplate(menuTemplate(platform, developer, actions)),
  );
}
