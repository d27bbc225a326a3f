// What a student needs to join: the hub's LAN URLs (IPv4 first), the
// `<host>.local` URL, a QR code of the preferred URL, and each protocol's
// endpoint. Pure functions of an interface list shaped like
// os.networkInterfaces(), so tests can feed fake ones.
import type os from 'node:os';
import { endpointUrl } from './endpoints';
import { qrSvg } from './qr-code';
import type { ProtocolEndpoint, ProtocolName } from './endpoints';

export type InterfaceList = ReturnType<typeof os.networkInterfaces>;

export interface LanAddress {
  interface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
}

/**
 * Interfaces students cannot reach: containers, VMs and VPNs (Linux, macOS and
 * Windows names). Bridges named like `br0` are often the real LAN, so only
 * Docker's `br-<id>` counts.
 */
const VIRTUAL =
  /^(docker|br-|veth|virbr|vmnet|vboxnet|lxcbr|lxdbr|cni|flannel|cali|podman|tun|tap|utun|wg|zt|tailscale|vethernet|virtualbox|vmware|hyper-v)/i;

/** 0 is a real LAN address; the others are used only when nothing better exists. */
function rank(name: string, info: os.NetworkInterfaceInfo): number {
  if (info.internal || info.address.startsWith('127.') || info.address === '::1') return 3;
  if (info.address.startsWith('169.254.') || /^fe[89ab]/i.test(info.address)) return 2;
  return VIRTUAL.test(name) ? 1 : 0;
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

/**
 * The addresses the hub answers on from the LAN, IPv4 first: loopback,
 * link-local and virtual interfaces are skipped unless they are all there is.
 * A hub bound to one address answers only there; bound to 0.0.0.0, on IPv4 only.
 */
export function lanAddresses(list: InterfaceList, bindAddress = '0.0.0.0'): LanAddress[] {
  const found: Array<LanAddress & { rank: number }> = [];
  const seen = new Set<string>();
  for (const [name, infos] of Object.entries(list)) {
    for (const info of infos ?? []) {
      if (seen.has(info.address)) continue;
      if (bindAddress === '0.0.0.0' && info.family !== 'IPv4') continue;
      if (!ANY_ADDRESS.has(bindAddress) && info.address !== bindAddress) continue;
      seen.add(info.address);
      found.push({
        interface: name,
        address: info.address,
        family: info.family,
        rank: rank(name, info),
      });
    }
  }
  if (found.length === 0 && !ANY_ADDRESS.has(bindAddress)) {
    // Bound to a name (`localhost`) or an address that is gone: say what was asked for.
    const family = bindAddress.includes(':') ? 'IPv6' : 'IPv4';
    return [{ interface: '', address: bindAddress, family }];
  }
  const best = Math.min(...found.map((a) => a.rank));
  return found
    .filter((a) => a.rank === best)
    .sort((a, b) => Number(a.family === 'IPv6') - Number(b.family === 'IPv6'))
    .map(({ rank: _rank, ...a }) => a);
}

/** 127.0.0.0/8, ::1 and `localhost`: a bind address only this computer can reach. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^127\./.test(a) || a === '::ffff:127.0.0.1';
}

export function hubUrl(host: string, port: number, tls: boolean): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${h}:${port}/`;
}

/** The host name as one DNS label, for `<label>.local`: `Ms-Lee's Mac.lan` -> `ms-lee-s-mac`. */
export function hostLabel(hostname: string): string {
  const label = (hostname.split('.')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'lanboard';
}

export interface JoinInput {
  interfaces: InterfaceList;
  hostname: string;
  bindAddress: string;
  port: number;
  tls: boolean;
  protocols: readonly ProtocolEndpoint[];
  /** The advertised mDNS instance name, or null when not advertising. */
  mdnsName: string | null;
}

export interface JoinEndpoint {
  name: ProtocolName;
  title: string;
  path: string;
  /** On the preferred URL. */
  url: string;
}

export interface JoinInfo {
  /** Every URL the hub answers on from the LAN, IPv4 first. */
  urls: string[];
  /** The one to show and encode in the QR code: the first LAN URL. */
  preferredUrl: string;
  /**
   * `http://<host>.local:<port>/`: friendlier, but only where the device
   * resolves mDNS names. Null unless the hub announces itself on mDNS and
   * listens where other devices can reach it.
   */
  localUrl: string | null;
  /** The hub listens on loopback only: no other device can reach it. */
  loopbackOnly: boolean;
  /** An SVG QR code of preferredUrl. */
  qrSvg: string;
  protocols: JoinEndpoint[];
  mdnsName: string | null;
}

/** Everything but the QR code: what the terminal shows, without loading qrcode. */
export type JoinAddresses = Omit<JoinInfo, 'qrSvg'>;

export function joinAddresses(input: JoinInput): JoinAddresses {
  const urls = lanAddresses(input.interfaces, input.bindAddress).map((a) =>
    hubUrl(a.address, input.port, input.tls),
  );
  const loopbackOnly = isLoopback(input.bindAddress);
  const localUrl =
    input.mdnsName !== null && !loopbackOnly
      ? hubUrl(`${hostLabel(input.hostname)}.local`, input.port, input.tls)
      : null;
  // The IP URL works on every device; `.local` does not on many Android phones.
  const preferredUrl = urls[0] ?? localUrl ?? hubUrl('127.0.0.1', input.port, input.tls);
  return {
    urls,
    preferredUrl,
    localUrl,
    loopbackOnly,
    protocols: input.protocols.map((p) => ({
      name: p.name,
      title: p.title,
      path: p.path,
      url: endpointUrl(preferredUrl, p),
    })),
    mdnsName: input.mdnsName,
  };
}

export async function joinInfo(input: JoinInput): Promise<JoinInfo> {
  const addresses = joinAddresses(input);
  return { ...addresses, qrSvg: await qrSvg(addresses.preferredUrl) };
}
