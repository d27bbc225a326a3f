// The LAN origin rule (cross-site WebSocket hijacking) on its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowsLanOrigin, isLanHost, isOwnOrigin } from './lan-origins';

describe('isLanHost', () => {
  test('loopback, private, link-local and .local hosts', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '127.0.0.1',
      '127.255.1.2',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.10',
      '169.254.1.1',
      '[::1]',
      '::1',
      '[fc00::1]',
      '[fdab:1::2]',
      '[fe80::1]',
      '[::ffff:c0a8:102]', // ::ffff:192.168.1.2
      'teacher.local',
      'teacher.local.',
    ]) {
      assert.equal(isLanHost(host), true, host);
    }
  });

  test('public addresses and names are not', () => {
    for (const host of [
      'example.com',
      'local',
      '.local',
      'evil-local.com',
      'localhost.evil.com',
      '8.8.8.8',
      '172.32.0.1',
      '172.15.255.255',
      '192.169.0.1',
      '11.0.0.1',
      '[2001:db8::1]',
      '[::ffff:808:808]', // ::ffff:8.8.8.8
    ]) {
      assert.equal(isLanHost(host), false, host);
    }
  });
});

describe('allowsLanOrigin', () => {
  test('no Origin is allowed (a non-browser client)', () => {
    assert.equal(allowsLanOrigin(undefined, 'hub.example:3000'), true);
  });

  test("the hub's own origin: host and port equal to the Host header", () => {
    assert.equal(
      allowsLanOrigin('http://hub.school.example:3000', 'hub.school.example:3000'),
      true,
    );
    assert.equal(
      allowsLanOrigin('http://HUB.school.example:3000', 'hub.school.example:3000'),
      true,
    );
    assert.equal(allowsLanOrigin('http://hub.school.example', 'hub.school.example:80'), true);
    assert.equal(allowsLanOrigin('https://hub.school.example', 'hub.school.example:443'), true);
    assert.equal(
      allowsLanOrigin('http://hub.school.example:3001', 'hub.school.example:3000'),
      false,
    );
    assert.equal(allowsLanOrigin('https://hub.school.example', 'hub.school.example:80'), false);
    assert.equal(allowsLanOrigin('http://evil.example', 'hub.school.example:3000'), false);
    assert.equal(allowsLanOrigin('http://evil.example', undefined), false);
  });

  test('a Host header with userinfo or a path matches nothing', () => {
    assert.equal(allowsLanOrigin('http://evil.example', 'x@evil.example'), false);
    assert.equal(allowsLanOrigin('http://evil.example', 'evil.example/x'), false);
  });

  test('LAN origins, whatever the Host header', () => {
    for (const origin of [
      'http://192.168.1.2:3490',
      'https://10.1.1.1',
      'http://[::1]:5173',
      'http://pc.local',
    ]) {
      assert.equal(allowsLanOrigin(origin, 'hub.school.example'), true, origin);
    }
  });

  test('null, other schemes and unparsable origins are refused', () => {
    for (const origin of [
      'null',
      'file://',
      'chrome-extension://abc',
      'ws://127.0.0.1',
      'not a url',
      '',
    ]) {
      assert.equal(allowsLanOrigin(origin, '127.0.0.1:3000'), false, origin);
    }
  });
});

describe('isOwnOrigin (a page the hub served, for ClassOpenRooms)', () => {
  test('the same host and port as the Host header, default ports included', () => {
    assert.equal(isOwnOrigin('http://10.0.0.5:3000', '10.0.0.5:3000'), true);
    assert.equal(isOwnOrigin('http://HUB.local', 'hub.local:80'), true);
  });

  test('no Origin, another port or host, or a bad Host header is not the hub’s own page', () => {
    assert.equal(isOwnOrigin(undefined, '10.0.0.5:3000'), false);
    assert.equal(isOwnOrigin('http://10.0.0.5:3000', undefined), false);
    assert.equal(isOwnOrigin('http://10.0.0.5:3001', '10.0.0.5:3000'), false);
    assert.equal(isOwnOrigin('http://10.0.0.6:3000', '10.0.0.5:3000'), false);
    assert.equal(isOwnOrigin('not a url', '10.0.0.5:3000'), false);
    assert.equal(isOwnOrigin('http://a@10.0.0.5:3000', 'a@10.0.0.5:3000'), false);
  });
});
