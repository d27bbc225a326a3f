import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearerToken, hostAllowed, hostName, isLoopbackAddress, ownHostNames } from './auth';

describe('admin auth checks', () => {
  test('loopback addresses, IPv4-mapped included; nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackAddress(a), true, a);
    }
    for (const a of [
      '10.0.0.2',
      '192.168.1.10',
      '::ffff:10.0.0.2',
      'fe80::1',
      '0.0.0.0',
      '',
      '128.0.0.1',
    ]) {
      assert.equal(isLoopbackAddress(a), false, a);
    }
  });

  test('the host part of a Host header', () => {
    assert.equal(hostName('LocalHost:3000'), 'localhost');
    assert.equal(hostName('[::1]:3000'), '::1');
    assert.equal(hostName('10.0.0.2'), '10.0.0.2');
  });

  test('Host names a rebinding page cannot produce are allowed; any other name is not', () => {
    const own = ownHostNames('Teacher-Laptop.school.lan');
    for (const h of [
      '127.0.0.1:3000',
      '[::1]:3000',
      '192.168.1.10:3000',
      'localhost:3000',
      'admin.localhost',
      'teacher-laptop:3000',
      'teacher-laptop.local:3000',
      'teacher-laptop.school.lan',
    ]) {
      assert.equal(hostAllowed(h, own), true, h);
    }
    for (const h of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example:3000',
      '127.0.0.1.nip.io',
    ]) {
      assert.equal(hostAllowed(h, own), false, String(h));
    }
  });

  test('bearer tokens', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});
