// Which address the old listener names when the hub has moved. Never one taken
// from the request: a hostile client's Host header must not turn the hub's old
// port into a redirector to a site of its choosing. The request's host name is
// kept only when the hub serves that same name at its new address (a port
// change seen through `192.168.1.20` stays on `192.168.1.20`); anything else
// gets the join page's preferred address.
import type { JoinInfo } from '../discovery/join-info';

export interface MovedTargets {
  /** Every base URL the hub serves now (`http://host:port/`), the preferred one first. */
  readonly urls: readonly string[];
  /** The base URL to send a request to that came in for `hostHeader`. */
  targetFor(hostHeader: string | undefined): string;
}

/** `host:port`, `[v6]:port` or a bare name -> the lower-case name, brackets off. */
export function hostNameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.replace(/:\d*$/, '');
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * From the new hub's join info: its LAN URLs, its `.local` URL, and, when it
 * listens on every address (so on loopback too), the loopback names; bound
 * to 127.0.0.1 or ::1, `localhost`.
 */
export function movedTargets(
  join: Pick<JoinInfo, 'urls' | 'preferredUrl' | 'localUrl'>,
  bindAddress: string,
): MovedTargets {
  const preferred = new URL(join.preferredUrl);
  const urls = [join.preferredUrl, ...join.urls, ...(join.localUrl ? [join.localUrl] : [])];
  const port = preferred.port ? `:${preferred.port}` : '';
  const loopback = ['', '0.0.0.0', '::'].includes(bindAddress)
    ? LOOPBACK_NAMES
    : ['127.0.0.1', '::1'].includes(bindAddress)
      ? ['localhost'] // the name this computer gives that address
      : [];
  for (const name of loopback) urls.push(`${preferred.protocol}//${name}${port}/`);
  const unique = [...new Set(urls)];
  const byName = new Map(unique.map((u) => [hostNameOf(new URL(u).host), u]));
  return {
    urls: unique,
    targetFor(hostHeader) {
      const name = hostHeader === undefined ? undefined : hostNameOf(hostHeader);
      return (name !== undefined && byName.get(name)) || join.preferredUrl;
    },
  };
}
