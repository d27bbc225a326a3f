// What electron-builder puts in the app, without packaging: the files
// electron-builder.yml's `files` select, resolved by electron-builder's own
// matcher (app-builder-lib's getMainFileMatchers and AppFileWalker, called as
// its packager calls them, default exclusions included), copied into a folder
// laid out as the app's resources, with `extraMetadata` merged into
// package.json as electron-builder writes it. npm dependencies are not copied:
// electron-builder collects them from package.json, and the layout links the
// checkout's node_modules in their place.
// Usage: node --import tsx scripts/packaged-layout.ts [outDir]   (lists or lays out)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

export interface BuilderConfig {
  files: string[];
  directories: { buildResources: string; output: string };
  extraMetadata: Record<string, unknown>;
  [key: string]: unknown;
}

interface Matcher {
  from: string;
  patterns: string[];
}
interface Walker {
  filter: unknown;
  metadata: Map<string, { isDirectory(): boolean }>;
}
const { getMainFileMatchers } = require('app-builder-lib/out/fileMatcher.js') as {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    packager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): Matcher[];
};
const { AppFileWalker } = require('app-builder-lib/out/util/AppFileWalker.js') as {
  AppFileWalker: new (matcher: Matcher, packager: object) => Walker;
};
const { walk } = require('builder-util') as {
  walk(dir: string, filter: unknown, consumer: Walker): Promise<string[]>;
};

export function builderConfig(root = ROOT): BuilderConfig {
  return parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

/** The app's files, relative to `root` and sorted, as electron-builder selects them. */
export async function selectedFiles(config = builderConfig(), root = ROOT): Promise<string[]> {
  const info = {
    projectDir: root,
    buildResourcesDir: config.directories.buildResources,
    config,
    isPrepackedAppAsar: false,
    debugLogger: { isEnabled: false },
  };
  const outDir = path.join(root, config.directories.output);
  const matchers = getMainFileMatchers(root, 'app', (p) => p, {}, { info }, outDir, false);
  if (matchers.length !== 1 || matchers[0]!.from !== path.resolve(root))
    throw new Error('expected one matcher over the project folder (no `from`/`to` file sets)');
  const walker = new AppFileWalker(matchers[0]!, { areNodeModulesHandledExternally: false });
  const found = await walk(matchers[0]!.from, walker.filter, walker);
  return found
    .filter((file) => walker.metadata.get(file)?.isDirectory() === false)
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .sort();
}

export interface Layout {
  dir: string;
  files: string[];
  /** The entry electron-builder's package.json names (extraMetadata.main). */
  main: string;
}

/** Copies the selected files into `dir` (which must not exist), as they sit in the app. */
export async function layOutApp(
  dir: string,
  config = builderConfig(),
  root = ROOT,
): Promise<Layout> {
  const files = await selectedFiles(config, root);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const merged = { ...pkg, ...config.extraMetadata };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(merged, null, 2)}\n`);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, files, main: path.join(dir, String(merged.main)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  if (out)
    console.error(`packaged-layout: ${(await layOutApp(path.resolve(out))).files.length} files`);
  else for (const file of await selectedFiles()) console.log(file);
}
