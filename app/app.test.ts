// The app's wiring, run through runApp with a fake Electron and a real hub:
// first run, the window and tray, close-to-tray, quit, a second instance, a
// busy port, a restart on a new port, TLS trust, and the smoke test.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { ensureBoardBuilt } from '../server/test/board-page';
import { ensureDashboardBuilt } from '../server/test/dashboard-hub';
import { ZwibblerClient } from '../server/test/zwibbler-client';
import { backUp, damageMiddle, databaseWithDocuments } from '../server/test/damaged-file';
import { buildApp } from '../scripts/build-app';
import { runApp } from './app';
import { bootApp, TEST_ENV } from './test/boot';
import type { Booted } from './test/boot';
import { FakeElectron, FakeTray, preventable } from './test/fake-electron';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
});

async function boot(o: Parameters<typeof bootApp>[0] = {}): Promise<Booted> {
  const b = await bootApp(o);
  running.push(b);
  return b;
}

function port(b: Booted): number {
  return Number(new URL(b.desktop.hub()!.url()).port);
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function listenOn(p: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve(server));
  });
}

describe('the app hosting a real hub', () => {
  test('first run: default config under userData, the window on the dashboard, a client, close to tray, quit', async () => {
    const b = await boot();
    const { fake, desktop, userData } = b;
    const p = port(b);

    // Config, database and logs under userData; the config pins DataDir there.
    const conf = fs.readFileSync(path.join(userData, 'lanboard.conf'), 'utf8');
    assert.match(conf, new RegExp(`^DataDir=${escape(path.join(userData, 'data'))}$`, 'm'));
    assert.equal(fake.app.getPath('userData'), userData);
    assert.equal(fake.app.logsPath, path.join(userData, 'logs'));
    assert.ok(fs.existsSync(path.join(userData, 'logs', 'lanboard.log')));
    assert.ok(fs.existsSync(path.join(userData, 'data', 'lanboard.db')));
    assert.equal(fake.app.sandboxed, true);

    // The window shows the dashboard on loopback, with no token in the URL.
    const win = fake.BrowserWindow.all[0]!;
    assert.deepEqual(win.loaded, [`http://127.0.0.1:${p}/admin/`]);
    assert.equal(win.isVisible(), true);
    assert.ok(win.webContents.windowOpenHandler, 'navigation guard installed on the window');

    // A real Zwibbler client connects; the tray counts it.
    const client = await ZwibblerClient.join(`ws://127.0.0.1:${p}/socket`, { docId: 'lesson-1' });
    client.append(0, 'hello');
    const tray = FakeTray.all[0]!;
    await until(() => tray.tooltip.includes('1 connection'), 'the tray to count the client');
    await until(() => tray.tooltip.includes('awake'), 'the tray to say the computer is kept awake');
    assert.equal(
      tray.tooltip,
      `Lanboard: running on port ${p}, 1 connection; keeping the computer awake`,
    );
    assert.deepEqual(
      tray.menu!.items.filter((i) => i.label).map((i) => i.label),
      [
        `Lanboard: running on port ${p}, 1 connection`,
        'Keeping this computer awake while devices are connected',
        'Open dashboard',
        'Copy join link',
        'Quit',
      ],
    );

    tray.click('Copy join link');
    await until(() => fake.clipboardTexts.length === 1, 'the join link');
    assert.match(fake.clipboardTexts[0]!, new RegExp(`^http://[^/]+:${p}/$`));

    // Closing the window hides it; the hub keeps running.
    win.close();
    assert.equal(win.isDestroyed(), false);
    assert.equal(win.isVisible(), false);
    assert.equal(client.ws.readyState, client.ws.OPEN);
    tray.click('Open dashboard');
    assert.equal(win.isVisible(), true);

    // Quit from the tray stops the hub: the client gets 1001, the database is closed.
    const wal = path.join(userData, 'data', 'lanboard.db-wal');
    await until(() => fs.existsSync(wal), 'the append to reach the database');
    tray.click('Quit');
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    await desktop.stopped;
    assert.equal(
      fs.existsSync(wal),
      false,
      'the WAL is checkpointed away when the last connection closes',
    );
    assert.ok(
      desktop.supervisor.logs.recent().some((l) => l.includes('"hub stopped"')),
      'hub stopped logged',
    );
    assert.equal(tray.destroyed, true);
    // Once quitting, a close really closes.
    win.close();
    assert.equal(win.isDestroyed(), true);
    assert.equal(fake.app.exitCode, undefined, 'a normal quit, not an exit');
  });

  test('a second launch quits at once, and the first one shows its window', async () => {
    const b = await boot({ argv: ['electron', 'out/main.mjs', '--hidden'] });
    const win = b.fake.BrowserWindow.all[0]!;
    assert.equal(win.isVisible(), false, '--hidden starts in the tray');
    win.minimize();
    b.fake.app.emit('second-instance', preventable(), ['lanboard'], '/');
    assert.equal(win.isVisible(), true);
    assert.equal(win.isMinimized(), false);
    assert.ok(win.focused > 0);

    // The second process: no lock, so no window, no hub, and it quits.
    const other = new FakeElectron(fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-app-')));
    other.app.lockAvailable = false;
    const second = await runApp(other.api, {
      argv: ['lanboard'],
      env: TEST_ENV,
      platform: 'linux',
    });
    assert.equal(second, undefined);
    assert.equal(other.app.quitCalls, 1);
    assert.equal(FakeTray.all.length, 0);
    fs.rmSync(path.dirname(other.app.getPath('userData')), { recursive: true, force: true });
    await b.quit();
  });

  test('a busy port: a dialog names it, then Settings opens on a temporary loopback port', async () => {
    const blocker = await listenOn(0);
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const b = await boot({ env: { ...TEST_ENV, LANBOARD_SERVER_PORT: String(busy) } });
      assert.equal(b.fake.messageBoxes.length, 1);
      const box = b.fake.messageBoxes[0]!;
      assert.equal(box.message, `Port ${busy} is already in use by another program.`);
      assert.deepEqual(box.buttons, ['Open Settings', 'Quit']);
      const p = port(b);
      assert.notEqual(p, busy);
      assert.equal(b.desktop.hub()!.config.ServerBindAddress, '127.0.0.1');
      const win = b.fake.BrowserWindow.all[0]!;
      assert.deepEqual(win.loaded, [`http://127.0.0.1:${p}/admin/settings`]);
      assert.equal(win.isVisible(), true);
      await b.quit();
    } finally {
      blocker.close();
    }
  });

  test('a busy port and Quit: no hub, the app quits without crashing', async () => {
    const blocker = await listenOn(0);
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const b = await boot({
        env: { ...TEST_ENV, LANBOARD_SERVER_PORT: String(busy) },
        prepare: (fake) => fake.messageBoxAnswers.push(1),
      });
      await b.desktop.stopped;
      assert.equal(b.desktop.hub(), undefined);
      assert.deepEqual(b.fake.errorBoxes, []);
      await b.quit();
    } finally {
      blocker.close();
    }
  });

  test('a damaged database: a dialog says so and shows the newest backup, and no hub starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-damaged-app-'));
    try {
      const db = path.join(dir, 'lanboard.db');
      await databaseWithDocuments(db, 2000);
      const backup = await backUp(db);
      damageMiddle(db);

      const b = await boot({ configText: `DbFile=${db}\n`, env: TEST_ENV });
      await b.desktop.stopped;
      assert.equal(b.desktop.hub(), undefined);
      assert.equal(b.fake.messageBoxes.length, 1);
      const box = b.fake.messageBoxes[0]!;
      assert.equal(box.message, "Lanboard's database is damaged.");
      assert.match(
        box.detail ?? '',
        new RegExp(`restore the newest backup, put a copy of ${escape(backup)}`),
      );
      assert.match(box.detail ?? '', /add DbStartDamaged=1 to .+lanboard\.conf\.$/);
      assert.deepEqual(box.buttons, ['Show the newest backup', 'Quit']);
      assert.deepEqual(b.fake.openedPaths, [backup]);
      assert.deepEqual(b.fake.errorBoxes, []);
      await b.quit();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a config that does not name DataDir still keeps the data under userData, not the headless hub's folder", async () => {
    const b = await boot({ configText: 'ServerBindAddress=127.0.0.1\n', env: TEST_ENV });
    assert.equal(b.desktop.hub()!.config.DataDir, path.join(b.userData, 'data'));
    assert.ok(fs.existsSync(path.join(b.userData, 'data', 'lanboard.db')));
    await b.quit();
  });

  test('after a restart on a new port, the window follows the hub', async () => {
    const first = await freePort();
    const b = await boot({ configText: `ServerPort=${first}\n`, env: TEST_ENV });
    const win = b.fake.BrowserWindow.all[0]!;
    assert.deepEqual(win.loaded, [`http://127.0.0.1:${first}/admin/`]);
    const second = await freePort();
    fs.writeFileSync(path.join(b.userData, 'lanboard.conf'), `ServerPort=${second}\n`);
    await b.desktop.supervisor.restart(); // what the dashboard's POST restart calls
    assert.equal(port(b), second);
    assert.deepEqual(win.loaded, [
      `http://127.0.0.1:${first}/admin/`,
      `http://127.0.0.1:${second}/admin/`,
    ]);
    await b.quit();
  });

  test('TLS: the window loads https, and only the configured certificate is trusted, for the hub only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-tls-'));
    const pems = await generate([{ name: 'commonName', value: 'lanboard-test' }], {
      keyType: 'ec',
    });
    const other = await generate([{ name: 'commonName', value: 'someone-else' }], {
      keyType: 'ec',
    });
    fs.writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
    fs.writeFileSync(path.join(dir, 'key.pem'), pems.private);
    const b = await boot({
      configText: `CertFile=${path.join(dir, 'cert.pem')}\nKeyFile=${path.join(dir, 'key.pem')}\n`,
    });
    const p = port(b);
    const win = b.fake.BrowserWindow.all[0]!;
    assert.deepEqual(win.loaded, [`https://127.0.0.1:${p}/admin/`]);

    const verdict = (url: string, cert: string) => {
      const event = preventable();
      let trusted: boolean | undefined;
      b.fake.app.emit(
        'certificate-error',
        event,
        win.webContents,
        url,
        'net::ERR_CERT_AUTHORITY_INVALID',
        { fingerprint: chromiumFingerprint(cert) },
        (ok: boolean) => (trusted = ok),
        true,
      );
      assert.equal(event.defaultPrevented, trusted === true);
      return trusted;
    };
    assert.equal(verdict(`https://127.0.0.1:${p}/admin/`, pems.cert), true);
    assert.equal(verdict(`https://127.0.0.1:${p}/admin/api/snapshot`, pems.cert), true);
    assert.equal(verdict(`https://127.0.0.1:${p}/admin/`, other.cert), false);
    assert.equal(verdict(`https://127.0.0.1:${p + 1}/admin/`, pems.cert), false);
    assert.equal(verdict(`https://192.168.1.10:${p}/admin/`, pems.cert), false);
    assert.equal(verdict(`https://example.org/`, pems.cert), false);
    await b.quit();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('--smoke-test', () => {
  test('starts the hub, checks its pages and the bridge, stops it and exits 0, in a throwaway userData', async () => {
    const appData = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-app-'));
    const root = await appRoot(appData);
    const fake = new FakeElectron(appData);
    const reports: string[] = [];
    // No LANBOARD_* variables: the smoke test picks its own port and turns mDNS off.
    const desktop = await runApp(fake.api, {
      argv: ['Lanboard', '--smoke-test'],
      env: {},
      platform: 'linux',
      root,
      report: (line) => reports.push(line),
    });
    assert.ok(desktop);
    await desktop.started;
    await desktop.stopped;
    assert.equal(fake.app.exitCode, 0, reports.join('\n'));
    assert.deepEqual(reports, [
      "lanboard: smoke test passed: /socket?ping; /; /board/smoke-test; /admin/; the preload's bridge",
    ]);
    const userData = fake.app.getPath('userData');
    assert.ok(userData.startsWith(path.join(os.tmpdir(), 'lanboard-smoke-')), userData);
    assert.equal(
      fs.existsSync(path.join(appData, 'Lanboard')),
      false,
      'the real userData is untouched',
    );
    assert.equal(fake.BrowserWindow.all[0]!.isVisible(), false);
    fs.rmSync(userData, { recursive: true, force: true });
    fs.rmSync(appData, { recursive: true, force: true });
  });
});

/**
 * A root as the packaged app has it: the preload built here, the dashboard and
 * board built by `npm run build` (scripts/packaged-layout.test.ts checks the
 * real package's selection).
 */
async function appRoot(parent: string): Promise<string> {
  ensureDashboardBuilt();
  ensureBoardBuilt();
  const root = path.join(parent, 'root');
  await buildApp(path.join(root, 'out'));
  fs.symlinkSync(path.join(REPO, 'renderer'), path.join(root, 'renderer'), 'dir');
  fs.symlinkSync(path.join(REPO, 'build'), path.join(root, 'build'), 'dir');
  return root;
}

/** Chromium's certificate fingerprint, computed here from the PEM text itself. */
function chromiumFingerprint(pem: string): string {
  const body = pem.split('-----BEGIN CERTIFICATE-----')[1]!.split('-----END CERTIFICATE-----')[0]!;
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  return `sha256/${crypto.createHash('sha256').update(der).digest('base64')}`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function freePort(): Promise<number> {
  return listenOn(0).then(
    (server) =>
      new Promise((resolve) => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      }),
  );
}
