// The object the preload exposes, built over an `invoke` so that it can be
// tested without Electron. Each function maps to exactly one channel.
import { CHANNELS } from './ipc-contract';
import type { Channel, DesktopApi } from './ipc-contract';

type Invoke = (channel: Channel, ...args: unknown[]) => Promise<unknown>;

export function desktopApi(invoke: Invoke): DesktopApi {
  // Arrow functions: contextBridge copies plain functions, and no renderer
  // value can reach `invoke` other than these arguments.
  return {
    adminConnection: () =>
      invoke(CHANNELS.adminConnection) as ReturnType<DesktopApi['adminConnection']>,
    pickFile: (kind) => invoke(CHANNELS.pickFile, kind) as Promise<string | null>,
    openLogsFolder: () => invoke(CHANNELS.openLogsFolder) as Promise<void>,
    getAutostart: () => invoke(CHANNELS.getAutostart) as Promise<boolean>,
    setAutostart: (enabled) => invoke(CHANNELS.setAutostart, enabled) as Promise<boolean>,
    networkStatus: () => invoke(CHANNELS.networkStatus) as ReturnType<DesktopApi['networkStatus']>,
    allowThroughFirewall: () =>
      invoke(CHANNELS.allowThroughFirewall) as ReturnType<DesktopApi['allowThroughFirewall']>,
  };
}
