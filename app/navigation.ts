// What any webContents may do besides showing the dashboard: nothing. It may
// not navigate away, open windows, attach webviews or ask for permissions;
// a link meant for a new window opens in the browser when its scheme is on
// the allow-list (element-desktop's webcontents-handler does the same).
import type { Session, Shell, WebContents } from 'electron';
import { dashboardCsp } from '../server/index';

const EXTERNAL_SCHEMES = new Set(['https:', 'http:', 'mailto:']);

/** The URL to hand to the OS, re-serialised, or undefined when it is not allowed. */
export function externalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!EXTERNAL_SCHEMES.has(url.protocol)) return undefined;
  if (url.username || url.password) return undefined;
  return url.href;
}

export function guardWebContents(contents: WebContents, shell: Pick<Shell, 'openExternal'>): void {
  // Restarts move the window from main (loadURL), which is not a navigation.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event, url) => {
    if (new URL(url).origin !== new URL(contents.getURL() || url).origin) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

/** No permission for the dashboard, and a CSP on every response, whatever the server sent. */
export function guardSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (details.resourceType === 'mainFrame' || details.resourceType === 'subFrame') {
      headers['Content-Security-Policy'] = [dashboardCsp(hostOf(details.url))];
    }
    callback({ responseHeaders: headers });
  });
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
