// Finds hubs on the LAN (`_lanboard._tcp`) for `lanboard discover` and tests.
// A hub is listed once its announcement or answer arrives and dropped on its
// goodbye. The address the answer came from is listed first: it is the one
// that reached us, whereas the A records list all of the hub's interfaces.
import { EventEmitter } from 'node:events';
import type { Browser, Service } from 'bonjour-service';
import type { Logger } from '../log/logger';
import { SERVICE_TYPE } from './advertiser';
import { openMdns, socketOptions } from './mdns';
import type { Mdns } from './mdns';
import { parseTxt } from './txt-record';
import type { HubTxt } from './txt-record';

export interface FoundHub extends HubTxt {
  /** The instance name, e.g. "Lanboard on teacher-laptop". */
  name: string;
  /** The SRV target, e.g. `teacher-laptop.local`. */
  host: string;
  port: number;
  /** IPv4 first; the one the answer came from leads. */
  addresses: string[];
}

export interface BrowseOptions {
  /** Ask and listen through this IPv4 address only (tests: 127.0.0.1). */
  interface?: string;
  log: Logger;
}

/** Asks again after these delays: a single query can be lost, and some responders are slow. */
const REQUERY_MS = [1000, 3000];

export class HubBrowser extends EventEmitter<{ up: [FoundHub]; down: [FoundHub] }> {
  private readonly mdns: Mdns;
  private readonly browser: Browser;
  private readonly found = new Map<string, FoundHub>();
  private readonly timers: NodeJS.Timeout[];

  /** Opens the mDNS socket (loading bonjour-service) and starts browsing. */
  static async open(options: BrowseOptions): Promise<HubBrowser> {
    return new HubBrowser(await openMdns(socketOptions(options.interface), options.log));
  }

  private constructor(mdns: Mdns) {
    super();
    this.mdns = mdns;
    this.browser = this.mdns.find({ type: SERVICE_TYPE });
    this.browser.on('up', (s) => this.add(s));
    this.browser.on('srv-update', (s) => this.add(s));
    this.browser.on('txt-update', (s) => this.add(s));
    this.browser.on('down', (s) => {
      const hub = this.found.get(s.fqdn.toLowerCase());
      if (!hub) return;
      this.found.delete(s.fqdn.toLowerCase());
      this.emit('down', hub);
    });
    this.timers = REQUERY_MS.map((ms) => setTimeout(() => this.browser.update(), ms).unref());
  }

  hubs(): FoundHub[] {
    return [...this.found.values()];
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.browser.stop();
    await this.mdns.close(false);
  }

  private add(service: Service): void {
    const hub = toHub(service);
    const key = service.fqdn.toLowerCase();
    const known = this.found.has(key);
    this.found.set(key, hub);
    if (!known) this.emit('up', hub);
  }
}

function toHub(s: Service): FoundHub {
  const from = s.referer?.address;
  const addresses = [...new Set([...(from ? [from] : []), ...(s.addresses ?? [])])];
  const v6 = (a: string) => Number(a.includes(':'));
  return {
    name: s.name,
    host: s.host,
    port: s.port,
    addresses: addresses.sort((a, b) => v6(a) - v6(b)),
    ...parseTxt(s.txt as Record<string, unknown> | undefined),
  };
}

/** Listens for `timeoutMs` and returns the hubs still there, by name. */
export async function discoverHubs(
  options: BrowseOptions & { timeoutMs: number },
): Promise<FoundHub[]> {
  const browser = await HubBrowser.open(options);
  try {
    await new Promise((r) => setTimeout(r, options.timeoutMs));
    return browser.hubs().sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    await browser.stop();
  }
}
