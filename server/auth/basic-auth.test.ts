// HTTP Basic parsing and the constant-time credential check of the management API
// (docs/protocols/zwibbler.md#authentication-and-throttling).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { credentialsMatch, parseBasicAuth } from './basic-auth';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe('parseBasicAuth', () => {
  test('decodes the reference example admin:secret', () => {
    assert.deepEqual(parseBasicAuth('Basic YWRtaW46c2VjcmV0'), {
      user: 'admin',
      password: 'secret',
    });
  });

  test('the scheme is case-insensitive and extra spaces are tolerated', () => {
    const expected = { user: 'admin', password: 'secret' };
    assert.deepEqual(parseBasicAuth('basic YWRtaW46c2VjcmV0'), expected);
    assert.deepEqual(parseBasicAuth('BASIC   YWRtaW46c2VjcmV0  '), expected);
  });

  test('only the first colon splits: a password may contain colons', () => {
    assert.deepEqual(parseBasicAuth(basic('admin:pa:ss:')), { user: 'admin', password: 'pa:ss:' });
  });

  test('an empty user or password is kept as given', () => {
    assert.deepEqual(parseBasicAuth(basic(':')), { user: '', password: '' });
    assert.deepEqual(parseBasicAuth(basic('admin:')), { user: 'admin', password: '' });
  });

  test('UTF-8 credentials decode', () => {
    assert.deepEqual(parseBasicAuth(basic('lærer:pässwörd')), {
      user: 'lærer',
      password: 'pässwörd',
    });
  });

  test('malformed headers give undefined', () => {
    for (const header of [
      undefined,
      '',
      'Basic',
      'Basic ',
      'Basic !!!',
      'Basic YWRtaW46c2VjcmV0 extra',
      'Bearer YWRtaW46c2VjcmV0',
      'YWRtaW46c2VjcmV0',
      basic('no-colon-here'),
      'Digest username="admin"',
    ]) {
      assert.equal(parseBasicAuth(header), undefined, String(header));
    }
  });
});

describe('credentialsMatch', () => {
  const expected = { user: 'admin', password: 'secret' };

  test('accepts exactly the configured user and password', () => {
    assert.equal(credentialsMatch({ user: 'admin', password: 'secret' }, expected), true);
  });

  test('refuses a wrong user, a wrong password, both swapped, or nothing', () => {
    assert.equal(credentialsMatch({ user: 'Admin', password: 'secret' }, expected), false);
    assert.equal(credentialsMatch({ user: 'admin', password: 'Secret' }, expected), false);
    assert.equal(credentialsMatch({ user: 'secret', password: 'admin' }, expected), false);
    assert.equal(credentialsMatch({ user: '', password: '' }, expected), false);
    assert.equal(credentialsMatch(undefined, expected), false);
  });

  test('values of other lengths are refused without throwing (timingSafeEqual needs equal lengths)', () => {
    assert.equal(
      credentialsMatch({ user: 'admin', password: 'secret-but-longer' }, expected),
      false,
    );
    assert.equal(credentialsMatch({ user: 'admin', password: 's' }, expected), false);
    assert.equal(
      credentialsMatch({ user: 'a'.repeat(10_000), password: 'secret' }, expected),
      false,
    );
    assert.equal(credentialsMatch({ user: 'admin', password: 'secret\u0000' }, expected), false);
  });

  test('a prefix of the password is not enough', () => {
    for (let i = 0; i < expected.password.length; i++) {
      const password = expected.password.slice(0, i);
      assert.equal(credentialsMatch({ user: 'admin', password }, expected), false, password);
    }
  });

  test('works on parsed headers end to end', () => {
    assert.equal(credentialsMatch(parseBasicAuth('Basic YWRtaW46c2VjcmV0'), expected), true);
    assert.equal(credentialsMatch(parseBasicAuth(basic('admin:secret2')), expected), false);
    assert.equal(credentialsMatch(parseBasicAuth('Basic !!!'), expected), false);
  });
});
