// What createHub uses of discovery: the join routes, advertising once the hub
// listens (when Mdns is on), the join info, and the goodbye on stop.
import os from 'node:os';
import type { HubConfig } from '../config/schema';
import { hubVersion } from '../config/version';
import type { Logger } from '../log/logger';
import type { HttpRoute } from '../transport/routes';
import { Advertiser } from './advertiser';
import { protocolEndpoints } from './endpoints';
import { loadHubId } from './hub-id';
import { hostLabel, joinAddresses, joinInfo } from './join-info';
import type { InterfaceList, JoinAddresses, JoinInfo, JoinInput } from './join-info';
import { joinRoutes } from './join-page';
import { buildTxt } from './txt-record';

export interface DiscoveryOptions {
  /** os.networkInterfaces(); tests inject fake lists. */
  interfaces?: () => InterfaceList;
  hostname?: string;
}

export class HubDiscovery {
  private advertiser: Advertiser | undefined;
  private port = 0;
  private tls = false;
  private readonly interfaces: () => InterfaceList;
  private readonly hostname: string;
  private readonly log: Logger;

  constructor(
    private readonly config: HubConfig,
    log: Logger,
    options: DiscoveryOptions = {},
  ) {
    this.interfaces = options.interfaces ?? os.networkInterfaces;
    this.hostname = options.hostname ?? os.hostname();
    this.log = log.child({ component: 'discovery' });
  }

  /** `/` (the join page) and GET /api/join. */
  routes(): HttpRoute[] {
    return joinRoutes(() => this.joinInfo());
  }

  /** Once the hub listens. Never throws: a hub without mDNS still serves. */
  start(port: number, tls: boolean): void {
    this.port = port;
    this.tls = tls;
    if (!this.config.Mdns) return;
    try {
      const { txt, omitted } = buildTxt({
        id: loadHubId(this.config.DataDir, this.log),
        version: hubVersion(),
        tls,
        protocols: protocolEndpoints(this.config),
      });
      if (omitted.length > 0) {
        this.log.warn({ omitted }, 'mount paths too long for the TXT record: /api/join lists them');
      }
      this.advertiser = new Advertiser({
        name: this.config.MdnsName || `Lanboard on ${this.hostname.split('.')[0]}`,
        host: `${hostLabel(this.hostname)}.local`,
        port,
        tls,
        txt,
        interfaceAddress: this.config.MdnsInterface,
        log: this.log,
        interfaces: this.interfaces,
      });
      this.advertiser.start();
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'cannot advertise on mDNS; the hub carries on',
      );
    }
  }

  joinInfo(): Promise<JoinInfo> {
    if (!this.port) return Promise.reject(new Error('hub not started'));
    return joinInfo(this.joinInput(this.port));
  }

  /** The join URLs without the QR code; throws before the hub has started. */
  joinAddresses(): JoinAddresses {
    if (!this.port) throw new Error('hub not started');
    return joinAddresses(this.joinInput(this.port));
  }

  private joinInput(port: number): JoinInput {
    return {
      interfaces: this.interfaces(),
      hostname: this.hostname,
      bindAddress: this.config.ServerBindAddress,
      port,
      tls: this.tls,
      protocols: protocolEndpoints(this.config),
      mdnsName: this.advertiser?.name ?? null,
    };
  }

  /** Sends the goodbye packets. */
  async stop(): Promise<void> {
    await this.advertiser?.stop();
  }
}
