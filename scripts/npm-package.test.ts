// The npm package as `npm pack` would publish it: exactly the files it lists
// are copied into a folder (node_modules linked beside them), and
// `lanboard serve` from there runs the hub compiled ahead of time
// (lib/lanboard.mjs) with plain Node: no TypeScript source and no tsx in it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ensureBoardBuilt } from '../server/test/board-page';
import { ensureDashboardBuilt } from '../server/test/dashboard-hub';
import { spawnHub } from '../server/test/child-hub';
import { buildServer } from './build-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-package-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let files: string[] = [];

before(async () => {
  ensureDashboardBuilt();
  ensureBoardBuilt();
  await buildServer();
  const packed = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  files = (JSON.parse(packed) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(tmp, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
});

test('the package holds the compiled hub and the built pages, and no TypeScript', () => {
  for (const needed of ['bin/lanboard.js', 'lib/lanboard.mjs', 'package.json']) {
    assert.ok(files.includes(needed), needed);
  }
  assert.ok(files.some((f) => f.startsWith('renderer/dist/')));
  assert.ok(files.some((f) => f.startsWith('renderer/board/dist/')));
  assert.deepEqual(
    files.filter((f) => f.endsWith('.ts')),
    [],
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  assert.equal(manifest.dependencies.tsx, undefined, 'tsx is for development only');
});

test('lanboard serve from the package runs the compiled hub and serves its pages', async () => {
  const hub = await spawnHub([], {}, { bin: path.join(tmp, 'bin', 'lanboard.js'), cwd: tmp });
  try {
    const health = await fetch(`${hub.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    for (const page of ['/', '/admin/']) {
      const res = await fetch(`${hub.httpUrl}${page}`);
      assert.equal(res.status, 200, page);
      assert.match(await res.text(), /<!doctype html>/i, page);
    }
    assert.doesNotMatch(hub.stdout() + hub.stderr(), /not built/);
  } finally {
    await hub.stop();
  }
});
