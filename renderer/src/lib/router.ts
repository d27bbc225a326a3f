// Five pages under AdminPath, with real paths (the hub serves index.html for
// each) and the History API; no router library needed for that.
import { useEffect, useState } from 'react';
import { ADMIN_BASE } from './api';

export const PAGES = [
  { path: '', title: 'Overview' },
  { path: 'sessions', title: 'Sessions' },
  { path: 'connections', title: 'Connections' },
  { path: 'logs', title: 'Logs' },
  { path: 'settings', title: 'Settings' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

function current(): PagePath {
  const rest = window.location.pathname.startsWith(ADMIN_BASE)
    ? window.location.pathname.slice(ADMIN_BASE.length).replace(/\/$/, '')
    : '';
  return PAGES.find((p) => p.path === rest)?.path ?? '';
}

export function usePage(): [PagePath, (p: PagePath) => void] {
  const [page, setPage] = useState<PagePath>(current);
  useEffect(() => {
    const onPop = () => setPage(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (p: PagePath) => {
    window.history.pushState(null, '', `${ADMIN_BASE}${p}`);
    setPage(p);
  };
  return [page, go];
}
