// Advertises the hub as `_lanboard._tcp` (with its TXT record) and as
// `_http._tcp` (`_https._tcp` with TLS) with `path=/`, the join page.
//
// bonjour-service gives up on a name conflict (it logs and stops), so the
// advertiser probes the name itself first (RFC 6762 §8.1: three queries, 250
// ms apart) and takes "Name (2)", "Name (3)", … when another host answers. A
// conflict seen later (two hubs that probed at the same moment) is settled by
// comparing ids: exactly one of them renames. The records list the machine's
// addresses at announce time, so when the interfaces change the services are
// announced again. stop() sends the goodbye (TTL 0) packets. Nothing here
// throws: problems are logged and the hub carries on.
import os from 'node:os';
import type { Logger } from '../log/logger';
import type { InterfaceList } from './join-info';
import { openMdns, sameName, socketOptions } from './mdns';
import type { Mdns, MdnsPacket } from './mdns';

export const SERVICE_TYPE = 'lanboard';

export interface AdvertiserOptions {
  /** The instance name before any " (2)". */
  name: string;
  /** The SRV target, `<label>.local`. */
  host: string;
  port: number;
  tls: boolean;
  txt: Record<string, string>;
  /** MdnsInterface: an IPv4 address or interface name, or '' for the default interface. */
  interfaceAddress: string;
  log: Logger;
  /** os.networkInterfaces(); tests inject their own. */
  interfaces?: () => InterfaceList;
  /** How often the interfaces are compared with the last announcement. */
  pollMs?: number;
}

/** RFC 6763 §4.1.1: at most 63 bytes; room is kept for " (99)". */
const MAX_NAME_BYTES = 63;
const MAX_SUFFIX = 99;
const PROBES = 3;
const PROBE_INTERVAL_MS = 250;

export class Advertiser {
  private mdns: Mdns | undefined;
  private published: string | undefined;
  /** The " (n)" in use: 1 is the bare name. */
  private suffix = 1;
  private probing: { fqdns: string[]; taken: boolean } | undefined;
  private renaming = false;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private lastInterfaces = '';
  private readonly interfaces: () => InterfaceList;
  private readonly ownKey: string;

  constructor(private readonly o: AdvertiserOptions) {
    this.interfaces = o.interfaces ?? os.networkInterfaces;
    this.ownKey = serviceKey(o.host, o.port);
  }

  /** The instance name on the network, once published. */
  get name(): string | undefined {
    return this.published;
  }

  start(): void {
    this.lastInterfaces = signature(this.interfaces());
    this.queue(() => this.publish());
    this.poll = setInterval(() => this.checkInterfaces(), this.o.pollMs ?? 5000);
    this.poll.unref();
  }

  /** Resolves when the publishing (or renaming) under way is done: for tests. */
  settled(): Promise<void> {
    return this.work;
  }

