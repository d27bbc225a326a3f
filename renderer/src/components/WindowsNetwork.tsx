// What only the desktop app on Windows can tell the teacher about students
// reaching this computer (app/windows-network.ts): a network Windows treats as
// Public, where its firewall blocks them, and Lanboard's firewall rule, with a
// button that adds it through the administrator prompt. Elsewhere, and in a
// browser, nothing shows.
import { useEffect, useState } from 'react';
import type { FirewallChange, NetworkStatus } from '../../../app/ipc-contract';
import { desktop } from '../lib/desktop';

export function WindowsNetwork() {
  const [status, setStatus] = useState<NetworkStatus | null>(null);
  const [change, setChange] = useState<FirewallChange>();
  const [busy, setBusy] = useState(false);
  const refresh = () => void desktop?.networkStatus().then(setStatus, () => setStatus(null));
  useEffect(refresh, []);
  if (!desktop || !status) return null;
  const api = desktop;
  const allow = () => {
    setBusy(true);
    api
      .allowThroughFirewall()
      .then(setChange, (err: Error) => setChange({ ok: false, message: err.message }))
      .finally(() => {
        setBusy(false);
        refresh();
      });
  };
  const publicNames = status.publicNetworks.map((n) => `“${n}”`).join(', ');
  return (
    <div data-testid="windows-network">
      {status.publicNetworks.length > 0 && (
        <p className="error" role="alert">
          <strong>
            Windows treats {publicNames} as a Public network, and blocks students&apos; devices
            there.
          </strong>{' '}
          If this is the school&apos;s network, make it private: Settings → Network &amp; Internet →
          the network → Network profile type → Private network (or ask IT). On a network you do not
          trust, such as a café&apos;s, leave it Public.
        </p>
      )}
      {(status.firewall === 'missing' || status.firewall === 'blocked') && (
        <>
          <p>
            {status.firewall === 'blocked'
              ? 'Windows Firewall blocks Lanboard on private networks.'
              : 'Windows Firewall has no rule letting students reach Lanboard.'}{' '}
            Allowing it asks for an administrator once; public networks stay closed.
          </p>
          <p className="actions">
            <button type="button" onClick={allow} disabled={busy}>
              {busy ? 'Waiting for the administrator…' : 'Allow through the firewall…'}
            </button>
          </p>
        </>
      )}
      {change && <p className={change.ok ? 'ok' : 'error'}>{change.message}</p>}
    </div>
  );
}
