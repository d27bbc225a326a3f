// After `npm run dist`: every native module in every packaged app is built
// for that app's CPU and for Electron's ABI. An Intel Mac cannot load an
// arm64 better-sqlite3 (the DMG would start, then fail to open its database),
// and a module built for Node's ABI fails the same way on every machine. The
// release workflow runs it on the real artifacts:
//   node --import tsx scripts/check-packaged.ts dist x64 arm64   (macOS)
//   node --import tsx scripts/check-packaged.ts dist x64         (Linux, Windows)
// Each architecture named must have a packaged app in dist/; `npm run dist`
// runs it with none named, on whatever it built.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleAbi, runtimeAbi } from './native-module';

export type Arch = 'x64' | 'arm64' | 'ia32' | 'armv7l';

/** Mach-O cputype (mach/machine.h): CPU_ARCH_ABI64 | CPU_TYPE_X86, CPU_ARCH_ABI64 | CPU_TYPE_ARM. */
const MACHO_CPU: Record<number, Arch> = {
  0x01000007: 'x64',
  0x0100000c: 'arm64',
  0x00000007: 'ia32',
  0x0000000c: 'armv7l',
};
/** ELF e_machine: EM_X86_64, EM_AARCH64, EM_386, EM_ARM. */
const ELF_MACHINE: Record<number, Arch> = {
  0x3e: 'x64',
  0xb7: 'arm64',
  0x03: 'ia32',
  0x28: 'armv7l',
};
/** PE/COFF Machine: AMD64, ARM64, I386, ARMNT. */
const PE_MACHINE: Record<number, Arch> = {
  0x8664: 'x64',
  0xaa64: 'arm64',
  0x14c: 'ia32',
  0x1c4: 'armv7l',
};

export interface BinaryArch {
  format: 'mach-o' | 'mach-o fat' | 'elf' | 'pe';
  /** Every slice's architecture (a universal Mach-O has several); `unknown:<n>` for others. */
  archs: string[];
}

const named = (table: Record<number, Arch>, n: number) => table[n] ?? `unknown:0x${n.toString(16)}`;

/** The CPU architecture(s) a native binary is built for, from its header; undefined if not one. */
export function binaryArch(bytes: Buffer): BinaryArch | undefined {
  if (bytes.length < 8) return undefined;
  const magicLE = bytes.readUInt32LE(0);
  const magicBE = bytes.readUInt32BE(0);
  // MH_MAGIC_64 / MH_MAGIC, written in the file's (little-endian) order.
  if (magicLE === 0xfeedfacf || magicLE === 0xfeedface)
    return { format: 'mach-o', archs: [named(MACHO_CPU, bytes.readUInt32LE(4))] };
  // FAT_MAGIC / FAT_MAGIC_64: big-endian fat_header, then nfat_arch entries of 20 / 32 bytes.
  if (magicBE === 0xcafebabe || magicBE === 0xcafebabf) {
    const count = bytes.readUInt32BE(4);
    const size = magicBE === 0xcafebabe ? 20 : 32;
    if (count === 0 || count > 16 || bytes.length < 8 + count * size) return undefined;
    const archs = Array.from({ length: count }, (_, i) =>
      named(MACHO_CPU, bytes.readUInt32BE(8 + i * size)),
    );
    return { format: 'mach-o fat', archs };
  }
  if (magicBE === 0x7f454c46 && bytes.length >= 20) {
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
    return { format: 'elf', archs: [named(ELF_MACHINE, machine)] };
  }
  if (bytes.toString('latin1', 0, 2) === 'MZ' && bytes.length >= 0x40) {
    const pe = bytes.readUInt32LE(0x3c);
    if (bytes.length < pe + 6 || bytes.toString('latin1', pe, pe + 4) !== 'PE\0\0')
      return undefined;
    return { format: 'pe', archs: [named(PE_MACHINE, bytes.readUInt16LE(pe + 4))] };
  }
  return undefined;
}

export interface PackagedApp {
  dir: string;
  arch: Arch;
  /** The folder electron-builder unpacks native modules into (asarUnpack). */
  unpacked: string;
}

/**
 * The apps electron-builder left in `dist`, by its folder names: `mac`,
 * `mac-arm64`, `linux-unpacked`, `win-arm64-unpacked`, … (no suffix is x64).
 */
export function packagedApps(dist: string): PackagedApp[] {
  const apps: PackagedApp[] = [];
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    const m = /^(mac|linux|win)(?:-(arm64|ia32|armv7l|universal))?(-unpacked)?$/.exec(entry.name);
    if (!entry.isDirectory() || !m || (m[1] === 'mac') === Boolean(m[3])) continue;
    const dir = path.join(dist, entry.name);
    if (m[1] === 'mac') {
      for (const app of fs.readdirSync(dir).filter((n) => n.endsWith('.app'))) {
        const resources = path.join(dir, app, 'Contents', 'Resources');
        const archs: Arch[] = m[2] === 'universal' ? ['x64', 'arm64'] : [(m[2] as Arch) ?? 'x64'];
        for (const arch of archs)
          apps.push({
            dir: path.join(dir, app),
            arch,
            unpacked: path.join(resources, 'app.asar.unpacked'),
          });
      }
    } else {
      apps.push({
        dir,
        arch: (m[2] as Arch) ?? 'x64',
        unpacked: path.join(dir, 'resources', 'app.asar.unpacked'),
      });
    }
  }
  return apps;
}

function nativeModules(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.node'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** What is wrong with one packaged app's native modules; empty when nothing is. */
export function checkApp(app: PackagedApp, electronAbi: number): string[] {
  const modules = nativeModules(app.unpacked);
  const problems: string[] = [];
  if (!modules.some((m) => path.basename(m) === 'better_sqlite3.node'))
    problems.push(`${app.dir}: no better_sqlite3.node under ${app.unpacked}`);
  for (const file of modules) {
    const bytes = fs.readFileSync(file);
    const found = binaryArch(bytes);
    if (!found) problems.push(`${file}: not a native binary`);
    else if (!found.archs.includes(app.arch))
      problems.push(
        `${file}: built for ${found.archs.join(' + ')} (${found.format}), the app is ${app.arch}`,
      );
    const abi = moduleAbi(bytes);
    if (abi !== undefined && abi !== electronAbi)
      problems.push(`${file}: built for ABI ${abi}, Electron needs ${electronAbi}`);
  }
  return problems;
}

/** Every app in `dist` checked, and one app at least (for each of `archs`, when named). */
export function checkDist(
  dist: string,
  archs: readonly string[],
  electronAbi = runtimeAbi('electron'),
): string[] {
  const apps = packagedApps(dist);
  if (apps.length === 0) return [`${dist}: no packaged app`];
  const problems = archs
    .filter((arch) => !apps.some((a) => a.arch === arch))
    .map((arch) => `${dist}: no packaged app for ${arch}`);
  for (const app of apps) problems.push(...checkApp(app, electronAbi));
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dist, ...archs] = process.argv.slice(2);
  if (!dist) {
    console.error('usage: check-packaged.ts <dist> [arch...]');
    process.exit(2);
  }
  const problems = checkDist(dist, archs);
  for (const p of problems) console.error(`check-packaged: ${p}`);
  if (problems.length > 0) process.exit(1);
  for (const app of packagedApps(dist))
    console.error(`check-packaged: ${app.dir} (${app.arch}): native modules match`);
}
