// The packaged-module check: CPU types read from headers built here from the
// formats' specs (Mach-O mach-o/loader.h and fat.h, ELF, PE/COFF), and from
// this machine's own better-sqlite3; then dist/ trees laid out as
// electron-builder leaves them, right and wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { binaryArch, checkDist, packagedApps } from './check-packaged';
import { betterSqliteBinary, runtimeAbi } from './native-module';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-check-packaged-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CPU_X86_64 = 0x01000007;
const CPU_ARM64 = 0x0100000c;

/** A thin 64-bit Mach-O bundle's mach_header_64: magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags, reserved (little-endian). */
function machO(cputype: number, tail = ''): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(cputype, 4);
  header.writeUInt32LE(cputype === CPU_ARM64 ? 0 : 3, 8);
  header.writeUInt32LE(8, 12); // MH_BUNDLE, what node-gyp builds
  return Buffer.concat([header, Buffer.from(tail)]);
}

/** A universal binary: fat_header and fat_arch entries are big-endian, then the slices. */
function fat(slices: Buffer[]): Buffer {
  const head = Buffer.alloc(8 + 20 * slices.length);
  head.writeUInt32BE(0xcafebabe, 0);
  head.writeUInt32BE(slices.length, 4);
  let offset = head.length;
  slices.forEach((slice, i) => {
    const at = 8 + 20 * i;
    head.writeUInt32BE(slice.readUInt32LE(4), at); // cputype
    head.writeUInt32BE(slice.readUInt32LE(8), at + 4); // cpusubtype
    head.writeUInt32BE(offset, at + 8);
    head.writeUInt32BE(slice.length, at + 12);
    offset += slice.length;
  });
  return Buffer.concat([head, ...slices]);
}

function elf(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeUInt16LE(3, 16); // ET_DYN
  header.writeUInt16LE(machine, 18);
  return header;
}

function pe(machine: number): Buffer {
  const file = Buffer.alloc(0x100);
  file.write('MZ', 0, 'latin1');
  file.writeUInt32LE(0x80, 0x3c);
  file.write('PE\0\0', 0x80, 'latin1');
  file.writeUInt16LE(machine, 0x84);
  return file;
}

describe('binaryArch', () => {
  test('thin Mach-O: x86_64 and arm64', () => {
    assert.deepEqual(binaryArch(machO(CPU_X86_64)), { format: 'mach-o', archs: ['x64'] });
    assert.deepEqual(binaryArch(machO(CPU_ARM64)), { format: 'mach-o', archs: ['arm64'] });
  });

  test('a universal Mach-O lists both slices', () => {
    assert.deepEqual(binaryArch(fat([machO(CPU_X86_64), machO(CPU_ARM64)])), {
      format: 'mach-o fat',
      archs: ['x64', 'arm64'],
    });
  });

  test('ELF and PE', () => {
    assert.deepEqual(binaryArch(elf(0x3e)), { format: 'elf', archs: ['x64'] });
    assert.deepEqual(binaryArch(elf(0xb7)), { format: 'elf', archs: ['arm64'] });
    assert.deepEqual(binaryArch(pe(0x8664)), { format: 'pe', archs: ['x64'] });
    assert.deepEqual(binaryArch(pe(0xaa64)), { format: 'pe', archs: ['arm64'] });
  });

  test('anything else is not a binary; an unknown CPU is named by its number', () => {
    assert.equal(binaryArch(Buffer.from('#!/bin/sh\necho hi\n')), undefined);
    assert.equal(binaryArch(Buffer.alloc(4)), undefined);
    assert.deepEqual(binaryArch(machO(0x01000012)), {
      format: 'mach-o',
      archs: ['unknown:0x1000012'],
    });
  });

  test("this machine's better-sqlite3 is read as this machine's CPU", () => {
    const found = binaryArch(fs.readFileSync(betterSqliteBinary()));
    assert.ok(found, 'a native binary');
    assert.deepEqual(found.archs, [process.arch]);
  });
});

