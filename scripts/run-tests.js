#!/usr/bin/env node
// Runs every *.test.ts under the given folders with Node's test runner through
// tsx. Node 20 did not expand globs for --test, and npm's shell has no `**`.
// --no-browser leaves out the *.browser.test.ts files, which drive Chromium (and
// WebKit, server/board/webkit.browser.test.ts, which starts its own Xvfb):
// the Node lines other than the primary one run without them
// (docs/development.md#node-lines).
// --cli-only keeps the files that run the CLI as a child process
// (server/test/child-hub.ts, or through the crash tests' loop in
// server/test/crash-cycles.ts): CI runs those once more on the compiled hub.
// --postgres runs the files with LANBOARD_TEST_DATABASE=postgresql, so that
// their test hubs keep their data in a real PostgreSQL server
// (docs/development.md#postgresql), and skips, saying why, where
// Debian's PostgreSQL binaries are not installed.
// A root may be a folder or a single test file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const cliOnly = args.includes('--cli-only');
const onPostgres = args.includes('--postgres');
const POSTGRES_ROOT = '/usr/lib/postgresql';
if (onPostgres) {
  const installed = fs.existsSync(POSTGRES_ROOT)
    ? fs
        .readdirSync(POSTGRES_ROOT)
        .some((v) => fs.existsSync(path.join(POSTGRES_ROOT, v, 'bin', 'initdb')))
    : false;
  if (!installed) {
    console.error(
      `run-tests: --postgres skipped: no ${POSTGRES_ROOT}/<version>/bin/initdb (apt-get install postgresql)`,
    );
    process.exit(0);
  }
}
const roots = args.filter((a) => !a.startsWith('--'));
const runsTheCli = (f) => {
  const text = fs.readFileSync(f, 'utf8');
  return (
    (text.includes("child-hub'") && /\b(spawnHub|runCli|BIN)\b/.test(text)) ||
    text.includes("crash-cycles'")
  );
};
const files = roots
  .flatMap((root) =>
    fs.statSync(root).isFile()
      ? [root]
      : fs.readdirSync(root, { recursive: true }).map((f) => path.join(root, String(f))),
  )
  .filter((f) => f.endsWith('.test.ts') && !f.split(path.sep).includes('node_modules'))
  .filter((f) => !(noBrowser && f.endsWith('.browser.test.ts')))
  .filter((f) => !cliOnly || runsTheCli(f))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
if (noBrowser) console.error(`run-tests: ${files.length} files, without *.browser.test.ts`);
if (cliOnly) console.error(`run-tests: ${files.length} files that run the CLI`);
if (onPostgres) console.error(`run-tests: ${files.length} files, their hubs on PostgreSQL`);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-timeout=180000',
    '--test-concurrency=2',
    // Node 22 writes TAP when stdout is not a terminal; 24 and newer write spec.
    '--test-reporter=spec',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: onPostgres ? { ...process.env, LANBOARD_TEST_DATABASE: 'postgresql' } : process.env,
  },
);
process.exit(result.status ?? 1);
