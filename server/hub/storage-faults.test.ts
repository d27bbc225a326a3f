// The failing writes' list tells its listeners (the dashboard's event streams)
// about each change, and only about changes: a store retrying the same failure
// is no news.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageFaults } from './storage-faults';

test('listeners get the list on each change, not on the same failure again', () => {
  let now = 1000;
  const faults = new StorageFaults(() => now);
  const seen: string[][] = [];
  const stop = faults.onChange((open) => seen.push(open.map((f) => `${f.what}: ${f.reason}`)));
  faults.report('classes', 'database or disk is full');
  now = 2000;
  faults.report('classes', 'database or disk is full');
  faults.report('classes', 'disk I/O error');
  assert.equal(faults.list()[0]!.since, 1000, 'since stays the first failure');
  faults.clear('workspaces');
  faults.clear('classes');
  stop();
  faults.report('classes', 'database or disk is full');
  assert.deepEqual(seen, [['classes: database or disk is full'], ['classes: disk I/O error'], []]);
});
