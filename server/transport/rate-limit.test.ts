import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from './rate-limit';

test('a bucket allows its burst, then refills at its rate', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 20, () => now);
  for (let i = 0; i < 20; i++) assert.equal(bucket.take(), true, `message ${i}`);
  assert.equal(bucket.take(), false, 'the burst is spent');
  now += 100; // a tenth of a second: one more token
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  now += 60_000; // a long pause refills only up to the burst
  for (let i = 0; i < 20; i++) assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
});
