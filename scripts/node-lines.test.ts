// The supported Node lines are one claim: package.json's "engines" names
// exactly the lines scripts/node-lines.txt pins, each pinned build is in it,
// and no package in package-lock.json wants a Node that claim admits but it
// does not (npm ci's EBADENGINE warnings), down to each line's oldest version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';
import { parseNodeLines, readNodeLines } from './node-lines';

const read = (file: string) =>
  JSON.parse(fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
const ENGINES: string = read('package.json').engines.node;
const LOCK: { packages: Record<string, { engines?: { node?: string } }> } =
  read('package-lock.json');
// npm's own engine check admits prereleases (npm-install-checks).
const admits = (version: string, range: string) =>
  semver.satisfies(version, range, { includePrerelease: true });

/** The oldest version of each line "engines" admits: 22.13.0 for ^22.13.0. */
function floors(engines: string): string[] {
  return engines.split('||').map((range) => semver.minVersion(range.trim())!.version);
}

test('engines names exactly the pinned lines, and admits each pinned build', () => {
  const lines = readNodeLines();
  assert.deepEqual(
    floors(ENGINES)
      .map((v) => semver.major(v))
      .sort(),
    lines.map((l) => l.line).sort(),
  );
  for (const { line, version } of lines) {
    assert.equal(semver.major(version), line, `${version} is not Node ${line}`);
    assert.ok(admits(version, ENGINES), `engines ${ENGINES} leaves out ${version}`);
  }
});

test('every locked package runs on every supported Node, without engine warnings', () => {
  const versions = [...floors(ENGINES), ...readNodeLines().map((l) => l.version)];
  const unhappy = Object.entries(LOCK.packages).flatMap(([name, { engines }]) =>
    name && typeof engines?.node === 'string'
      ? versions
          .filter((v) => !admits(v, engines.node!))
          .map((v) => `${name} wants ${engines.node}, not ${v}`)
      : [],
  );
  assert.deepEqual(unhappy, []);
});

test('the primary line comes first, and a line that is not "<line> <version>" is refused', () => {
  assert.deepEqual(parseNodeLines('# comment\n24  24.1.2\n\n22 22.3.4\n'), [
    { line: 24, version: '24.1.2' },
    { line: 22, version: '22.3.4' },
  ]);
  assert.throws(() => parseNodeLines('24 latest\n'), /"24 latest" is not/);
  assert.throws(() => parseNodeLines('24\n'), /"24" is not/);
});
