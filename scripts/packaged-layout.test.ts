// The app as electron-builder packages it: the files electron-builder.yml
// selects (by electron-builder's own matcher, scripts/packaged-layout.ts) are
// copied into a folder, and the bundled main process is started from there by
// plain Node with `electron` mapped to the fake (app/test/electron-module.ts).
// It must serve the board, its join page and the dashboard, and its
// --smoke-test must pass there, and fail when the board is left out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ensureBoardBuilt } from '../server/test/board-page';
import { ensureDashboardBuilt } from '../server/test/dashboard-hub';
import { resources } from '../app/paths';
import { trayIcons } from '../app/tray';
import { buildApp } from './build-app';
import { builderConfig, layOutApp } from './packaged-layout';
import type { Layout } from './packaged-layout';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-layout-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Maps `electron` to the fake module for the child process (tsx, next in the chain, loads the .ts). */
function fakeElectronHooks(): string {
  const fakeModule = pathToFileURL(path.join(ROOT, 'app', 'test', 'electron-module.ts')).href;
  const hooks = path.join(tmp, 'hooks.mjs');
  fs.writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return next(${JSON.stringify(fakeModule)}, context);
      return next(specifier, context);
    }`,
  );
  const register = path.join(tmp, 'register.mjs');
  fs.writeFileSync(
    register,
    `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
  );
  return pathToFileURL(register).href;
}

interface Run {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  send(message: string): void;
}

function startApp(layout: Layout, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const appData = fs.mkdtempSync(path.join(tmp, 'appData-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', fakeElectronHooks(), layout.main, ...args],
    {
      cwd: ROOT,
      // Only what a launched app would have, plus the fake's folder: no LANBOARD_* from the test run.
      env: { PATH: process.env.PATH, HOME: appData, LANBOARD_FAKE_APP_DATA: appData, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return {
    code: new Promise((resolve) =>
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve(code);
      }),
    ),
    stdout: () => out,
    stderr: () => err,
    send: (message) => child.send(message),
  };
}

async function until<T>(get: () => T | undefined, what: string, run: Run): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the packaged app', () => {
  let layout: Layout;
  const config = builderConfig();

  before(async () => {
    ensureDashboardBuilt();
    ensureBoardBuilt();
    await buildApp(); // out/, as `npm run dist` builds it before electron-builder runs
    layout = await layOutApp(path.join(tmp, 'app'), config);
  });

  test('holds the bundles, the dashboard, the board and its assets, and no sources', () => {
    const files = new Set(layout.files);
    for (const file of ['package.json', 'out/main.mjs', 'out/preload.cjs'])
      assert.ok(files.has(file), file);
    for (const dist of ['renderer/dist', 'renderer/board/dist']) {
      const built = fs.readdirSync(path.join(ROOT, dist), { recursive: true, withFileTypes: true });
      const expected = built
        .filter((e) => e.isFile())
        .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
      assert.ok(expected.length >= 3, dist);
      for (const file of expected) assert.ok(files.has(file), `${file} is packaged`);
    }
    const stray = layout.files.filter(
      (f) => /\.(map|ts|tsx)$/.test(f) || /^(server|app|scripts|docs|bench|node_modules)\//.test(f),
    );
    assert.deepEqual(stray, []);
    assert.equal(layout.main, path.join(layout.dir, 'out', 'main.mjs'), 'extraMetadata.main');
  });

  test('every file the app looks for is there: bundles, pages, window and tray icons for each OS', () => {
    const files = resources(layout.dir);
    const wanted = [
      files.preload,
      files.mainEntry,
      path.join(files.dashboardDir, 'index.html'),
      path.join(files.boardDir, 'index.html'),
      files.windowIcon,
      ...(['darwin', 'win32', 'linux'] as const).flatMap((os) =>
        Object.values(trayIcons(files.trayDir, os)),
      ),
    ];
    for (const file of wanted) assert.ok(fs.existsSync(file), path.relative(layout.dir, file));
    for (const retina of ['trayRunningTemplate@2x.png', 'tray-stopped@2x.png'])
      assert.ok(fs.existsSync(path.join(files.trayDir, retina)), retina);
  });

  test('started from the layout, it serves /, /board/<room>, the dashboard and their files', async () => {
    const run = startApp(layout, [], {
      LANBOARD_SERVER_PORT: '0',
      LANBOARD_SERVER_BIND_ADDRESS: '127.0.0.1',
      LANBOARD_MDNS: '0',
    });
    const dashboard = await until(
      () => /fake-electron: loadURL (\S+)/.exec(run.stdout())?.[1],
      'the window to load the dashboard',
      run,
    );
    const origin = new URL(dashboard).origin;
    const pages: Array<[string, string]> = [
      [`${origin}/`, 'name="lanboard-yjs-path"'],
      [`${origin}/board/lesson-1`, 'name="lanboard-yjs-path"'],
      [dashboard, '<title>Lanboard dashboard</title>'],
    ];
    for (const [url, marker] of pages) {
      const res = await fetch(url);
      const html = await res.text();
      assert.equal(res.status, 200, url);
      assert.ok(html.includes(marker), `${url} is the built page`);
      const scripts = [...html.matchAll(/src="([^"]+\.js)"/g)].map((m) => new URL(m[1]!, url).href);
      assert.ok(scripts.length > 0, url);
      for (const script of scripts) assert.equal((await fetch(script)).status, 200, script);
    }
    run.send('quit');
    assert.equal(await run.code, 0, run.stderr());
  });

  test('--smoke-test passes there: the pages, their files and the preload bridge', async () => {
    const run = startApp(layout, ['--smoke-test']);
    assert.equal(await run.code, 0, run.stderr());
    assert.match(
      run.stderr(),
      /lanboard: smoke test passed: \/socket\?ping; \/; \/board\/smoke-test; \/admin\/; the preload's bridge\n/,
    );
  });

  test('--smoke-test fails when the board is not packaged, as before renderer/board/dist was listed', async () => {
    const files = config.files.filter((f) => !f.startsWith('renderer/board/'));
    assert.equal(files.length, config.files.length - 1);
    const withoutBoard = await layOutApp(path.join(tmp, 'no-board'), { ...config, files });
    assert.ok(!withoutBoard.files.some((f) => f.startsWith('renderer/board/')));
    const run = startApp(withoutBoard, ['--smoke-test']);
    assert.equal(await run.code, 1, run.stderr());
    assert.match(run.stderr(), /smoke test failed: .*; \/ FAILED \(is not the built page/);
    assert.match(run.stderr(), /\/board\/smoke-test FAILED \(answered 503\)/);
  });

  test('--smoke-test fails when the preload is missing from the package', async () => {
    const files = [...config.files, '!out/preload.cjs'];
    const withoutPreload = await layOutApp(path.join(tmp, 'no-preload'), { ...config, files });
    assert.ok(!withoutPreload.files.includes('out/preload.cjs'));
    const run = startApp(withoutPreload, ['--smoke-test']);
    assert.equal(await run.code, 1, run.stderr());
    assert.match(run.stderr(), /the preload's bridge FAILED \(exposes \[\], expected \[/);
  });
});
