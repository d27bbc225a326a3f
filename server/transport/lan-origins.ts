// The default origin rule for endpoints that must not be open to every web page
// (cross-site WebSocket hijacking) when AllowedOrigins is empty: the hub's own
// origin, loopback, the private LAN ranges and mDNS `.local` names.
import { BlockList, isIP } from 'node:net';

const LAN = new BlockList();
LAN.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
LAN.addSubnet('10.0.0.0', 8, 'ipv4');
LAN.addSubnet('172.16.0.0', 12, 'ipv4');
LAN.addSubnet('192.168.0.0', 16, 'ipv4');
LAN.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local
LAN.addAddress('::1', 'ipv6');
LAN.addSubnet('fc00::', 7, 'ipv6'); // unique local
LAN.addSubnet('fe80::', 10, 'ipv6'); // link-local

/** Is this host name or IP literal (IPv6 with or without brackets) on loopback or the LAN? */
export function isLanHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const family = isIP(host);
  if (family === 4) return LAN.check(host, 'ipv4');
  if (family === 6) return LAN.check(host, 'ipv6');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (host.endsWith('.local') && host !== '.local')
  );
}

/**
 * True for no Origin (a non-browser client), an Origin on the same host and
 * port as the request's Host header, and an http(s) Origin on a LAN host.
 * `null` (sandboxed frames, some file pages) and other schemes are refused.
 */
export function allowsLanOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (hostHeader && sameHost(url, hostHeader)) return true;
  return isLanHost(url.hostname);
}

/** A page this hub served: the Origin's host and port are the request's Host header's. */
export function isOwnOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined || !hostHeader) return false;
  try {
    return sameHost(new URL(origin), hostHeader);
  } catch {
    return false;
  }
}

function sameHost(origin: URL, hostHeader: string): boolean {
  if (!/^[a-z0-9.\-:[\]]+$/i.test(hostHeader)) return false; // no userinfo, paths or spaces
  try {
    // Parsed with the Origin's scheme so that default ports compare equal.
    return new URL(`${origin.protocol}//${hostHeader}`).host === origin.host;
  } catch {
    return false;
  }
}
