// The Electron bundles: the preload is one CommonJS file that requires only
// 'electron'; the main bundle keeps npm packages external and links.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { after, before, test } from 'node:test';
import { buildApp } from './build-app';

// Inside node_modules, so that the bundle's bare imports resolve as they do from out/.
const cache = new URL('../node_modules/.cache/', import.meta.url);
fs.mkdirSync(cache, { recursive: true });
const out = fs.mkdtempSync(path.join(cache.pathname, 'lanboard-build-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));
before(() => buildApp(out));

test('the preload requires nothing but electron', () => {
  const preload = fs.readFileSync(path.join(out, 'preload.cjs'), 'utf8');
  const requires = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual(requires, ['electron']);
  // Run it as the sandboxed renderer would, with a stand-in for 'electron'.
  const exposed: Array<[string, Record<string, unknown>]> = [];
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push([name, api]),
    },
    ipcRenderer: { invoke: async (...args: unknown[]) => void invoked.push(args) },
  };
  vm.runInNewContext(preload, {
    require: (id: string) => (id === 'electron' ? electron : undefined),
    exports: {},
  });
  assert.equal(exposed.length, 1);
  assert.equal(exposed[0]![0], 'lanboardDesktop');
  assert.deepEqual(Object.keys(exposed[0]![1]).sort(), [
    'adminConnection',
    'allowThroughFirewall',
    'getAutostart',
    'networkStatus',
    'openLogsFolder',
    'pickFile',
    'setAutostart',
  ]);
  (exposed[0]![1].pickFile as (k: string) => void)('cert');
  assert.deepEqual(invoked, [['lanboard:pick-file', 'cert']]);
});

test('the main bundle inlines app/ and server/, imports packages, and links', () => {
  const main = fs.readFileSync(path.join(out, 'main.mjs'), 'utf8');
  const specifiers = [...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
  assert.ok(specifiers.includes('electron'));
  // CommonJS packages the hub loads at start are required, not imported (server/transport/ws.ts says why).
  const required = [
    ...main.matchAll(
      /createRequire\d*\(new URL\("[^"]+", import\.meta\.url\)\.href\)\(\s*"([^"]+)"\s*\)/g,
    ),
  ].map((m) => m[1]!);
  assert.ok(required.includes('better-sqlite3'), 'the native module stays external');
  assert.ok(!main.includes('node_modules/better-sqlite3/'), 'its code is not inlined');
  // The y-leveldb import is a command of `lanboard`, not part of the app (electron-builder.yml).
  assert.ok(!main.includes('classic-level'), 'the app never loads classic-level');
  assert.deepEqual(
    specifiers.filter((s) => s.startsWith('.') || s.endsWith('.ts')),
    [],
  );

  // Load it with 'electron' replaced by a module that throws when evaluated:
  // reaching it proves every import before evaluation resolved and linked.
  const hooks = path.join(out, 'hooks.mjs');
  fs.writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return { url: 'data:text/javascript,throw new Error("electron stub evaluated")', shortCircuit: true };
      return next(specifier, context);
    }`,
  );
  const register = path.join(out, 'register.mjs');
  fs.writeFileSync(
    register,
    `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
  );
  const run = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(register).href, path.join(out, 'main.mjs')],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.match(run.stderr, /electron stub evaluated/, run.stderr);
});
