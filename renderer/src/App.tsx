import { useState } from 'react';
import { Confirm } from './components/Confirm';
import { StorageBanner } from './components/StorageBanner';
import type { ConfirmRequest } from './components/Confirm';
import { TokenPrompt } from './components/TokenPrompt';
import { useTheme } from './components/theme';
import type { Theme } from './components/theme';
import type { StreamStatus } from './lib/events';
import { inPlace, pageHref, PAGES, useRoute } from './lib/router';
import { useHub } from './lib/use-hub';
import { Classes } from './pages/Classes';
import { Connections } from './pages/Connections';
import { Logs } from './pages/Logs';
import { Overview } from './pages/Overview';
import { Sessions } from './pages/Sessions';
import { Settings } from './pages/Settings';

const STATUS_TEXT: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting to the hub…',
  unauthorized: 'Logged out',
};

export function App() {
  const hub = useHub();
  const [{ page, query }, go] = useRoute();
  const [theme, setTheme, effectiveTheme] = useTheme();
  const [confirm, setConfirm] = useState<ConfirmRequest>();
  if (hub.status === 'unauthorized') return <TokenPrompt />;

  let content;
  if (page === 'classes') {
    content = <Classes query={query} go={go} confirm={setConfirm} changes={hub.joinsAndLeaves} />;
  } else if (page === 'connections')
    content = <Connections samples={hub.samples} theme={effectiveTheme} />;
  else if (page === 'logs') content = <Logs logs={hub.logs} />;
  else if (page === 'settings')
    content = (
      <Settings startedAt={hub.startedAt} page={page} clients={hub.snapshot?.totals.clients} />
    );
  else if (!hub.snapshot)
    content = <p>{hub.error ? `Cannot reach the hub: ${hub.error}` : 'Loading…'}</p>;
  else if (page === 'sessions') {
    content = <Sessions snapshot={hub.snapshot} confirm={setConfirm} refresh={hub.refresh} />;
  } else content = <Overview snapshot={hub.snapshot} />;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Lanboard</span>
        <nav aria-label="Dashboard sections">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a
                  href={pageHref(p.path)}
                  aria-current={page === p.path ? 'page' : undefined}
                  onClick={inPlace(() => go(p.path))}
                >
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`stream ${hub.status}`} role="status" data-testid="stream-status">
          {STATUS_TEXT[hub.status]}
        </span>
        <label className="theme">
          <span className="sr-only">Colour theme</span>
          <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </header>
      <main id="main" tabIndex={-1}>
        <StorageBanner faults={hub.faults} />
        {content}
      </main>
      <Confirm request={confirm} onClose={() => setConfirm(undefined)} />
    </>
  );
}
