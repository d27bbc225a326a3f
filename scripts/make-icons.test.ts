// The icon script renders every size from build/icon.svg, and the committed
// icons are what it renders today.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeIcons } from './make-icons';

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

test('the committed icons are up to date with build/icon.svg (else: npm run icons)', () => {
  for (const name of fs.readdirSync(path.join(out, 'icons'))) {
    const committed = fs.readFileSync(new URL(`icons/${name}`, BUILD));
    assert.ok(committed.equals(fs.readFileSync(path.join(out, 'icons', name))), name);
  }
  for (const name of ['icon.ico', 'icon.icns']) {
    assert.ok(
      fs.readFileSync(new URL(name, BUILD)).equals(fs.readFileSync(path.join(out, name))),
      name,
    );
  }
});
