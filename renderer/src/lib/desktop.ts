// In the desktop app, the preload hands the dashboard its admin token (never
// in a URL, which would be logged and kept in history). In a browser there is
// no preload, and the token comes from the address as before.
import type { DesktopApi } from '../../../app/ipc-contract';
import { setToken } from './token';

declare global {
  interface Window {
    lanboardDesktop?: DesktopApi;
  }
}

/** The desktop app's extras (file pickers, logs folder, start at login), when running inside it. */
export const desktop: DesktopApi | undefined = window.lanboardDesktop;

export async function takeTokenFromDesktop(): Promise<void> {
  if (!desktop) return;
  try {
    setToken((await desktop.adminConnection()).token);
  } catch {
    // The hub is restarting: the token prompt explains what to do.
  }
}
