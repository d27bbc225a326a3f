// Start at login: an XDG autostart entry on Linux, the login item API elsewhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { autostart, execArgument } from './autostart';
import { FakeApp } from './test/fake-electron';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-autostart-'));
after(() => fs.rmSync(home, { recursive: true, force: true }));

test('Linux, packaged AppImage: writes and removes ~/.config/autostart/lanboard.desktop', () => {
  const app = new FakeApp(home);
  app.isPackaged = true;
  const env = {
    XDG_CONFIG_HOME: path.join(home, 'config'),
    APPIMAGE: '/home/ms lee/Apps/Lanboard-1.0.0.AppImage',
  };
  const login = autostart({
    app: app as never,
    platform: 'linux',
    env,
    exe: '/tmp/.mount_Lanb/lanboard',
    mainEntry: '/x/out/main.mjs',
  });
  const file = path.join(home, 'config', 'autostart', 'lanboard.desktop');
  assert.equal(login.get(), false);
  login.set(true);
  assert.equal(login.get(), true);
  assert.equal(
    fs.readFileSync(file, 'utf8'),
    [
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.5',
      'Name=Lanboard',
      'Comment=Classroom collaboration hub',
      'Exec="/home/ms lee/Apps/Lanboard-1.0.0.AppImage" --hidden',
      'Icon=lanboard',
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n'),
  );
  login.set(false);
  assert.equal(fs.existsSync(file), false);
  assert.equal(login.get(), false);
  assert.deepEqual(app.loginItemCalls, [], 'the login item API is not used on Linux');
});

test('Linux, deb install, and development: the executable, then the entry in development', () => {
  const env = { XDG_CONFIG_HOME: path.join(home, 'dev') };
  const file = path.join(home, 'dev', 'autostart', 'lanboard.desktop');
  const packaged = new FakeApp(home);
  packaged.isPackaged = true;
  autostart({
    app: packaged as never,
    platform: 'linux',
    env,
    exe: '/opt/Lanboard/lanboard',
    mainEntry: 'unused',
  }).set(true);
  assert.match(fs.readFileSync(file, 'utf8'), /^Exec=\/opt\/Lanboard\/lanboard --hidden$/m);
  const dev = new FakeApp(home);
  autostart({
    app: dev as never,
    platform: 'linux',
    env,
    exe: '/repo/node_modules/electron/dist/electron',
    mainEntry: '/repo/out/main.mjs',
  }).set(true);
  assert.match(
    fs.readFileSync(file, 'utf8'),
    /^Exec=\/repo\/node_modules\/electron\/dist\/electron \/repo\/out\/main.mjs --hidden$/m,
  );
});

test('Exec arguments are quoted as the Desktop Entry spec asks', () => {
  assert.equal(execArgument('/usr/bin/lanboard'), '/usr/bin/lanboard');
  assert.equal(execArgument('/a b/lanboard'), '"/a b/lanboard"');
  assert.equal(execArgument('/a$b'), '"/a\\\\$b"');
  assert.equal(execArgument('/a"b c'), '"/a\\\\"b c"');
  assert.equal(execArgument('100%'), '100%%');
});

test('Windows and macOS: the login item API, starting hidden', () => {
  for (const platform of ['win32', 'darwin'] as const) {
    const app = new FakeApp(home);
    app.isPackaged = true;
    const login = autostart({
      app: app as never,
      platform,
      env: {},
      exe: 'C:\\Program Files\\Lanboard\\Lanboard.exe',
      mainEntry: 'unused',
    });
    login.set(true);
    assert.equal(login.get(), true);
    login.set(false);
    assert.equal(login.get(), false);
    const query = { path: 'C:\\Program Files\\Lanboard\\Lanboard.exe', args: ['--hidden'] };
    assert.deepEqual(app.loginItemCalls, [
      { set: { openAtLogin: true, ...query } },
      { get: query },
      { set: { openAtLogin: false, ...query } },
      { get: query },
    ]);
  }
});
