// The admin token: taken from the address (`#token=` as `lanboard serve`
// prints it, or `?token=`), kept in sessionStorage for this tab only, and
// stripped from the address bar so it is not bookmarked, shared or shown.
const KEY = 'lanboard-admin-token';

export function takeTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = hash.get('token') ?? url.searchParams.get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  hash.delete('token');
  url.searchParams.delete('token');
  const rest = hash.toString();
  url.hash = rest ? `#${rest}` : '';
  window.history.replaceState(window.history.state, '', url.toString());
}

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}
