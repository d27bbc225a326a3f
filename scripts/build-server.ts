// Compiles the hub ahead of time for `npm run serve` and the npm package:
// lib/lanboard.mjs is server/cli.ts bundled by esbuild, every npm package left
// external (loaded from node_modules), so that Node runs it without tsx. As
// in the desktop app's bundle, each module keeps its source location for the
// files it finds beside itself (package.json, the built pages): lib/ sits
// beside server/ in the repository and in the package.
// Usage: node --import tsx scripts/build-server.ts [outDir]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { asciiOnly, NODE_BUNDLE, sourceImportMetaUrl } from './build-app';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where `npm run build:server` writes the compiled hub. */
export const COMPILED_CLI = path.join(ROOT, 'lib', 'lanboard.mjs');

export async function buildServer(outFile = COMPILED_CLI): Promise<void> {
  await build({
    ...NODE_BUNDLE,
    entryPoints: [path.join(ROOT, 'server', 'cli.ts')],
    outfile: outFile,
    format: 'esm',
    packages: 'external',
    plugins: [sourceImportMetaUrl(path.dirname(outFile))],
  });
  await asciiOnly(outFile);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildServer(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
