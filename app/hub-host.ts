// How the app runs the hub: HubSupervisor (the same one `lanboard serve`
// uses) on the config under userData, and what the window and tray need to
// know about the hub that is running now.
import type { ConfigSources, Hub } from '../server/index';
import type { AdminConnection } from './ipc-contract';
import type { AppPaths } from './paths';

type Flags = NonNullable<ConfigSources['flags']>;

/**
 * The config file under userData, then LANBOARD_* variables, as the headless
 * hub layers them. DataDir defaults to the app's own folder even when the file
 * does not name it: never the headless hub's folder, which another hub on this
 * computer may use.
 */
export function appSources(
  paths: AppPaths,
  env: NodeJS.ProcessEnv,
  flags: Flags = {},
): ConfigSources {
  return { optionalFile: paths.configFile, env, flags, defaults: { DataDir: paths.dataDir } };
}

/**
 * For one start only, when the configured port is taken: any free port, on
 * this computer only, so that Settings can be opened to choose another.
 */
export function temporarySources(sources: ConfigSources): ConfigSources {
  const why = '(temporary: the configured port was taken)';
  return {
    ...sources,
    flags: {
      ...sources.flags,
      ServerPort: { raw: '0', flag: why },
      ServerBindAddress: { raw: '127.0.0.1', flag: why },
    },
  };
}

/** The smoke test's hub: a free loopback port, no mDNS, nothing left behind on the LAN. */
export const SMOKE_FLAGS: Flags = {
  ServerPort: { raw: '0', flag: '--smoke-test' },
  ServerBindAddress: { raw: '127.0.0.1', flag: '--smoke-test' },
  Mdns: { raw: '0', flag: '--smoke-test' },
};

/**
 * The dashboard's base URL on loopback and the admin token, taken apart from
 * hub.dashboardUrl() so that the token never goes into a URL the window loads.
 */
export function adminConnection(hub: Hub): AdminConnection {
  const url = new URL(hub.dashboardUrl());
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  url.hash = '';
  return { url: url.href, token };
}
