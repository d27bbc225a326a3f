// better-sqlite3 is a native module built for one ABI at a time: Node's for
// `npm test` and `lanboard serve`, Electron's for `npm start` and the
// installers (docs/desktop.md#the-native-module-one-build-for-node-one-for-electron).
// This script makes sure the build in node_modules is the one the next command
// needs, and says so loudly when it is not, instead of letting it fail later
// with "was compiled against a different Node.js version".
//   node --import tsx scripts/native-module.ts node      (npm test)
//   node --import tsx scripts/native-module.ts electron  (npm start, npm run dist)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

export type Runtime = 'node' | 'electron';

/** The NODE_MODULE_VERSION a native module was built for, read from its init symbol. */
export function moduleAbi(binary: Buffer): number | undefined {
  const match = /node_register_module_v(\d+)/.exec(binary.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** The ABI each runtime loads: Node's own, and the one the electron package pins. */
export function runtimeAbi(runtime: Runtime, root = ROOT): number {
  if (runtime === 'node') return Number(process.versions.modules);
  return Number(
    fs.readFileSync(path.join(root, 'node_modules/electron/abi_version'), 'utf8').trim(),
  );
}

export function betterSqliteBinary(root = ROOT): string {
  return path.join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
}

function builtAbi(root: string): number | undefined {
  try {
    return moduleAbi(fs.readFileSync(betterSqliteBinary(root)));
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[]): void {
  console.error(`native-module: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

/** Rebuilds better-sqlite3 for `runtime` if needed; throws when the result is still wrong. */
export function ensureNativeBuild(runtime: Runtime): void {
  const want = runtimeAbi(runtime);
  const have = builtAbi(ROOT);
  if (have === want)
    return void console.error(
      `native-module: better-sqlite3 is built for ${runtime} (ABI ${want})`,
    );
  console.error(
    `native-module: better-sqlite3 is built for ABI ${have ?? 'unknown'}, ${runtime} needs ${want}: rebuilding`,
  );
  if (runtime === 'node') run('npm', ['rebuild', 'better-sqlite3']);
  else run(path.join(ROOT, 'node_modules/.bin/electron-builder'), ['install-app-deps']);
  const after = builtAbi(ROOT);
  if (after !== want) {
    throw new Error(
      `better-sqlite3 is built for ABI ${after ?? 'unknown'} after the rebuild, but ${runtime} needs ${want}.` +
        (runtime === 'electron'
          ? ' An npm `nodedir` setting makes node-gyp build against Node headers; unset it and run again.'
          : ''),
    );
  }
  if (runtime === 'node') require(path.join(ROOT, 'node_modules/better-sqlite3')); // loads, or throws the real error
  console.error(`native-module: better-sqlite3 rebuilt for ${runtime} (ABI ${want})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runtime = process.argv[2];
  if (runtime !== 'node' && runtime !== 'electron') {
    console.error('usage: native-module.ts node|electron');
    process.exit(2);
  }
  try {
    ensureNativeBuild(runtime);
  } catch (err) {
    console.error(`native-module: ${(err as Error).message}`);
    process.exit(1);
  }
}
