// LoginThrottle on its own, with an injected clock: per-address counting, the
// lockout and its expiry, the failure window, and the bound on remembered addresses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginThrottle } from './login-throttle';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('LoginThrottle', () => {
  test('locks an address at the limit for the lockout time, then lets it try again', () => {
    const c = clock();
    const t = new LoginThrottle(3, 60_000, c.now);
    t.failure('10.0.0.1');
    t.failure('10.0.0.1');
    assert.equal(t.retryAfterMs('10.0.0.1'), 0, 'two failures are under the limit');
    t.failure('10.0.0.1');
    assert.equal(t.retryAfterMs('10.0.0.1'), 60_000);
    c.t += 59_000;
    assert.equal(t.retryAfterMs('10.0.0.1'), 1_000);
    c.t += 1_000;
    assert.equal(t.retryAfterMs('10.0.0.1'), 0, 'the lockout has passed');
  });

  test('addresses are counted separately', () => {
    const c = clock();
    const t = new LoginThrottle(2, 30_000, c.now);
    t.failure('10.0.0.1');
    t.failure('10.0.0.2');
    assert.equal(t.retryAfterMs('10.0.0.1'), 0);
    assert.equal(t.retryAfterMs('10.0.0.2'), 0);
    t.failure('10.0.0.1');
    assert.equal(t.retryAfterMs('10.0.0.1'), 30_000);
    assert.equal(t.retryAfterMs('10.0.0.2'), 0, 'the other address is not locked');
    assert.equal(t.retryAfterMs('::1'), 0);
  });

  test('a success forgets the address and its count', () => {
    const c = clock();
    const t = new LoginThrottle(3, 60_000, c.now);
    t.failure('a');
    t.failure('a');
    t.success('a');
    assert.equal(t.tracked, 0);
    t.failure('a');
    t.failure('a');
    assert.equal(t.retryAfterMs('a'), 0, 'the count started again after the success');
    t.failure('a');
    assert.ok(t.retryAfterMs('a') > 0);
  });

  test('after a lockout the count starts from zero', () => {
    const c = clock();
    const t = new LoginThrottle(2, 10_000, c.now);
    t.failure('a');
    t.failure('a');
    c.t += 10_001;
    assert.equal(t.retryAfterMs('a'), 0);
    t.failure('a');
    assert.equal(t.retryAfterMs('a'), 0, 'one failure after the lockout does not lock again');
    t.failure('a');
    assert.equal(t.retryAfterMs('a'), 10_000);
  });

  test('failures spread wider than the lockout window do not add up', () => {
    const c = clock();
    const t = new LoginThrottle(3, 60_000, c.now);
    t.failure('a');
    t.failure('a');
    c.t += 60_001;
    t.failure('a');
    assert.equal(t.retryAfterMs('a'), 0, 'the window restarted');
  });

  test('remembers at most 10,000 addresses, dropping the least recently failed', () => {
    const c = clock();
    const t = new LoginThrottle(1, 60_000, c.now);
    for (let i = 0; i < 25_000; i++) t.failure(`addr-${i}`);
    assert.equal(t.tracked, 10_000);
    assert.equal(t.retryAfterMs('addr-0'), 0, 'the oldest was dropped');
    assert.equal(t.retryAfterMs('addr-14999'), 0);
    assert.equal(t.retryAfterMs('addr-15000'), 60_000, 'the newest are kept');
    assert.equal(t.retryAfterMs('addr-24999'), 60_000);
  });

  test('a repeat failure moves an address to the back of the eviction order', () => {
    const c = clock();
    const t = new LoginThrottle(100, 60_000, c.now);
    t.failure('first');
    for (let i = 0; i < 9_998; i++) t.failure(`addr-${i}`);
    t.failure('first'); // refreshed: now the most recent
    t.failure('one-more'); // 10,001st: evicts addr-0, not 'first'
    assert.equal(t.tracked, 10_000);
    for (let i = 0; i < 98; i++) t.failure('first');
    assert.equal(t.retryAfterMs('first'), 60_000, 'its 100 failures were all counted');
  });
});
