// In the desktop app, the preload hands the dashboard its admin token (never
// in a URL, which would be logged and kept in history), which the page
// exchanges for the login cookie at each start. In a browser there is no
// preload: the token comes from the address, or the login prompt.
import type { DesktopApi } from '../../../app/ipc-contract';

declare global {
  interface Window {
    lanboardDesktop?: DesktopApi;
  }
}

/** The desktop app's extras (file pickers, logs folder, start at login), when running inside it. */
export const desktop: DesktopApi | undefined = window.lanboardDesktop;

export async function takeTokenFromDesktop(): Promise<string | undefined> {
  if (!desktop) return undefined;
  try {
    return (await desktop.adminConnection()).token;
  } catch {
    return undefined; // The hub is restarting: the login prompt explains what to do.
  }
}
