// Rotation by size: the current file stays under the limit, older lines move
// to .1, .2, …, the oldest file goes, and a restart appends where it left off.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RotatingFile, rotatedName } from './log-file';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-log-file-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const line = (n: number) => `${JSON.stringify({ n, msg: 'x'.repeat(80) })}\n`; // 100 bytes

async function writeAll(file: RotatingFile, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) file.write(line(n));
  await new Promise<void>((resolve) => file.end(resolve));
}

const numbers = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).n as number);

test('rotated names keep the extension last', () => {
  assert.equal(rotatedName('/logs/lanboard.log', 1), '/logs/lanboard.1.log');
  assert.equal(rotatedName('/logs/crashes', 2), '/logs/crashes.2');
});

test('past maxBytes the file moves to .1, .1 to .2, and the oldest beyond `keep` goes', async () => {
  const file = path.join(tmp, 'a', 'lanboard.log');
  await writeAll(new RotatingFile(file, { maxBytes: 1000, keep: 2 }), 0, 45);
  // 10 lines a file: 40-44 current, 30-39 in .1, 20-29 in .2, 0-19 gone.
  assert.deepEqual(numbers(file), [40, 41, 42, 43, 44]);
  assert.deepEqual(numbers(rotatedName(file, 1)), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
  assert.deepEqual(numbers(rotatedName(file, 2))[0], 20);
  assert.equal(fs.existsSync(rotatedName(file, 3)), false);
  for (const f of fs.readdirSync(path.dirname(file)))
    assert.ok(fs.statSync(path.join(path.dirname(file), f)).size <= 1000, f);
});

test('a new RotatingFile on an existing file appends, counting what is there', async () => {
  const file = path.join(tmp, 'b', 'lanboard.log');
  await writeAll(new RotatingFile(file, { maxBytes: 1000, keep: 1 }), 0, 6);
  await writeAll(new RotatingFile(file, { maxBytes: 1000, keep: 1 }), 6, 12);
  assert.deepEqual(numbers(rotatedName(file, 1)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(numbers(file), [10, 11]);
});

test('one write larger than the limit still goes in whole', async () => {
  const file = path.join(tmp, 'c', 'big.log');
  const log = new RotatingFile(file, { maxBytes: 50, keep: 1 });
  log.writeNow(line(1));
  log.writeNow(line(2));
  await new Promise<void>((resolve) => log.end(resolve));
  assert.deepEqual(numbers(file), [2]);
  assert.deepEqual(numbers(rotatedName(file, 1)), [1]);
});
