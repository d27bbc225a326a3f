// The one place that touches bonjour-service (so it can be swapped: its v1 has
// known gaps). It adds what the library leaves out: every error is logged and
// none is thrown (multicast-dns emits `error` with no listener, which would
// kill the hub), raw queries and responses for conflict checks, and a close
// that cannot hang. bonjour-service is loaded by openMdns, the first time the
// hub advertises or `lanboard discover` browses, so a hub with Mdns=0 never
// loads it (docs/architecture.md#startup-loads-what-is-used).
import type { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import type { Bonjour } from 'bonjour-service';
import type { Browser, BrowserConfig, Service, ServiceConfig } from 'bonjour-service';
import type { Logger } from '../log/logger';

/** multicast-dns socket options. */
export interface MdnsSocketOptions {
  /** Send and join the group on this IPv4 address only. */
  interface?: string;
  bind?: string;
}

/**
 * Multicast through one address (MdnsInterface, or 127.0.0.1 in tests). The
 * socket still binds 0.0.0.0: bound to the interface's own address it would
 * receive no multicast at all.
 */
export function socketOptions(address: string | undefined): MdnsSocketOptions {
  return address ? { interface: address, bind: '0.0.0.0' } : {};
}

export interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

export interface MdnsPacket {
  answers: MdnsRecord[];
  additionals: MdnsRecord[];
}

export type ResponseListener = (packet: MdnsPacket, from: RemoteInfo) => void;

/** The part of multicast-dns that bonjour-service keeps private. */
interface RawMdns extends EventEmitter {
  query(questions: Array<{ name: string; type: string }>): void;
}

const CLOSE_TIMEOUT_MS = 1000;

/** Loads bonjour-service (a dynamic import, which the compiled hub keeps) and opens a socket. */
export async function openMdns(options: MdnsSocketOptions, log: Logger): Promise<Mdns> {
  const { Bonjour } = await import('bonjour-service');
  return new Mdns(Bonjour, options, log);
}

export class Mdns {
  private readonly bonjour: Bonjour;
  private readonly raw: RawMdns;
  private closed: Promise<void> | undefined;

  constructor(BonjourClass: typeof Bonjour, options: MdnsSocketOptions, log: Logger) {
    const reported = new Set<string>();
    // Network trouble repeats (multicast-dns retries every 5 s): say each thing once.
    const report = (err: Error) => {
      if (reported.has(err.message) || reported.size >= 20) return;
      reported.add(err.message);
      log.warn({ err: err.message }, 'mDNS error (discovery may not work; the hub carries on)');
    };
    this.bonjour = new BonjourClass(options as Partial<ServiceConfig>, report);
    this.raw = (this.bonjour as unknown as { server: { mdns: RawMdns } }).server.mdns;
    this.raw.on('error', report);
    this.raw.on('warning', report);
  }

  publish(config: ServiceConfig): Service {
    return this.bonjour.publish(config);
  }

  find(config: BrowserConfig): Browser {
    return this.bonjour.find(config);
  }

  query(names: readonly string[], type = 'ANY'): void {
    this.raw.query(names.map((name) => ({ name, type })));
  }

  onResponse(listener: ResponseListener): void {
    this.raw.on('response', listener);
  }

  /** With `goodbye`, first withdraws every service (records with TTL 0). Safe to call twice. */
  close(goodbye: boolean): Promise<void> {
    this.closed ??= (async () => {
      if (goodbye) await within(CLOSE_TIMEOUT_MS, (done) => this.bonjour.unpublishAll(done));
      await within(CLOSE_TIMEOUT_MS, (done) => this.bonjour.destroy(done));
      this.raw.removeAllListeners('response');
    })();
    return this.closed;
  }
}

/** Runs a callback-style step, giving up after `ms`. */
function within(ms: number, step: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      step(done);
    } catch {
      done();
    }
  });
}

/** Case-insensitive DNS name comparison (RFC 6762 §16). */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
