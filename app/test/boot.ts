// Boots the app through runApp with a fake Electron, userData in a temp
// folder and a real hub on loopback with mDNS off (nothing leaves the machine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runApp } from '../app';
import type { DesktopApp, RunOptions } from '../app';
import { FakeElectron } from './fake-electron';

export interface Booted {
  fake: FakeElectron;
  desktop: DesktopApp;
  /** appData/Lanboard, where the app keeps everything (but on Windows, see paths.ts). */
  userData: string;
  reports: string[];
  /** Quits through the tray, waits for the hub to stop, removes the temp folder. */
  quit(): Promise<void>;
}

export const TEST_ENV = {
  LANBOARD_MDNS: '0',
  LANBOARD_SERVER_BIND_ADDRESS: '127.0.0.1',
  LANBOARD_LOG_LEVEL: 'info',
};

export interface BootOptions extends Partial<RunOptions> {
  /** Written as userData/lanboard.conf before the app starts. */
  configText?: string;
  /** Set up the fake before the app runs (answers to dialogs, say). */
  prepare?(fake: FakeElectron): void;
  /** Electron's appData: a folder the test owns and removes (a temp one, removed on quit, otherwise). */
  appData?: string;
}

export async function bootApp(o: BootOptions = {}): Promise<Booted> {
  const appData = o.appData ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-app-'));
  const userData = path.join(appData, 'Lanboard');
  if (o.configText !== undefined) {
    fs.mkdirSync(userData, { recursive: true });
    fs.writeFileSync(path.join(userData, 'lanboard.conf'), o.configText);
  }
  const fake = new FakeElectron(appData);
  o.prepare?.(fake);
  const reports: string[] = [];
  const desktop = await runApp(fake.api, {
    argv: ['electron', 'out/main.mjs'],
    env: { LANBOARD_SERVER_PORT: '0', ...TEST_ENV },
    platform: 'linux',
    report: (line) => reports.push(line),
    ...o,
  });
  if (!desktop) throw new Error('the app did not take the single-instance lock');
  await desktop.started;
  return {
    fake,
    desktop,
    userData,
    reports,
    async quit() {
      fake.app.quit();
      await desktop.stopped;
      if (!o.appData) fs.rmSync(appData, { recursive: true, force: true });
    },
  };
}