describe('checkDist', () => {
  const electron = runtimeAbi('electron');
  const symbol = (abi: number) => `\0_node_register_module_v${abi}\0`;

  /** dist/<folder>/… as electron-builder leaves it, with one better_sqlite3.node. */
  function dist(name: string, apps: Record<string, Buffer>): string {
    const root = path.join(tmp, name);
    for (const [folder, binary] of Object.entries(apps)) {
      const resources = folder.startsWith('mac')
        ? path.join(root, folder, 'Lanboard.app', 'Contents', 'Resources')
        : path.join(root, folder, 'resources');
      const file = path.join(
        resources,
        'app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      );
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, binary);
    }
    fs.writeFileSync(path.join(root, 'Lanboard-0.1.0-arm64.dmg'), 'not an app');
    return root;
  }

  test('electron-builder folder names give each app its arch', () => {
    const root = dist('names', {
      mac: machO(CPU_X86_64),
      'mac-arm64': machO(CPU_ARM64),
      'linux-unpacked': elf(0x3e),
      'win-arm64-unpacked': pe(0xaa64),
    });
    assert.deepEqual(
      packagedApps(root)
        .map((a) => [path.relative(root, a.dir), a.arch])
        .sort(),
      [
        ['linux-unpacked', 'x64'],
        ['mac-arm64/Lanboard.app', 'arm64'],
        ['mac/Lanboard.app', 'x64'],
        ['win-arm64-unpacked', 'arm64'],
      ],
    );
  });

  test('an x64 and an arm64 app, each with its own build for Electron: no problems', () => {
    const root = dist('good', {
      mac: machO(CPU_X86_64, symbol(electron)),
      'mac-arm64': machO(CPU_ARM64, symbol(electron)),
    });
    assert.deepEqual(checkDist(root, ['x64', 'arm64'], electron), []);
  });

  test('a universal app needs a fat module with both slices', () => {
    const good = dist('universal', {
      'mac-universal': fat([
        machO(CPU_X86_64, symbol(electron)),
        machO(CPU_ARM64, symbol(electron)),
      ]),
    });
    assert.deepEqual(checkDist(good, ['x64', 'arm64'], electron), []);
    const thin = dist('universal-thin', { 'mac-universal': machO(CPU_ARM64, symbol(electron)) });
    assert.deepEqual(checkDist(thin, ['x64', 'arm64'], electron), [
      `${thin}/mac-universal/Lanboard.app/Contents/Resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node: built for arm64 (mach-o), the app is x64`,
    ]);
  });

  test('the host-only rebuild: the Intel app carries the arm64 module, and is caught', () => {
    const root = dist('host-only', {
      mac: machO(CPU_ARM64, symbol(electron)),
      'mac-arm64': machO(CPU_ARM64, symbol(electron)),
    });
    const problems = checkDist(root, ['x64', 'arm64'], electron);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /mac\/Lanboard\.app\/.*better_sqlite3\.node: built for arm64 \(mach-o\), the app is x64$/,
    );
  });

  test("Node's ABI instead of Electron's, a missing arch and a missing module are caught", () => {
    const root = dist('abi', { 'linux-unpacked': elf(0x3e) });
    fs.writeFileSync(
      path.join(
        root,
        'linux-unpacked/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      ),
      Buffer.concat([elf(0x3e), Buffer.from(symbol(115))]),
    );
    assert.deepEqual(checkDist(root, ['x64', 'arm64'], electron), [
      `${root}: no packaged app for arm64`,
      `${root}/linux-unpacked/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node: built for ABI 115, Electron needs ${electron}`,
    ]);
    const empty = path.join(tmp, 'empty', 'win-unpacked', 'resources');
    fs.mkdirSync(empty, { recursive: true });
    assert.match(
      checkDist(path.join(tmp, 'empty'), ['x64'], electron)[0]!,
      /no better_sqlite3\.node/,
    );
    const nothing = path.join(tmp, 'nothing');
    fs.mkdirSync(nothing);
    assert.deepEqual(checkDist(nothing, [], electron), [`${nothing}: no packaged app`]);
  });

  test('the script exits 1 on a problem and 0 without', () => {
    const good = dist('cli-good', {
      'linux-unpacked': Buffer.concat([elf(0x3e), Buffer.from(symbol(electron))]),
    });
    const bad = dist('cli-bad', {
      'linux-unpacked': Buffer.concat([elf(0xb7), Buffer.from(symbol(electron))]),
    });
    const run = (root: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-packaged.ts', root, 'x64'], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
      });
    assert.equal(run(good).status, 0, run(good).stderr);
    const failed = run(bad);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /built for arm64 \(elf\), the app is x64/);
  });
});
