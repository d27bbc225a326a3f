// Starts a real hub on 127.0.0.1, port 0, for integration tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHub } from '../index';
import type { Hub, HubConfig, HubOptions } from '../index';

export interface TestHub {
  hub: Hub;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
  httpUrl: string;
  stop(): Promise<void>;
}

export async function startHub(
  config: Partial<HubConfig> = {},
  options: HubOptions = {},
): Promise<TestHub> {
  const hub = createHub(
    {
      ServerBindAddress: '127.0.0.1',
      ServerPort: 0,
      Database: 'memory',
      LogLevel: 'silent',
      Mdns: false,
      ...config,
    },
    options,
  );
  await hub.start();
  const httpUrl = hub.url();
  return { hub, httpUrl, wsUrl: httpUrl.replace(/^http/, 'ws'), stop: () => hub.stop() };
}

/** A fresh directory under the OS temp folder, removed by the returned function. */
export function tempDir(prefix = 'lanboard-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export { hex } from './messages';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
