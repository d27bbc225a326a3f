// The dashboard's login: the admin token, from the address (`#token=` as
// `lanboard serve` prints it, or `?token=`), from the desktop app's preload, or
// typed in, is exchanged once for the hub's HttpOnly login cookie. The page
// never keeps the token: it leaves the address bar at once, so it is not
// bookmarked, shared or shown.
import { API_BASE, ApiError } from './api';

/** The token in the address, removed from it; undefined when there is none. */
export function takeTokenFromUrl(): string | undefined {
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = hash.get('token') ?? url.searchParams.get('token');
  if (!token) return undefined;
  hash.delete('token');
  url.searchParams.delete('token');
  const rest = hash.toString();
  url.hash = rest ? `#${rest}` : '';
  window.history.replaceState(window.history.state, '', url.toString());
  return token;
}

async function post(path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${API_BASE}${path}`, {
    method: 'POST',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) {
    const reply = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(res.status, reply.error ?? res.statusText);
  }
}

/** Sets the login cookie; throws ApiError 401 for a wrong token. */
export const logIn = (token: string) => post('login', { token: token.trim() });
/** Removes this browser's login. */
export const logOut = () => post('logout');
/** Ends every login made so far, in every browser; the bearer token still works. */
export const logOutEverywhere = () => post('logout-everywhere');
