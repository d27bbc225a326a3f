// The AppImage on current Ubuntu: AppArmor blocks unprivileged user
// namespaces (Ubuntu 23.10 and later) and the AppImage's FUSE mount is nosuid,
// so Chromium's sandbox can start neither way there and Electron aborts.
// electron-builder's launcher (AppRun) then adds --no-sandbox, and only then;
// our config keeps the desktop entry from adding it everywhere. Both are run
// here from electron-builder's own code, with a stand-in for `unshare`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { builderConfig } from './packaged-layout';

const require = createRequire(import.meta.url);
const { generateAppRunScript } =
  require('app-builder-lib/out/targets/appimage/appImageUtil.js') as {
    generateAppRunScript(config: Record<string, string>): string;
  };
const { default: AppImageTarget } =
  require('app-builder-lib/out/targets/appimage/AppImageTarget.js') as {
    default: new (
      ignored: null,
      packager: object,
      helper: object,
      outDir: string,
    ) => { desktopEntry: { value: Promise<string> } };
  };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-appimage-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const config = builderConfig();

/** The Exec line electron-builder computes for the AppImage's desktop entry. */
async function appImageExec(c: typeof config): Promise<string> {
  const packager = {
    platformSpecificBuildOptions: c.linux,
    config: c,
    appInfo: { buildVersion: '0.1.0' },
  };
  const helper = { computeDesktopEntry: async (_options: unknown, exec: string) => exec };
  return new AppImageTarget(null, packager, helper, tmp).desktopEntry.value;
}

test("the AppImage's desktop entry runs the launcher with no --no-sandbox of its own", async () => {
  assert.equal(await appImageExec(config), 'AppRun %U');
  // Without `executableArgs: []`, electron-builder forces it for every launch from a menu.
  const appImage = { ...(config.appImage as object) } as Record<string, unknown>;
  delete appImage.executableArgs;
  assert.equal(await appImageExec({ ...config, appImage }), 'AppRun --no-sandbox %U');
  // The deb and rpm keep the sandbox: nothing adds the flag to them.
  for (const section of ['linux', 'deb', 'rpm'])
    assert.equal((config[section] as Record<string, unknown>).executableArgs, undefined, section);
});

/** Runs electron-builder's AppRun in an AppDir whose `lanboard` records its arguments. */
function launch(unshareWorks: boolean, args: string[]): string[] {
  const appDir = fs.mkdtempSync(path.join(tmp, 'AppDir-'));
  const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
  const record = path.join(appDir, 'args');
  const appRun = generateAppRunScript({
    DesktopFileName: 'lanboard.desktop',
    ExecutableName: 'lanboard',
    ProductName: 'Lanboard',
    ProductFilename: 'Lanboard',
    ResourceName: 'appimagekit-lanboard',
  });
  fs.writeFileSync(path.join(appDir, 'AppRun'), appRun, { mode: 0o755 });
  fs.writeFileSync(
    path.join(appDir, 'lanboard'),
    `#!/bin/sh\nfor a in "$@"; do echo "$a"; done > '${record}'\n`,
    { mode: 0o755 },
  );
  // `unshare -Ur true` is the launcher's probe: AppArmor's restriction makes it fail.
  fs.writeFileSync(path.join(bin, 'unshare'), `#!/bin/sh\nexit ${unshareWorks ? 0 : 1}\n`, {
    mode: 0o755,
  });
  const run = spawnSync('bash', [path.join(appDir, 'AppRun'), ...args], {
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      APPDIR: appDir,
      APPIMAGE: path.join(tmp, 'Lanboard-0.1.0-x86_64.AppImage'),
      HOME: tmp,
    },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return fs.readFileSync(record, 'utf8').split('\n').filter(Boolean);
}

test('the launcher adds --no-sandbox where user namespaces are blocked (Ubuntu 24.04), and only there', (t) => {
  if (spawnSync('bash', ['-c', 'true']).status !== 0) return t.skip('no bash');
  assert.deepEqual(launch(false, ['--smoke-test']), ['--no-sandbox', '--smoke-test']);
  assert.deepEqual(launch(true, ['--smoke-test']), ['--smoke-test']);
  assert.deepEqual(launch(false, ['--hidden']), ['--no-sandbox', '--hidden'], 'autostart too');
  assert.deepEqual(launch(false, []), ['--no-sandbox']);
});
