// What createHub calls: the admin token, the stats history, the "has a LAN
// client joined yet" flag, and the admin routes, with defaults for a hub that
// runs without a host (no restart; the config file is <DataDir>/lanboard.conf).
import path from 'node:path';
import { loadOrCreateSecret } from '../config/secret-file';
import { loadConfig } from '../config/load';
import type { Origin } from '../config/load';
import type { ConfigKey, HubConfig } from '../config/schema';
import { SETTINGS } from '../config/schema';
import type { HostControls } from './host-controls';
import type { MountedProtocol } from '../hub/protocol';
import type { HttpTransport } from '../transport/http-server';
import { isLoopbackAddress } from './auth';
import type { AdminContext } from './context';
import { addAdminRoutes } from './mount';
import { DEFAULT_DASHBOARD_DIR } from './static';
import { StatsHistory } from './stats-history';

export const ADMIN_TOKEN_FILE = 'admin-token';

/** AdminToken, or the one kept in <DataDir>/admin-token (created on first use). */
export function adminTokenSource(config: HubConfig, log: AdminContext['log']): () => string {
  let token: string | undefined;
  return () =>
    (token ??=
      config.AdminToken ||
      loadOrCreateSecret(path.join(config.DataDir, ADMIN_TOKEN_FILE), log, 'an admin token'));
}

/** For a hub started without a host: the default file, every value a default, no restart. */
export function standaloneHost(config: HubConfig): HostControls {
  const configFile = path.join(config.DataDir, 'lanboard.conf');
  const origins = Object.fromEntries(SETTINGS.map((s) => [s.key, 'default'])) as Record<
    ConfigKey,
    Origin
  >;
  return {
    configFile,
    origins,
    check: (fileText) => loadConfig({ optionalFile: configFile, fileText }),
  };
}

export type AdminMount = Omit<
  AdminContext,
  'history' | 'lanClientSeen' | 'host' | 'dashboardDir'
> & {
  host: HostControls | undefined;
  dashboardDir: string | undefined;
};

export function mountAdmin(transport: HttpTransport, m: AdminMount): MountedProtocol {
  let lanClientSeen = false;
  const onClient = (c: { remoteAddress: string }) => {
    if (!isLoopbackAddress(c.remoteAddress)) lanClientSeen = true;
  };
  m.registry.on('client-added', onClient);
  const history = new StatsHistory({
    traffic: () => transport.trafficByEndpoint(),
    registry: () => m.registry.stats(),
  });
  const routes = addAdminRoutes(transport, {
    ...m,
    host: m.host ?? standaloneHost(m.config),
    dashboardDir: m.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
    history,
    lanClientSeen: () => lanClientSeen,
  });
  return {
    async stop() {
      m.registry.off('client-added', onClient);
      await routes.stop?.();
    },
  };
}
