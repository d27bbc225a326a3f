// The DocumentStore contract, part 2: document keys, tokens, access times and expiration.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { b, contents, EMPTY, hexOf, key, keysView } from './helpers';
import type { ContractFixture } from './helpers';
import type { Token } from '../../store/types';

export function keysTokensAndExpiryContract(f: ContractFixture): void {
  // The store of the test that is running.
  const storeOf = f.store;
  describe('document keys', () => {
    test('setting a key on a missing document is "missing"', async () => {
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'v', 1)), 'missing');
      assert.deepEqual(await storeOf().getDocumentKeys('d'), []);
      assert.equal(await storeOf().documentLength('d'), null);
    });

    test('a missing key needs oldVersion 0', async () => {
      await storeOf().createDocument('d', EMPTY);
      assert.equal(await storeOf().setDocumentKey('d', 1, key('k', 'v', 2)), 'conflict');
      assert.equal(await storeOf().setDocumentKey('d', 7, key('k', 'v', 8)), 'conflict');
      assert.deepEqual(await storeOf().getDocumentKeys('d'), []);
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'v', 1)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'v', 1)]),
      );
    });

    test('an existing key needs its stored version; a wrong one changes nothing', async () => {
      await storeOf().createDocument('d', EMPTY);
      await storeOf().setDocumentKey('d', 0, key('k', 'v1', 3));
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'x', 1)), 'conflict');
      assert.equal(await storeOf().setDocumentKey('d', 2, key('k', 'x', 4)), 'conflict');
      assert.equal(await storeOf().setDocumentKey('d', 4, key('k', 'x', 5)), 'conflict');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'v1', 3)]),
      );
      assert.equal(await storeOf().setDocumentKey('d', 3, key('k', 'v2', 4)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'v2', 4)]),
      );
    });

    // docs/protocols/zwibbler.md#every-backend-follows-the-same-rules
    test('a second and third update with the correct version succeed', async () => {
      await storeOf().createDocument('d', EMPTY);
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'a', 1)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 1, key('k', 'b', 2)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 2, key('k', 'c', 3)), 'ok');
      // The first version no longer matches.
      assert.equal(await storeOf().setDocumentKey('d', 1, key('k', 'z', 9)), 'conflict');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'c', 3)]),
      );
    });

    test('an update replaces the key: one entry per name, never appended', async () => {
      await storeOf().createDocument('d', EMPTY);
      await storeOf().setDocumentKey('d', 0, key('k', 'a long first value', 1));
      await storeOf().setDocumentKey('d', 0, key('p', '1', 1));
      await storeOf().setDocumentKey('d', 1, key('k', 's', 2));
      await storeOf().setDocumentKey('d', 2, key('k', '', 3));
      const keys = await storeOf().getDocumentKeys('d');
      assert.equal(keys.length, 2);
      assert.deepEqual(keysView(keys), keysView([key('k', '', 3), key('p', '1', 1)]));
    });

    // docs/protocols/zwibbler.md#limits: checked with the write, from sizes alone.
    describe('a key budget', () => {
      const budget = { maxKeys: 3, maxBytes: 20 };

      test('a new key past the count is "full" and writes nothing', async () => {
        await storeOf().createDocument('d', EMPTY);
        for (const name of ['a', 'b', 'c']) {
          assert.equal(await storeOf().setDocumentKey('d', 0, key(name, '1', 1), budget), 'ok');
        }
        assert.equal(await storeOf().setDocumentKey('d', 0, key('e', '1', 1), budget), 'full');
        assert.equal((await storeOf().getDocumentKeys('d')).length, 3);
        // An existing key is still replaced: the count does not grow.
        assert.equal(await storeOf().setDocumentKey('d', 1, key('a', '2', 2), budget), 'ok');
      });

      test('bytes of names and values past the budget are "full"; a replacement may grow to it', async () => {
        await storeOf().createDocument('d', EMPTY);
        // 1 + 9 = 10 bytes, then 1 + 9 more: 20, the budget.
        assert.equal(
          await storeOf().setDocumentKey('d', 0, key('a', '123456789', 1), budget),
          'ok',
        );
        assert.equal(
          await storeOf().setDocumentKey('d', 0, key('b', '123456789', 1), budget),
          'ok',
        );
        assert.equal(await storeOf().setDocumentKey('d', 0, key('c', '', 1), budget), 'full');
        assert.equal(
          await storeOf().setDocumentKey('d', 1, key('a', '1234567890', 2), budget),
          'full',
        );
        assert.equal(await storeOf().setDocumentKey('d', 1, key('a', '12345', 2), budget), 'ok');
        assert.equal(
          await storeOf().setDocumentKey('d', 2, key('a', '123456789', 3), budget),
          'ok',
        );
        assert.deepEqual(
          keysView(await storeOf().getDocumentKeys('d')),
          keysView([key('a', '123456789', 3), key('b', '123456789', 1)]),
        );
      });

      test('a document already over a lowered budget may still shrink a key', async () => {
        await storeOf().createDocument('d', EMPTY);
        await storeOf().setDocumentKey('d', 0, key('a', 'x'.repeat(40), 1));
        assert.equal(
          await storeOf().setDocumentKey('d', 1, key('a', 'x'.repeat(41), 2), budget),
          'full',
        );
        assert.equal(
          await storeOf().setDocumentKey('d', 1, key('a', 'x'.repeat(30), 2), budget),
          'ok',
        );
      });

      test('a version conflict is reported before the budget', async () => {
        await storeOf().createDocument('d', EMPTY);
        assert.equal(
          await storeOf().setDocumentKey('d', 3, key('a', 'x'.repeat(40), 4), budget),
          'conflict',
        );
      });
    });

    // docs/protocols/zwibbler.md#versions
    test('versions are opaque u32s: newVersion need not grow', async () => {
      await storeOf().createDocument('d', EMPTY);
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'a', 0xffffffff)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0xffffffff, key('k', 'b', 5)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 5, key('k', 'c', 5)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 5, key('k', 'd', 0)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'd', 0)]),
      );
      // Stored version 0 and a missing key look alike to compare-and-set.
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'e', 1)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'e', 1)]),
      );
    });

    test('names and values are raw bytes, including non-UTF-8 and NUL', async () => {
      await storeOf().createDocument('d', EMPTY);
      // 0xff and 0xfe both decode to U+FFFD as UTF-8; they must stay two keys.
      const n1 = Buffer.from([0xff, 0x00, 0x61]);
      const n2 = Buffer.from([0xfe, 0x00, 0x61]);
      const n3 = Buffer.from([0xc3, 0xa9]); // "é"
      const n4 = Buffer.from([0xc3]); // a truncated sequence
      const v1 = Buffer.from([0x80, 0x00, 0xc3, 0x28, 0xff]);
      const v2 = Buffer.from([0x00]);
      assert.equal(await storeOf().setDocumentKey('d', 0, key(n1, v1, 1)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0, key(n2, v2, 1)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0, key(n3, v1, 2)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0, key(n4, EMPTY, 3)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0, key(EMPTY, v2, 4)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([
          key(n1, v1, 1),
          key(n2, v2, 1),
          key(n3, v1, 2),
          key(n4, EMPTY, 3),
          key(EMPTY, v2, 4),
        ]),
      );
      // Compare-and-set finds each by its exact bytes.
      assert.equal(await storeOf().setDocumentKey('d', 1, key(n2, v1, 2)), 'ok');
      assert.equal(await storeOf().setDocumentKey('d', 0, key(n1, v2, 9)), 'conflict');
      assert.deepEqual(
        keysView((await storeOf().getDocumentKeys('d')).filter((k) => hexOf(k.name) === hexOf(n2))),
        keysView([key(n2, v1, 2)]),
      );
    });

    test('key names are case-sensitive and keys belong to one document', async () => {
      await storeOf().createDocument('a', EMPTY);
      await storeOf().createDocument('b', EMPTY);
      assert.equal(await storeOf().setDocumentKey('a', 0, key('k', 'lower', 1)), 'ok');
      assert.equal(await storeOf().setDocumentKey('a', 0, key('K', 'upper', 1)), 'ok');
      assert.deepEqual(await storeOf().getDocumentKeys('b'), []);
      assert.equal(await storeOf().setDocumentKey('b', 0, key('k', 'in b', 7)), 'ok');
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('a')),
        keysView([key('k', 'lower', 1), key('K', 'upper', 1)]),
      );
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('b')),
        keysView([key('k', 'in b', 7)]),
      );
    });

    test('getDocumentKeys of a missing document is empty', async () => {
      assert.deepEqual(await storeOf().getDocumentKeys('nothing'), []);
    });

    test('returned keys are copies: mutating them does not change the store', async () => {
      await storeOf().createDocument('d', EMPTY);
      const name = b('k');
      const value = b('v');
      await storeOf().setDocumentKey('d', 0, { name, value, version: 1 });
      name[0] = 0x78;
      value[0] = 0x78;
      const [got] = await storeOf().getDocumentKeys('d');
      got!.name[0] = 0x79;
      got!.value[0] = 0x79;
      got!.version = 99;
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('d')),
        keysView([key('k', 'v', 1)]),
      );
    });
  });

  describe('tokens', () => {
    const token = (over: Partial<Token> = {}): Token => ({
      token: 't1',
      documentId: 'doc',
      userId: 'u1',
      permissions: 'rw',
      expiresAt: 2_000_000_000_000,
      ...over,
    });

    test('addToken stores a token that getToken returns', async () => {
      assert.equal(await storeOf().addToken(token(), EMPTY), 'ok');
      assert.deepEqual({ ...(await storeOf().getToken('t1', 1_000)) }, token());
      assert.equal(await storeOf().getToken('t2', 1_000), null);
    });

    test('addToken with empty contents does not create the document', async () => {
      assert.equal(await storeOf().addToken(token(), EMPTY), 'ok');
      assert.equal(await storeOf().documentLength('doc'), null);
    });

    test('addToken with contents creates a missing document', async () => {
      assert.equal(await storeOf().addToken(token(), b('from token')), 'ok');
      assert.equal(await contents(storeOf(), 'doc'), hexOf(b('from token')));
      assert.deepEqual({ ...(await storeOf().getToken('t1', 0)) }, token());
    });

    test('an existing token is "token-exists" and nothing changes', async () => {
      assert.equal(await storeOf().addToken(token(), EMPTY), 'ok');
      assert.equal(
        await storeOf().addToken(token({ documentId: 'other', permissions: 'r' }), b('data')),
        'token-exists',
      );
      assert.deepEqual({ ...(await storeOf().getToken('t1', 0)) }, token());
      assert.equal(
        await storeOf().documentLength('other'),
        null,
        'a rejected addToken creates nothing',
      );
    });

    test('contents for an existing document is "document-exists": no token, document unchanged', async () => {
      await storeOf().createDocument('doc', b('original'));
      assert.equal(await storeOf().addToken(token(), b('replacement')), 'document-exists');
      assert.equal(await storeOf().getToken('t1', 0), null);
      assert.equal(await contents(storeOf(), 'doc'), hexOf(b('original')));
    });

    // docs/protocols/zwibbler.md#every-backend-follows-the-same-rules
    test('empty contents never wipe an existing document or its keys', async () => {
      await storeOf().createDocument('doc', b('precious'));
      await storeOf().appendIfLength('doc', 8, b(' work'));
      await storeOf().setDocumentKey('doc', 0, key('k', 'v', 1));
      assert.equal(await storeOf().addToken(token(), EMPTY), 'ok');
      assert.equal(await contents(storeOf(), 'doc'), hexOf(b('precious work')));
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('doc')),
        keysView([key('k', 'v', 1)]),
      );
      assert.deepEqual({ ...(await storeOf().getToken('t1', 0)) }, token());
    });

    test('getToken is null at exactly expiresAt and after', async () => {
      const expiresAt = 1_700_000_000_000;
      await storeOf().addToken(token({ expiresAt }), EMPTY);
      assert.deepEqual(
        { ...(await storeOf().getToken('t1', expiresAt - 1)) },
        token({ expiresAt }),
      );
      assert.equal(await storeOf().getToken('t1', expiresAt), null);
      assert.equal(await storeOf().getToken('t1', expiresAt + 1), null);
      assert.equal(await storeOf().getToken('t1', expiresAt + 86_400_000), null);
    });

    // docs/protocols/zwibbler.md#updateuser-changes-stored-tokens
    test('updateUser rewrites the permissions of every token of the user and returns the count', async () => {
      await storeOf().addToken(token({ token: 'a', userId: 'u1', permissions: 'r' }), EMPTY);
      await storeOf().addToken(
        token({ token: 'b', userId: 'u1', permissions: 'rw', documentId: 'x' }),
        EMPTY,
      );
      await storeOf().addToken(token({ token: 'c', userId: 'u2', permissions: 'r' }), EMPTY);
      assert.equal(await storeOf().updateUser('u1', 'rwa'), 2);
      assert.equal((await storeOf().getToken('a', 0))?.permissions, 'rwa');
      assert.equal((await storeOf().getToken('b', 0))?.permissions, 'rwa');
      assert.equal((await storeOf().getToken('b', 0))?.documentId, 'x');
      assert.equal((await storeOf().getToken('c', 0))?.permissions, 'r');
      // Empty permissions revoke everything.
      assert.equal(await storeOf().updateUser('u2', ''), 1);
      assert.equal((await storeOf().getToken('c', 0))?.permissions, '');
      assert.equal(await storeOf().updateUser('nobody', 'rw'), 0);
    });
  });

  describe('access times and expiration', () => {
    const tok = (name: string, expiresAt: number): Token => ({
      token: name,
      documentId: 'doc',
      userId: 'u',
      permissions: 'r',
      expiresAt,
    });
    const keepNone = () => false;

    test('findToken returns a token whether or not it has expired', async () => {
      await storeOf().addToken(tok('old', f.clock.now - 1), EMPTY);
      assert.equal(await storeOf().getToken('old', f.clock.now), null);
      assert.equal((await storeOf().findToken('old'))?.expiresAt, f.clock.now - 1);
      assert.equal(await storeOf().findToken('none'), null);
    });

    test('touchDocument gives the length, or null for a missing document', async () => {
      await storeOf().createDocument('d', b('abc'));
      assert.equal(await storeOf().touchDocument('d'), 3);
      assert.equal(await storeOf().touchDocument('missing'), null);
    });

    test('purgeExpired deletes documents and their keys not accessed since the cutoff', async () => {
      await storeOf().createDocument('stale', b('s'));
      await storeOf().setDocumentKey('stale', 0, key('k', 'v', 1));
      await storeOf().createDocument('fresh', b('f'));
      f.clock.now += 1000;
      await storeOf().appendIfLength('fresh', 1, b('!'));
      const result = await storeOf().purgeExpired(f.clock.now - 500, f.clock.now, keepNone);
      assert.equal(result.documents, 1);
      assert.equal(await storeOf().documentLength('stale'), null);
      assert.deepEqual(await storeOf().getDocumentKeys('stale'), []);
      assert.equal(await storeOf().documentLength('fresh'), 2);
    });

    test('every kind of access counts: load, append, touch', async () => {
      for (const id of ['load', 'append', 'touch', 'idle'])
        await storeOf().createDocument(id, b('x'));
      f.clock.now += 1000;
      await storeOf().loadDocument('load', 'never-create', EMPTY, 0);
      await storeOf().appendIfLength('append', 1, b('y'));
      await storeOf().touchDocument('touch');
      await storeOf().purgeExpired(f.clock.now - 500, f.clock.now, keepNone);
      assert.equal(await storeOf().documentLength('idle'), null);
      for (const id of ['load', 'append', 'touch']) {
        assert.notEqual(await storeOf().documentLength(id), null, id);
      }
    });

    test('keep() protects a document however old', async () => {
      await storeOf().createDocument('live', b('x'));
      f.clock.now += 10_000;
      const result = await storeOf().purgeExpired(f.clock.now, f.clock.now, (id) => id === 'live');
      assert.equal(result.documents, 0);
      assert.equal(await storeOf().documentLength('live'), 1);
    });

    test('tokens unused since the cutoff, or expired, are purged; used ones stay', async () => {
      await storeOf().addToken(tok('unused', f.clock.now + 1e9), EMPTY);
      await storeOf().addToken(tok('used', f.clock.now + 1e9), EMPTY);
      await storeOf().addToken(tok('expired', f.clock.now + 500), EMPTY);
      f.clock.now += 1000;
      await storeOf().getToken('used', f.clock.now);
      await storeOf().findToken('expired');
      const result = await storeOf().purgeExpired(f.clock.now - 500, f.clock.now, keepNone);
      assert.equal(result.tokens, 2);
      assert.equal(await storeOf().findToken('unused'), null);
      assert.equal(await storeOf().findToken('expired'), null);
      assert.notEqual(await storeOf().findToken('used'), null);
    });
  });
}
