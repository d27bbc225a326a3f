// Starts a real hub on 127.0.0.1, port 0, for integration tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigSources } from '../config/load';
import { createHub } from '../index';
import type { Hub, HubConfig, HubOptions } from '../index';
import { startMariaDb } from './mariadb-server';
import type { TestMariaDb } from './mariadb-server';
import { startPostgres } from './postgres-server';
import type { TestPostgres } from './postgres-server';

export { freePort } from './free-port';

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
  // Never the machine's own data folder: a hub on Redis keeps its workspaces in
  // a SQLite file there, and any hub may write its hub ID and keys.
  const own = config.DataDir === undefined ? tempDir('lanboard-hub-') : undefined;
  const hub = createHub(
    {
      ServerBindAddress: '127.0.0.1',
      ServerPort: 0,
      Database: 'memory',
      LogLevel: 'silent',
      Mdns: false,
      ...(own ? { DataDir: own.dir } : {}),
      ...(config.Database === undefined ? await defaultDatabase() : {}),
      ...config,
    },
    options,
  );
  try {
    await hub.start();
  } catch (err) {
    own?.remove();
    throw err;
  }
  const httpUrl = hub.url();
  return {
    hub,
    httpUrl,
    wsUrl: httpUrl.replace(/^http/, 'ws'),
    stop: async () => {
      await hub.stop();
      own?.remove();
    },
  };
}

let postgres: Promise<TestPostgres> | undefined;
let mariadb: Promise<TestMariaDb> | undefined;

/**
 * Where a hub that names no Database keeps its data: memory, or with
 * LANBOARD_TEST_DATABASE=postgresql (or mariadb) a database of its own on one
 * PostgreSQL (or MariaDB) server per test process, so that the protocols'
 * suites run on it unchanged (docs/development.md#postgresql).
 */
async function defaultDatabase(): Promise<Partial<HubConfig>> {
  const wanted = process.env.LANBOARD_TEST_DATABASE ?? 'memory';
  if (wanted === 'memory') return {};
  if (wanted === 'postgresql') {
    postgres ??= startPostgres();
    return (await postgres).newDatabase();
  }
  if (wanted === 'mariadb') {
    mariadb ??= startMariaDb();
    return (await mariadb).newDatabase();
  }
  throw new Error(`LANBOARD_TEST_DATABASE=${wanted}: memory, postgresql or mariadb`);
}

/** A fresh directory under the OS temp folder, removed by the returned function. */
export function tempDir(prefix = 'lanboard-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export { hex } from './messages';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (for a hub that must listen on a known port). */

/**
 * What `lanboard serve --config <file> --data-dir <dir> --no-mdns` would load,
 * with no LANBOARD_* variables: for tests that run the hub under HubSupervisor.
 */
export function serveSources(
  file: string,
  dataDir: string,
  flags: ConfigSources['flags'] = {},
): ConfigSources {
  return {
    file,
    env: {},
    flags: {
      DataDir: { raw: dataDir, flag: '--data-dir' },
      Mdns: { raw: '0', flag: '--no-mdns' },
      ...flags,
    },
  };
}
