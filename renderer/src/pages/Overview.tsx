import { useState } from 'react';
import type { SelftestReply, Snapshot } from '../../../server/admin/api-types';
import { WindowsNetwork } from '../components/WindowsNetwork';
import { api } from '../lib/api';
import { formatBytes, formatDuration, svgDataUrl } from '../lib/format';

export function Overview({ snapshot }: { snapshot: Snapshot }) {
  const { server, totals } = snapshot;
  const join = server.join;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div className="cards">
        <article className="card" aria-labelledby="status-title">
          <h2 id="status-title">Status</h2>
          <dl>
            <dt>Hub</dt>
            <dd>
              <span className="badge ok">Running</span> for {formatDuration(server.uptimeMs)}
            </dd>
            <dt>Version</dt>
            <dd>{server.version}</dd>
            <dt>Listening on</dt>
            <dd>
              {server.bind.address}:{server.bind.port}
            </dd>
            <dt>TLS</dt>
            <dd>{server.tls ? 'On (https, wss)' : 'Off (http, ws)'}</dd>
            <dt>mDNS</dt>
            <dd>
              {server.mdns.enabled
                ? `Advertised${server.mdns.name ? ` as “${server.mdns.name}”` : ''}`
                : 'Off'}
            </dd>
            <dt>Database</dt>
            <dd>
              {server.database.kind}
              {server.database.file ? ` (${server.database.file})` : ''}
            </dd>
          </dl>
        </article>
        <article className="card" aria-labelledby="join-title">
          <h2 id="join-title">Students join at</h2>
          {join ? (
            <>
              <p className="join-url">
                <a href={join.preferredUrl}>{join.preferredUrl}</a>
              </p>
              <img
                className="qr"
                src={svgDataUrl(join.qrSvg)}
                alt={`QR code for ${join.preferredUrl}`}
              />
              {join.urls.length > 1 && (
                <p className="muted">Also: {join.urls.slice(1).join(', ')}</p>
              )}
              {join.localUrl && <p className="muted">Where mDNS works: {join.localUrl}</p>}
              {join.loopbackOnly && (
                <p className="error" role="alert" data-testid="loopback-warning">
                  The hub listens on this computer only (ServerBindAddress), so students&apos;
                  devices cannot reach it: set it to 0.0.0.0 in Settings.
                </p>
              )}
            </>
          ) : (
            <p>The join address is not known yet.</p>
          )}
        </article>
        <article className="card" aria-labelledby="totals-title">
          <h2 id="totals-title">Now</h2>
          <dl className="totals">
            <dt>Sessions</dt>
            <dd data-testid="total-sessions">{totals.sessions}</dd>
            <dt>Clients</dt>
            <dd data-testid="total-clients">{totals.clients}</dd>
            <dt>Connections</dt>
            <dd>{totals.connections}</dd>
            <dt>Traffic of live sessions</dt>
            <dd>{formatBytes(totals.bytes)}</dd>
          </dl>
          {Object.keys(totals.byProtocol).length > 0 && (
            <ul className="muted">
              {Object.entries(totals.byProtocol).map(([p, s]) => (
                <li key={p}>
                  {p}: {s.rooms} sessions, {s.clients} clients
                </li>
              ))}
            </ul>
          )}
        </article>
      </div>
      {!server.lanClientSeen && <FirewallHint clients={totals.clients} />}
    </section>
  );
}

/**
 * `clients` are the ones connected now: while none came from the network they
 * are this computer's own (a board opened here), and the hint says so rather
 * than contradict the counts above it.
 */
function FirewallHint({ clients }: { clients: number }) {
  const [reply, setReply] = useState<SelftestReply>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const run = () => {
    setRunning(true);
    setError(undefined);
    api
      .selftest()
      .then(setReply, (e: Error) => setError(e.message))
      .finally(() => setRunning(false));
  };
  const results = reply?.results;
  return (
    <aside className="hint" aria-labelledby="hint-title">
      <h2 id="hint-title">No student device has connected yet</h2>
      {clients > 0 && (
        <p data-testid="local-clients">
          {clients === 1
            ? 'The 1 client connected now is on this computer'
            : `The ${clients} clients connected now are all on this computer`}{' '}
          (a board opened here, for example): none has come from the network yet.
        </p>
      )}
      <p>
        If students cannot open the join address, check the firewall: it must let other computers on
        the network reach this port. The self-test connects to each of the hub&apos;s network
        addresses from this computer.
      </p>
      <WindowsNetwork />
      <button type="button" onClick={run} disabled={running}>
        {running ? 'Testing…' : 'Run the self-test'}
      </button>
      <div role="status" aria-live="polite">
        {error && <p className="error">{error}</p>}
        {results && results.length === 0 && <p>This computer has no network address to test.</p>}
        {results && results.length > 0 && (
          <>
            <ul className="selftest">
              {results.map((r) => (
                <li key={r.url} className={r.reachable ? 'ok' : 'error'}>
                  {r.url}:{' '}
                  {r.reachable
                    ? `answers here (${r.ms} ms)`
                    : `no answer even from this computer (${r.error})`}
                </li>
              ))}
            </ul>
            {reply.lanClientSeen ? (
              <p className="ok">
                A device on the network has connected: students can reach the hub.
              </p>
            ) : (
              <p className="muted" data-testid="selftest-scope">
                Checked from this computer only. Its own firewall lets it through, so an address
                that answers here may still be blocked for students; the first student device to
                join is the real test.
              </p>
            )}
          </>
        )}
      </div>
    </aside>
  );
}
