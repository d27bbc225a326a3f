// The pages under AdminPath, with real paths (the hub serves index.html for
// each) and the History API; no router library needed for that. A page's own
// state (the open class) is in the query: a nested path would break the
// relative asset URLs of index.html on reload.
import { useEffect, useState } from 'react';
import type { MouseEvent } from 'react';
import { ADMIN_BASE } from './api';

export const PAGES = [
  { path: '', title: 'Overview' },
  { path: 'classes', title: 'Classes' },
  { path: 'sessions', title: 'Sessions' },
  { path: 'connections', title: 'Connections' },
  { path: 'logs', title: 'Logs' },
  { path: 'settings', title: 'Settings' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

export interface Route {
  page: PagePath;
  query: URLSearchParams;
}

function current(): Route {
  const { pathname, search } = window.location;
  const rest = pathname.startsWith(ADMIN_BASE)
    ? pathname.slice(ADMIN_BASE.length).replace(/\/$/, '')
    : '';
  const page = PAGES.find((p) => p.path === rest)?.path ?? '';
  return { page, query: new URLSearchParams(search) };
}

/** The address of a page, with its query (`{class: 'K7QM2P'}`). */
export function pageHref(page: PagePath, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${ADMIN_BASE}${page}${search ? `?${search}` : ''}`;
}

export type Go = (page: PagePath, query?: Record<string, string>) => void;

export function useRoute(): [Route, Go] {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onPop = () => setRoute(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go: Go = (page, query) => {
    window.history.pushState(null, '', pageHref(page, query));
    setRoute(current());
  };
  return [route, go];
}

/** For a link's onClick: plain left clicks navigate in place, others keep the browser's way. */
export function inPlace(navigate: () => void) {
  return (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate();
  };
}
