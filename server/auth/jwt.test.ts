// JWT mode (docs/protocols/zwibbler.md#jwt-mode) through a real hub and real
// clients: the reference's vector, then every way a token can be wrong. Each
// failure is an ERROR and a 4403 close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { ZwibblerClient } from '../test/zwibbler-client';
import { jwtKeyBytes } from './jwt';

const KEY = 'my secret';
const secret = Buffer.from(KEY);
/** The hub's clock: 2026-11-22T00:00:00Z. */
const clock = Date.UTC(2026, 10, 22);
const nowSeconds = () => Math.floor(clock / 1000);

let t: TestHub;
let url: string;
const clients: ZwibblerClient[] = [];

async function join(docId: string) {
  const c = await ZwibblerClient.join(url, { docId });
  clients.push(c);
  return c;
}

/** Joins with `token`; asserts the ERROR code and text, and the 4403 close. */
async function refused(token: string, code: number, text: string) {
  const c = await join(token);
  assert.deepEqual(c.messages[0], { type: 'error', code, description: Buffer.from(text) });
  assert.equal((await c.closed).code, 4403);
}

const sign = (claims: Record<string, unknown>, alg = 'HS256', key: Uint8Array = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

before(async () => {
  t = await startHub(
    { JWTKey: KEY, JWTClockSkewSeconds: 30, SecretUser: 'admin', SecretPassword: 'secret' },
    { now: () => clock },
  );
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

describe('JWT mode', () => {
  // The example token of docs/protocols/zwibbler.md#jwt-mode.
  test('the reference vector opens doc1 with read and write', async () => {
    const token =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkb2MxIiwidSI6ImFsaWNlIiwicCI6InJ3IiwiZXhwIjo0MTAyNDQ0ODAwfQ.IUxIWfLEszKA4xCZKmrl1l1-eYXzVmz-sFVaFkbDmJM';
    const c = await join(token);
    assert.equal(c.messages[0]!.type, 'append');
    c.append(0, 'hello');
    assert.deepEqual(await c.nextOf('ack-nack'), { type: 'ack-nack', status: 1, length: 5 });
    const [info] = t.hub.registry.clients({ userId: 'alice' });
    assert.equal(info?.room, 'doc1');
  });

  test('the reference vector with exp 946684800 (2000) is expired: ERROR 4', async () => {
    await refused(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkb2MxIiwidSI6ImFsaWNlIiwicCI6InJ3IiwiZXhwIjo5NDY2ODQ4MDB9.Sk2yqJM5R8OTiecT0WXZs-U3r8u3mpc17UvGkIrpHbA',
      4,
      'access denied',
    );
  });

  test('HS384 and HS512 are accepted, with the claims they carry', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const exp = nowSeconds() + 60;
      const writer = await join(await sign({ sub: `doc-${alg}`, u: 'ann', p: 'rw', exp }, alg));
      assert.equal(writer.messages[0]!.type, 'append', alg);
      const reader = await join(await sign({ sub: `doc-${alg}`, u: 'bob', p: 'r', exp }, alg));
      assert.equal(reader.messages[0]!.type, 'append', alg);
      // p is "r": the append is refused with ack 2, as a reader's is.
      reader.append(0, 'x');
      assert.deepEqual(await reader.nextOf('ack-nack'), { type: 'ack-nack', status: 2, length: 0 });
      assert.equal(t.hub.registry.clients({ userId: 'bob', room: `doc-${alg}` }).length, 1);
    }
  });

  test('a token just past exp but within the clock skew is accepted; past the skew it is not', async () => {
    const lenient = await sign({ sub: 'skew', p: 'rw', exp: nowSeconds() - 10 });
    assert.equal((await join(lenient)).messages[0]!.type, 'append');
    await refused(await sign({ sub: 'skew', p: 'rw', exp: nowSeconds() - 60 }), 4, 'access denied');
  });

  test('a missing exp is refused as expired: ERROR 4', async () => {
    await refused(await sign({ sub: 'noexp', p: 'rw' }), 4, 'access denied');
  });

  test('a wrong key is ERROR 4', async () => {
    const token = await sign(
      { sub: 'x', p: 'rw', exp: nowSeconds() + 60 },
      'HS256',
      Buffer.from('other'),
    );
    await refused(token, 4, 'access denied');
  });

  test('not yet valid (nbf) and issued in the future (iat) are ERROR 0', async () => {
    const exp = nowSeconds() + 600;
    await refused(
      await sign({ sub: 'x', p: 'rw', exp, nbf: nowSeconds() + 300 }),
      0,
      'token is not valid yet',
    );
    await refused(
      await sign({ sub: 'x', p: 'rw', exp, iat: nowSeconds() + 300 }),
      0,
      'token used before issued',
    );
  });

  test('alg none is refused: ERROR 0', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', p: 'rw', exp: nowSeconds() + 60 })}.`;
    await refused(token, 0, 'unexpected signing method');
  });

  test('an asymmetric algorithm (RS256) is refused: ERROR 0', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'x', p: 'rw', exp: nowSeconds() + 60 })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    await refused(token, 0, 'unexpected signing method');
  });

  test('malformed tokens are ERROR 0 with our own text, never the parser internals', async () => {
    for (const bad of ['a.b', 'not.a.jwt', '!!!.@@@.###', `${b64url({ alg: 'HS256' })}.e30`]) {
      await refused(bad, 0, 'malformed token');
    }
  });

  test('a non-numeric exp is ERROR 0', async () => {
    await refused(
      await sign({ sub: 'x', p: 'rw', exp: 'tomorrow' }),
      0,
      'token exp must be a number',
    );
  });

  // docs/protocols/zwibbler.md#resolving-the-document-id-field
  test('a plain document ID never becomes a writable document in JWT mode', async () => {
    await refused('plain-document', 0, 'malformed token');
  });

  // docs/protocols/zwibbler.md#resolving-the-document-id-field
  test('a stored token is still looked up first, and an expired one is refused', async () => {
    const add = (token: string, expiration: string) =>
      fetch(`${t.httpUrl}/socket`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
        body: new URLSearchParams({
          method: 'addToken',
          token,
          documentID: 'stored-doc',
          userID: 'carol',
          permissions: 'rw',
          expiration,
        }),
      });
    assert.equal((await add('stored-token', 'Sat, 01 Jan 2050 00:00:00 GMT')).status, 200);
    assert.equal((await add('stale-token', 'Sat, 01 Jan 2000 00:00:00 GMT')).status, 200);
    const c = await join('stored-token');
    assert.equal(c.messages[0]!.type, 'append');
    assert.equal(t.hub.registry.clients({ userId: 'carol' })[0]?.room, 'stored-doc');
    await refused('stale-token', 4, 'access denied');
  });
});

describe('JWTKey in base64', () => {
  test('JWTKeyIsBase64 decodes the key; a key that is not base64 is a config error', async () => {
    assert.deepEqual(jwtKeyBytes(Buffer.from('k3y').toString('base64'), true), Buffer.from('k3y'));
    assert.throws(() => jwtKeyBytes('not base64!', true), /JWTKey=\(hidden\) is not valid/);
    const hub = await startHub({
      JWTKey: Buffer.from(KEY).toString('base64'),
      JWTKeyIsBase64: true,
    });
    try {
      const token = await sign({ sub: 'b64', p: 'rw', exp: Math.floor(Date.now() / 1000) + 60 });
      const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: token });
      assert.equal(c.messages[0]!.type, 'append');
      await c.close();
    } finally {
      await hub.stop();
    }
  });
});
