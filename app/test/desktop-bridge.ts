// A stand-in for the preload's bridge in a browser page (an init script), for
// the dashboard's Windows parts: the DesktopApi as the Windows app on a café's
// Wi-Fi with no firewall rule would answer. Used by
// app/windows-dashboard.browser.test.ts and scripts/docs-screenshots.ts; the
// real preload is tested in scripts/build-app.test.ts and the smoke test.

/** The script; the page's calls are kept in `window.__bridgeCalls`. */
export function bridgeScript(url: string, token: string): string {
  return `(() => {
    const calls = [];
    let firewall = 'missing';
    window.__bridgeCalls = calls;
    window.lanboardDesktop = {
      adminConnection: async () => (calls.push('adminConnection'), { url: ${JSON.stringify(url)}, token: ${JSON.stringify(token)} }),
      pickFile: async () => null,
      openLogsFolder: async () => undefined,
      getAutostart: async () => false,
      setAutostart: async (on) => on,
      networkStatus: async () => (calls.push('networkStatus'), { publicNetworks: ['Cafe Wi-Fi'], firewall }),
      allowThroughFirewall: async () => {
        calls.push('allowThroughFirewall');
        firewall = 'allowed';
        return { ok: true, message: 'Windows Firewall now lets devices on private networks reach Lanboard.' };
      },
    };
  })();`;
}
