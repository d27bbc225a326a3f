import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressLimiter, TokenBucket } from './rate-limit';

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

describe('AddressLimiter', () => {
  test('each key has its own bucket: its burst, then its rate', () => {
    let now = 0;
    const limiter = new AddressLimiter({ burst: 3, perSecond: 1, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('10.0.0.1'), 0);
    assert.equal(limiter.take('10.0.0.1'), 1000, 'empty: one token a second');
    assert.equal(limiter.take('10.0.0.2'), 0, 'another key is untouched');
    now += 1000;
    assert.equal(limiter.take('10.0.0.1'), 0);
  });

  test('a spend may go below zero, and the debt is waited out; a refused take costs nothing', () => {
    let now = 0;
    const limiter = new AddressLimiter({ burst: 10, perSecond: 2, now: () => now });
    limiter.spend('a', 1);
    limiter.spend('a', 10); // a failure that costs ten, with nine tokens left
    assert.equal(limiter.retryAfterMs('a'), 1000, 'one owed, one needed: two tokens at 2/s');
    assert.equal(limiter.take('a'), 1000);
    assert.equal(limiter.take('a'), 1000, 'refusals did not deepen the debt');
    now += 1000;
    assert.equal(limiter.take('a'), 0);
  });

  test('full buckets are forgotten, and at most maxKeys are kept, the least recently used going first', () => {
    let now = 0;
    const limiter = new AddressLimiter({ burst: 2, perSecond: 1, now: () => now, maxKeys: 2 });
    limiter.spend('a', 2);
    limiter.spend('b', 2);
    limiter.spend('c', 2);
    assert.equal(limiter.tracked, 2);
    assert.equal(limiter.retryAfterMs('a', 2), 0, 'a was dropped: it starts full again');
    assert.equal(limiter.retryAfterMs('c', 2), 2000);
    now += 10_000;
    assert.equal(limiter.retryAfterMs('b'), 0);
    assert.equal(limiter.retryAfterMs('c'), 0);
    assert.equal(limiter.tracked, 0, 'refilled buckets are forgotten');
  });
});

test('a clock set back (tests, NTP) neither drains nor refills a bucket', () => {
  let now = 100_000;
  const limiter = new AddressLimiter({ burst: 2, perSecond: 1, now: () => now });
  limiter.spend('a', 1);
  now -= 60_000;
  assert.equal(limiter.take('a'), 0, 'the token left is still there');
  assert.equal(limiter.take('a'), 1000);
});