  /** Withdraws the services with goodbye packets and closes the socket. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await this.work;
    await this.closeSocket(true);
  }

  private queue(step: () => Promise<void>): void {
    this.work = this.work.then(step).catch((err: Error) => {
      this.o.log.warn({ err: err.message }, 'mDNS advertising failed; the hub carries on');
    });
  }

  private checkInterfaces(): void {
    let now: string;
    try {
      now = signature(this.interfaces());
    } catch (err) {
      // A timer callback must never throw: that would take the hub down.
      this.o.log.warn({ err: (err as Error).message }, 'cannot list the network interfaces');
      return;
    }
    if (now === this.lastInterfaces) return;
    this.lastInterfaces = now;
    this.o.log.info('network interfaces changed: announcing the hub again');
    this.queue(async () => {
      await this.closeSocket(false);
      await this.publish();
    });
  }

  private async closeSocket(goodbye: boolean): Promise<void> {
    const mdns = this.mdns;
    this.mdns = undefined;
    this.published = undefined;
    await mdns?.close(goodbye);
  }

  private async publish(): Promise<void> {
    if (this.stopped) return;
    const wanted = this.o.interfaceAddress;
    const address = wanted && ipv4Of(this.interfaces(), wanted);
    if (address === undefined) {
      // multicast-dns would fall back to the default interface: never advertise where not asked to.
      this.o.log.warn(
        { MdnsInterface: wanted },
        'MdnsInterface is not an IPv4 address or interface of this machine: not advertising until it appears',
      );
      return;
    }
    const mdns = await openMdns(socketOptions(address), this.o.log);
    if (this.stopped) return void (await mdns.close(false));
    this.mdns = mdns;
    mdns.onResponse((packet) => this.onResponse(packet));
    for (; this.suffix <= MAX_SUFFIX; this.suffix++) {
      const name = instanceName(this.o.name, this.suffix);
      if (!(await this.probe(mdns, name))) break;
      if (this.stopped || this.mdns !== mdns) return;
      this.o.log.info({ instance: name }, 'mDNS name taken by another host: trying the next one');
    }
    if (this.stopped || this.mdns !== mdns) return;
    if (this.suffix > MAX_SUFFIX) {
      this.o.log.warn({ instance: this.o.name }, 'no free mDNS name: not advertising');
      return;
    }
    const name = instanceName(this.o.name, this.suffix);
    const common = { name, port: this.o.port, host: this.o.host, probe: false, disableIPv6: true };
    mdns.publish({ ...common, type: SERVICE_TYPE, txt: this.o.txt });
    mdns.publish({ ...common, type: this.httpType(), txt: { path: '/' } });
    this.published = name;
    this.o.log.info(
      { instance: name, host: this.o.host, port: this.o.port, interface: address || 'default' },
      'advertising the hub on mDNS',
    );
  }

  private httpType(): string {
    return this.o.tls ? 'https' : 'http';
  }

  private fqdns(name: string): string[] {
    return [SERVICE_TYPE, this.httpType()].map((type) => `${name}._${type}._tcp.local`);
  }

  /** True when another host answers for the name within PROBES queries. */
  private async probe(mdns: Mdns, name: string): Promise<boolean> {
    const probing = { fqdns: this.fqdns(name), taken: false };
    this.probing = probing;
    for (let i = 0; i < PROBES && !probing.taken && !this.stopped; i++) {
      mdns.query(probing.fqdns);
      await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
    }
    this.probing = undefined;
    return probing.taken;
  }

  private onResponse(packet: MdnsPacket): void {
    if (this.probing) {
      if (this.rival(packet, this.probing.fqdns) !== undefined) this.probing.taken = true;
      return;
    }
    if (!this.published || this.renaming) return;
    const rival = this.rival(packet, this.fqdns(this.published));
    // Both hubs see the conflict; the one with the smaller key keeps the name.
    if (rival === undefined || rival > this.ownKey) return;
    this.renaming = true;
    this.o.log.warn({ instance: this.published }, 'mDNS name conflict with another hub: renaming');
    this.queue(async () => {
      try {
        await this.closeSocket(false); // no goodbye: the name is the other hub's now
        this.suffix++;
        await this.publish();
      } finally {
        this.renaming = false;
      }
    });
  }

  /** The key of another service with one of these names in the packet, if any. */
  private rival(packet: MdnsPacket, fqdns: string[]): string | undefined {
    for (const rr of [...packet.answers, ...packet.additionals]) {
      if (rr.type !== 'SRV' || rr.ttl === 0 || !fqdns.some((f) => sameName(f, rr.name))) continue;
      const { port, target } = (rr.data ?? {}) as { port?: number; target?: string };
      const key = serviceKey(target ?? '', port ?? 0);
      if (key !== this.ownKey) return key;
    }
    return undefined;
  }
}

/** `base` with " (n)" from 2 on, dots made hyphens (a dot would split the DNS label). */
export function instanceName(base: string, n: number): string {
  const suffix = n > 1 ? ` (${n})` : '';
  let name = base.replaceAll('.', '-');
  while (Buffer.byteLength(name) > MAX_NAME_BYTES - ` (${MAX_SUFFIX})`.length) {
    name = Array.from(name).slice(0, -1).join('');
  }
  return name + suffix;
}

/** Tells services apart (and orders them for the tie-break): no two hubs share host and port. */
function serviceKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

/** The IPv4 address `wanted` names: itself when this machine has it, or an interface's first. */
export function ipv4Of(list: InterfaceList, wanted: string): string | undefined {
  const all = Object.entries(list).flatMap(([name, infos]) =>
    (infos ?? []).filter((i) => i.family === 'IPv4').map((i) => ({ name, address: i.address })),
  );
  return (all.find((a) => a.address === wanted) ?? all.find((a) => a.name === wanted))?.address;
}

/** What the announced records depend on: the addresses and their interfaces. */
function signature(list: InterfaceList): string {
  return Object.entries(list)
    .flatMap(([name, infos]) => (infos ?? []).map((i) => `${name}=${i.address}`))
    .sort()
    .join(',');
}
