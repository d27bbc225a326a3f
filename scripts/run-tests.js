#!/usr/bin/env node
// Runs every *.test.ts under the given folders with Node's test runner through
// tsx. Node 20 does not expand globs for --test, and npm's shell has no `**`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = process.argv.slice(2);
const files = roots
  .flatMap((root) =>
    fs.readdirSync(root, { recursive: true }).map((f) => path.join(root, String(f))),
  )
  .filter((f) => f.endsWith('.test.ts') && !f.split(path.sep).includes('node_modules'))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=180000', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
