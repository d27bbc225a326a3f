// Bundles the Electron main process and the preload with esbuild (no build
// step exists for server/, which Node runs through tsx):
// - out/main.mjs: app/main.ts with server/ inlined; every npm package stays
//   external, loaded from node_modules (better-sqlite3 from the unpacked asar);
// - out/preload.cjs: one CommonJS file whose only require is 'electron', as a
//   sandboxed preload must be.
// Usage: node --import tsx scripts/build-app.ts [outDir]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * server/ finds package.json and renderer/dist relative to its own file
 * (`new URL('../../package.json', import.meta.url)`). In one bundle every
 * module would share the bundle's URL, so each keeps its source location,
 * relative to the bundle: out/ sits beside server/ in the repo and the asar.
 */
export function sourceImportMetaUrl(outDir: string): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const fs = await import('node:fs/promises');
        const text = await fs.readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const relative = path.relative(outDir, args.path).split(path.sep).join('/');
        const here = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', here), loader: 'ts' };
      });
    },
  };
}

/** What every bundle for Node shares: the oldest supported line as the target. */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Strings and regular expressions with their non-ASCII characters escaped
  // (esbuild's default, relied on by asciiOnly below).
  charset: 'ascii',
} as const;

/**
 * Rewrites the few non-ASCII characters esbuild leaves in a bundle (in the
 * comments it keeps, such as a '→') as \u escapes. V8 holds a script's whole
 * source in memory, as one byte a character when it is all Latin-1 and two
 * otherwise: one arrow doubled the compiled hub's 0.6 MB source
 * (docs/benchmarks.md#start-up-and-idle-memory).
 */
export async function asciiOnly(file: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const text = await fs.readFile(file, 'utf8');
  const escaped = text.replace(
    /[^\t\n\r -~]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped !== text) await fs.writeFile(file, escaped);
}

export async function buildApp(outDir = path.join(ROOT, 'out')): Promise<void> {
  const common = NODE_BUNDLE;
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'app', 'main.ts')],
    outfile: path.join(outDir, 'main.mjs'),
    format: 'esm',
    packages: 'external',
    plugins: [sourceImportMetaUrl(outDir)],
  });
  await asciiOnly(path.join(outDir, 'main.mjs'));
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'app', 'preload.ts')],
    outfile: path.join(outDir, 'preload.cjs'),
    format: 'cjs',
    platform: 'browser',
    external: ['electron'],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildApp(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
