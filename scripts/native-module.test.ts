// The ABI check that keeps the Node and Electron builds of better-sqlite3
// from clashing silently.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { betterSqliteBinary, moduleAbi, runtimeAbi } from './native-module';

test('moduleAbi reads the NODE_MODULE_VERSION from the init symbol', () => {
  assert.equal(moduleAbi(Buffer.from('\0\0node_register_module_v150\0')), 150);
  assert.equal(moduleAbi(Buffer.from('napi_register_module_v1')), undefined);
});

test('node_modules holds the Node build while tests run, and Electron needs another', () => {
  // npm test runs `native-module.ts node` first, on whichever Node line runs the
  // tests (Node 24 is ABI 137, 26 is 147).
  assert.equal(moduleAbi(fs.readFileSync(betterSqliteBinary())), Number(process.versions.modules));
  assert.equal(runtimeAbi('node'), Number(process.versions.modules));
  const electron = runtimeAbi('electron');
  assert.ok(
    Number.isInteger(electron) && electron !== runtimeAbi('node'),
    `electron ABI ${electron}`,
  );
});
