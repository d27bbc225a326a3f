// The icon script renders every size from build/icon.svg, and the tray's per
// OS and state, and the committed icons are what it renders today.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeIcons, renderTray, TRAY_ICONS } from './make-icons';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-icons-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));
const BUILD = new URL('../build/', import.meta.url);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is a PNG`);
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('every PNG size, an .ico and an .icns', () => {
  makeIcons(undefined, out);
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  assert.deepEqual(
    fs.readdirSync(path.join(out, 'icons')).sort(),
    sizes.map((n) => `${n}x${n}.png`).sort(),
  );
  for (const n of sizes)
    assert.deepEqual(pngSize(path.join(out, 'icons', `${n}x${n}.png`)), [n, n]);

  const ico = fs.readFileSync(path.join(out, 'icon.ico'));
  assert.equal(ico.readUInt16LE(0), 0);
  assert.equal(ico.readUInt16LE(2), 1, 'type 1: an icon');
  const widths = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
  for (const n of [16, 32, 48, 256])
    assert.ok(widths.includes(n), `the .ico has ${n} px (has ${widths})`);

  const icns = fs.readFileSync(path.join(out, 'icon.icns'));
  assert.equal(icns.subarray(0, 4).toString('latin1'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
});

/** The sizes an .ico holds, from its directory (0 means 256). */
function icoWidths(file: string): number[] {
  const ico = fs.readFileSync(file);
  assert.equal(ico.readUInt16LE(2), 1, 'type 1: an icon');
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
}

/** Per pixel of RGBA: [r, g, b, a]. */
function* rgba(pixels: Buffer): Generator<[number, number, number, number]> {
  for (let i = 0; i < pixels.length; i += 4)
    yield [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, pixels[i + 3]!];
}

test('tray icons: macOS template pairs, Linux PNG pairs, Windows .ico, running and stopped', () => {
  const tray = path.join(out, 'tray');
  assert.deepEqual(fs.readdirSync(tray).sort(), [
    'tray-running.ico',
    'tray-running.png',
    'tray-running@2x.png',
    'tray-stopped.ico',
    'tray-stopped.png',
    'tray-stopped@2x.png',
    'trayRunningTemplate.png',
    'trayRunningTemplate@2x.png',
    'trayStoppedTemplate.png',
    'trayStoppedTemplate@2x.png',
  ]);
  for (const { file, size } of TRAY_ICONS)
    assert.deepEqual(pngSize(path.join(tray, file)), [size, size]);
  for (const name of ['tray-running.ico', 'tray-stopped.ico'])
    for (const n of [16, 24, 32, 48])
      assert.ok(icoWidths(path.join(tray, name)).includes(n), `${name} ${n}`);
});

test('template images are black with alpha; running shows the dots, stopped is fainter; stopped is grey', () => {
  const svg = fs.readFileSync(new URL('icon.svg', BUILD));
  const opacity = (pixels: Buffer) => [...rgba(pixels)].reduce((sum, [, , , a]) => sum + a, 0);
  for (const look of ['runningTemplate', 'stoppedTemplate'] as const) {
    const { pixels } = renderTray(svg, look, 32);
    for (const [r, g, b] of rgba(pixels)) assert.deepEqual([r, g, b], [0, 0, 0], look);
  }
  const running = renderTray(svg, 'runningTemplate', 32).pixels;
  const stopped = renderTray(svg, 'stoppedTemplate', 32).pixels;
  assert.ok(opacity(stopped) < opacity(running) * 0.6, 'stopped is faint');
  assert.ok(Math.max(...[...rgba(stopped)].map(([, , , a]) => a)) < 128);
  // Not a blank square either: the board is opaque, the area around it clear.
  const alphaAt = (x: number, y: number) => running[(y * 32 + x) * 4 + 3]!;
  assert.ok(alphaAt(8, 10) > 200, 'the board');
  assert.equal(alphaAt(0, 0), 0, 'the corner');
  const grey = renderTray(svg, 'stopped', 32).pixels;
  for (const [r, g, b] of rgba(grey)) assert.ok(Math.max(r, g, b) - Math.min(r, g, b) <= 2, 'grey');
  const colour = renderTray(svg, 'running', 32).pixels;
  assert.ok(
    [...rgba(colour)].some(([r, , b]) => b - r > 100),
    'running keeps the blue',
  );
});

test('the committed icons are up to date with build/icon.svg (else: npm run icons)', () => {
  for (const name of fs.readdirSync(path.join(out, 'icons'))) {
    const committed = fs.readFileSync(new URL(`icons/${name}`, BUILD));
    assert.ok(committed.equals(fs.readFileSync(path.join(out, 'icons', name))), name);
  }
  for (const name of fs.readdirSync(path.join(out, 'tray'))) {
    const committed = fs.readFileSync(new URL(`tray/${name}`, BUILD));
    assert.ok(committed.equals(fs.readFileSync(path.join(out, 'tray', name))), `tray/${name}`);
  }
  for (const name of ['icon.ico', 'icon.icns']) {
    assert.ok(
      fs.readFileSync(new URL(name, BUILD)).equals(fs.readFileSync(path.join(out, name))),
      name,
    );
  }
});
