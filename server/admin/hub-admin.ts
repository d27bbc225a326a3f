// What createHub calls: the admin token, the stats history, the "has a LAN
// client joined yet" flag, and the admin routes, with defaults for a hub that
// runs without a host (no restart; the config file is <DataDir>/lanboard.conf).
import { randomBytes } from 'node:crypto';
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
import { loadHubId } from '../discovery/hub-id';
import { LoginCookies, sessionsFile } from './login-cookie';
import { addAdminRoutes } from './mount';
import { DEFAULT_DASHBOARD_DIR } from './static';
import { StatsHistory } from './stats-history';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Where the admin token is kept: `<DataDir>/admin-token`, or undefined when the
 * AdminToken setting gives it, or when Database=memory (a throwaway hub writes
 * nothing to disk: its token lives as long as the process).
 */
export function adminTokenFile(config: HubConfig): string | undefined {
  if (config.AdminToken || config.Database === 'memory') return undefined;
  return path.join(config.DataDir, ADMIN_TOKEN_FILE);
}

/** Where adminTokenSource takes the token from, in words for the log and the terminal. */
export function adminTokenOrigin(config: HubConfig): string {
  if (config.AdminToken) return 'the AdminToken setting';
  return adminTokenFile(config) ?? 'memory only (Database=memory)';
}

/** AdminToken, the one kept in <DataDir>/admin-token (0600, created at the first start), or one in memory. */
export function adminTokenSource(config: HubConfig, log: AdminContext['log']): () => string {
  let token: string | undefined;
  return () => {
    if (token !== undefined) return token;
    const file = adminTokenFile(config);
    if (file) token = loadOrCreateSecret(file, log, 'an admin token');
    else token = config.AdminToken || randomBytes(32).toString('base64url');
    return token;
  };
}

/**
 * The dashboard's address on this computer with the token in its fragment
 * (which never reaches a server log). A hub listening on every interface is
 * reached through loopback, which the admin API always accepts.
 */
export function dashboardAddress(
  config: HubConfig,
  listening: { address: string; family: string; port: number },
  token: string,
): string {
  const everywhere = ['0.0.0.0', '::', ''].includes(config.ServerBindAddress);
  const host = everywhere
    ? listening.family === 'IPv6'
      ? '[::1]'
      : '127.0.0.1'
    : listening.family === 'IPv6'
      ? `[${listening.address}]`
      : listening.address;
  const admin = config.AdminPath.replace(/\/+$/, '');
  const scheme = config.CertFile ? 'https' : 'http';
  return `${scheme}://${host}:${listening.port}${admin}/#token=${encodeURIComponent(token)}`;
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

/**
 * Named after the hub id kept in DataDir, so that two hubs on one computer
 * (cookies ignore the port) each keep their own login; a throwaway hub
 * (Database=memory) takes a fresh id and secret.
 */
function loginCookies(config: HubConfig, log: AdminContext['log']): LoginCookies {
  const persistent = config.Database !== 'memory';
  return new LoginCookies({
    hubId: persistent ? loadHubId(config.DataDir, log) : randomBytes(4).toString('hex'),
    file: sessionsFile(config.DataDir, config.Database),
    path: `${config.AdminPath.replace(/\/+$/, '')}/`,
    log,
  });
}

export type AdminMount = Omit<
  AdminContext,
  'history' | 'lanClientSeen' | 'host' | 'dashboardDir' | 'cookies'
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
    cookies: loginCookies(m.config, m.log),
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
