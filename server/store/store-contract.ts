// The DocumentStore contract as a reusable node:test suite. Every backend's test
// file calls describeStoreContract() with a factory that returns a fresh, empty
// store; the rules are those of types.ts and shared/reference/zwibbler-protocol.md
// §7, §8 and §13.1, with the reference's bugs fixed (§13.2, §16.14, §16.15).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DocumentKey, DocumentStore, LoadResult, StoreOptions, Token } from './types';
import { prng } from '../test/random';

export interface StoreUnderTest {
  store: DocumentStore;
  /** Closes the store and removes whatever it left behind. */
  cleanup: () => Promise<void>;
}

const b = (s: string): Buffer => Buffer.from(s);
const EMPTY = new Uint8Array();
const hexOf = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** A LoadResult with its bytes as hex, so assertions compare values, not classes. */
function view(r: LoadResult): unknown {
  return r.status === 'ok' ? { ...r, tail: hexOf(r.tail) } : r;
}

function ok(length: number, tail: Uint8Array | string, created = false): unknown {
  return { status: 'ok', created, length, tail: hexOf(typeof tail === 'string' ? b(tail) : tail) };
}

/** Keys as comparable, order-independent values (the contract fixes no order). */
function keysView(
  keys: readonly DocumentKey[],
): { name: string; value: string; version: number }[] {
  return keys
    .map((k) => ({ name: hexOf(k.name), value: hexOf(k.value), version: k.version }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

function key(name: Uint8Array | string, value: Uint8Array | string, version: number): DocumentKey {
  return {
    name: typeof name === 'string' ? b(name) : name,
    value: typeof value === 'string' ? b(value) : value,
    version,
  };
}

function randomBytes(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export function describeStoreContract(
  name: string,
  makeStore: (options: StoreOptions) => Promise<StoreUnderTest>,
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    let store: DocumentStore;
    /** The store's clock: tests move it by hand. */
    let clock = 1_000_000;

    beforeEach(async () => {
      clock = 1_000_000;
      current = await makeStore({ now: () => clock });
      store = current.store;
    });

    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    /** The whole document, asserting that it exists. */
    async function contents(id: string): Promise<string> {
      const r = await store.loadDocument(id, 'never-create', EMPTY, 0);
      assert.equal(r.status, 'ok', `document ${id} should exist`);
      return hexOf((r as { tail: Uint8Array }).tail);
    }

    describe('loadDocument', () => {
      test('possibly-create creates a missing document: created, its length, an empty tail', async () => {
        assert.deepEqual(
          view(await store.loadDocument('d', 'possibly-create', b('hello'), 0)),
          ok(5, '', true),
        );
        assert.equal(await store.documentLength('d'), 5);
        assert.equal(await contents('d'), hexOf(b('hello')));
      });

      test('possibly-create opens an existing document unchanged and ignores initialData', async () => {
        assert.equal(await store.createDocument('d', b('hello')), true);
        assert.deepEqual(
          view(await store.loadDocument('d', 'possibly-create', b('other data'), 0)),
          ok(5, 'hello'),
        );
        assert.equal(await contents('d'), hexOf(b('hello')));
      });

      test('never-create on a missing document is "missing" and creates nothing', async () => {
        assert.deepEqual(await store.loadDocument('d', 'never-create', b('hello'), 0), {
          status: 'missing',
        });
        assert.equal(await store.documentLength('d'), null);
      });

      test('never-create opens an existing document', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(
          view(await store.loadDocument('d', 'never-create', EMPTY, 0)),
          ok(5, 'hello'),
        );
      });

      test('always-create creates a missing document', async () => {
        assert.deepEqual(
          view(await store.loadDocument('d', 'always-create', b('abc'), 0)),
          ok(3, '', true),
        );
        assert.equal(await contents('d'), hexOf(b('abc')));
      });

      test('always-create on an existing document is "exists" and leaves it unchanged', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.loadDocument('d', 'always-create', b('zzz'), 0), {
          status: 'exists',
        });
        assert.equal(await contents('d'), hexOf(b('hello')));
      });

      test('creating with empty initial data makes an empty document', async () => {
        assert.deepEqual(
          view(await store.loadDocument('d', 'possibly-create', EMPTY, 0)),
          ok(0, '', true),
        );
        assert.equal(await store.documentLength('d'), 0);
        assert.deepEqual(view(await store.loadDocument('d', 'never-create', EMPTY, 0)), ok(0, ''));
      });

      test('a creating load returns an empty tail whatever the offset (§6.1 step 6)', async () => {
        assert.deepEqual(
          view(await store.loadDocument('a', 'possibly-create', b('hello'), 2)),
          ok(5, '', true),
        );
        assert.deepEqual(
          view(await store.loadDocument('b', 'always-create', b('hello'), 9)),
          ok(5, '', true),
        );
      });

      test('the tail starts at the requested offset', async () => {
        await store.createDocument('d', b('hello world'));
        assert.deepEqual(
          view(await store.loadDocument('d', 'possibly-create', EMPTY, 6)),
          ok(11, 'world'),
        );
        assert.deepEqual(
          view(await store.loadDocument('d', 'never-create', EMPTY, 1)),
          ok(11, 'ello world'),
        );
      });

      test('an offset equal to the length gives an empty tail', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(view(await store.loadDocument('d', 'never-create', EMPTY, 5)), ok(5, ''));
        await store.createDocument('e', EMPTY);
        assert.deepEqual(view(await store.loadDocument('e', 'never-create', EMPTY, 0)), ok(0, ''));
      });

      test('an offset past the end is "invalid-offset" with the current length', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.loadDocument('d', 'never-create', EMPTY, 6), {
          status: 'invalid-offset',
          length: 5,
        });
        assert.deepEqual(await store.loadDocument('d', 'possibly-create', b('x'), 100), {
          status: 'invalid-offset',
          length: 5,
        });
        assert.equal(await contents('d'), hexOf(b('hello')));
      });

      test('the tail after appends spans every append', async () => {
        await store.createDocument('d', b('ab'));
        await store.appendIfLength('d', 2, b('cd'));
        await store.appendIfLength('d', 4, b('ef'));
        for (let offset = 0; offset <= 6; offset++) {
          assert.deepEqual(
            view(await store.loadDocument('d', 'never-create', EMPTY, offset)),
            ok(6, 'abcdef'.slice(offset)),
            `offset ${offset}`,
          );
        }
      });

      test('documentLength is null for a missing document', async () => {
        assert.equal(await store.documentLength('nothing'), null);
      });

      test('document IDs are exact strings (case, Unicode, empty)', async () => {
        await store.createDocument('Doc', b('upper'));
        await store.createDocument('doc', b('lower'));
        await store.createDocument('é', b('accent'));
        await store.createDocument('', b('empty id'));
        assert.equal(await contents('Doc'), hexOf(b('upper')));
        assert.equal(await contents('doc'), hexOf(b('lower')));
        assert.equal(await contents('é'), hexOf(b('accent')));
        assert.equal(await contents(''), hexOf(b('empty id')));
      });
    });

    describe('appendIfLength', () => {
      test('appends at the current length and returns the new length', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.appendIfLength('d', 5, b(' world')), {
          status: 'ok',
          length: 11,
        });
        assert.equal(await store.documentLength('d'), 11);
        assert.equal(await contents('d'), hexOf(b('hello world')));
      });

      test('a wrong expected length is a conflict with the current length, and writes nothing', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.appendIfLength('d', 4, b('X')), {
          status: 'conflict',
          length: 5,
        });
        assert.deepEqual(await store.appendIfLength('d', 6, b('X')), {
          status: 'conflict',
          length: 5,
        });
        assert.deepEqual(await store.appendIfLength('d', 0, b('X')), {
          status: 'conflict',
          length: 5,
        });
        assert.equal(await contents('d'), hexOf(b('hello')));
      });

      test('a stale append loses to the one that got there first', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.appendIfLength('d', 5, b('abc')), { status: 'ok', length: 8 });
        assert.deepEqual(await store.appendIfLength('d', 5, b('zz')), {
          status: 'conflict',
          length: 8,
        });
        assert.deepEqual(await store.appendIfLength('d', 8, b('Q')), { status: 'ok', length: 9 });
        assert.equal(await contents('d'), hexOf(b('helloabcQ')));
      });

      test('appending to a missing document is "missing" and does not create it', async () => {
        assert.deepEqual(await store.appendIfLength('d', 0, b('x')), { status: 'missing' });
        assert.equal(await store.documentLength('d'), null);
      });

      test('empty data succeeds with an unchanged length', async () => {
        await store.createDocument('d', b('hello'));
        assert.deepEqual(await store.appendIfLength('d', 5, EMPTY), { status: 'ok', length: 5 });
        assert.deepEqual(await store.appendIfLength('d', 4, EMPTY), {
          status: 'conflict',
          length: 5,
        });
        assert.deepEqual(await store.appendIfLength('d', 5, b('!')), { status: 'ok', length: 6 });
        assert.equal(await contents('d'), hexOf(b('hello!')));
      });

      test('appends to an empty document', async () => {
        await store.createDocument('d', EMPTY);
        assert.deepEqual(await store.appendIfLength('d', 0, EMPTY), { status: 'ok', length: 0 });
        assert.deepEqual(await store.appendIfLength('d', 0, b('first')), {
          status: 'ok',
          length: 5,
        });
        assert.deepEqual(
          view(await store.loadDocument('d', 'never-create', EMPTY, 2)),
          ok(5, 'rst'),
        );
      });

      test('bytes are stored exactly (all 256 values)', async () => {
        const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        await store.createDocument('d', all.subarray(0, 100));
        await store.appendIfLength('d', 100, all.subarray(100));
        assert.equal(await contents('d'), hexOf(all));
      });

      test('appends to one document do not touch another', async () => {
        await store.createDocument('a', b('A'));
        await store.createDocument('b', b('B'));
        await store.appendIfLength('a', 1, b('aa'));
        assert.equal(await contents('a'), hexOf(b('Aaa')));
        assert.equal(await contents('b'), hexOf(b('B')));
      });

      test('many sequential appends read back exactly, from 0 and from any offset', async () => {
        const random = prng(0x5eed);
        const parts: Buffer[] = [b('init')];
        await store.createDocument('d', parts[0]!);
        let length = 4;
        for (let i = 0; i < 1000; i++) {
          const size =
            random() < 0.05 ? 0 : 1 + Math.floor(random() * (random() < 0.1 ? 3000 : 60));
          const data = randomBytes(random, size);
          assert.deepEqual(await store.appendIfLength('d', length, data), {
            status: 'ok',
            length: length + size,
          });
          length += size;
          parts.push(data);
          // Let any work a backend schedules for later (compaction) run in between.
          if (i % 37 === 0) await new Promise((r) => setImmediate(r));
        }
        await new Promise((r) => setImmediate(r));
        const whole = Buffer.concat(parts);
        assert.equal(await store.documentLength('d'), whole.length);
        assert.equal(await contents('d'), hexOf(whole));
        const offsets = [0, 1, 3, 4, 5, whole.length - 1, whole.length];
        for (let i = 0; i < 60; i++) offsets.push(Math.floor(random() * whole.length));
        for (const offset of offsets) {
          assert.deepEqual(
            view(await store.loadDocument('d', 'never-create', EMPTY, offset)),
            ok(whole.length, whole.subarray(offset)),
            `offset ${offset}`,
          );
        }
      });
    });

    describe('createDocument and deleteDocument', () => {
      test('createDocument creates with the contents, and is false when the document exists', async () => {
        assert.equal(await store.createDocument('d', b('first')), true);
        assert.equal(await store.createDocument('d', b('second')), false);
        assert.equal(await contents('d'), hexOf(b('first')));
        assert.equal(await store.createDocument('empty', EMPTY), true);
        assert.equal(await store.documentLength('empty'), 0);
        assert.equal(await store.createDocument('empty', b('x')), false);
        assert.equal(await store.documentLength('empty'), 0);
      });

      test('deleteDocument removes the document and its keys, and is false when there is none', async () => {
        await store.createDocument('d', b('hello'));
        await store.appendIfLength('d', 5, b(' world'));
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'v', 1)), 'ok');
        await store.createDocument('other', b('stay'));
        assert.equal(await store.setDocumentKey('other', 0, key('k', 'kept', 1)), 'ok');

        assert.equal(await store.deleteDocument('d'), true);
        assert.equal(await store.documentLength('d'), null);
        assert.deepEqual(await store.loadDocument('d', 'never-create', EMPTY, 0), {
          status: 'missing',
        });
        assert.deepEqual(await store.getDocumentKeys('d'), []);
        assert.deepEqual(await store.appendIfLength('d', 11, b('x')), { status: 'missing' });
        assert.equal(await store.setDocumentKey('d', 1, key('k', 'v2', 2)), 'missing');
        assert.equal(await store.deleteDocument('d'), false);
        assert.equal(await store.deleteDocument('never-existed'), false);

        // The same ID starts afresh: no old bytes, no old keys.
        assert.equal(await store.createDocument('d', b('new')), true);
        assert.equal(await contents('d'), hexOf(b('new')));
        assert.deepEqual(await store.getDocumentKeys('d'), []);
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'fresh', 1)), 'ok');

        assert.equal(await contents('other'), hexOf(b('stay')));
        assert.deepEqual(
          keysView(await store.getDocumentKeys('other')),
          keysView([key('k', 'kept', 1)]),
        );
      });
    });

    describe('document keys', () => {
      test('setting a key on a missing document is "missing"', async () => {
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'v', 1)), 'missing');
        assert.deepEqual(await store.getDocumentKeys('d'), []);
        assert.equal(await store.documentLength('d'), null);
      });

      test('a missing key needs oldVersion 0', async () => {
        await store.createDocument('d', EMPTY);
        assert.equal(await store.setDocumentKey('d', 1, key('k', 'v', 2)), 'conflict');
        assert.equal(await store.setDocumentKey('d', 7, key('k', 'v', 8)), 'conflict');
        assert.deepEqual(await store.getDocumentKeys('d'), []);
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'v', 1)), 'ok');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'v', 1)]));
      });

      test('an existing key needs its stored version; a wrong one changes nothing', async () => {
        await store.createDocument('d', EMPTY);
        await store.setDocumentKey('d', 0, key('k', 'v1', 3));
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'x', 1)), 'conflict');
        assert.equal(await store.setDocumentKey('d', 2, key('k', 'x', 4)), 'conflict');
        assert.equal(await store.setDocumentKey('d', 4, key('k', 'x', 5)), 'conflict');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'v1', 3)]));
        assert.equal(await store.setDocumentKey('d', 3, key('k', 'v2', 4)), 'ok');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'v2', 4)]));
      });

      test('a second and third update with the correct version succeed (§16.14)', async () => {
        await store.createDocument('d', EMPTY);
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'a', 1)), 'ok');
        assert.equal(await store.setDocumentKey('d', 1, key('k', 'b', 2)), 'ok');
        assert.equal(await store.setDocumentKey('d', 2, key('k', 'c', 3)), 'ok');
        // The first version no longer matches.
        assert.equal(await store.setDocumentKey('d', 1, key('k', 'z', 9)), 'conflict');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'c', 3)]));
      });

      test('an update replaces the key: one entry per name, never appended', async () => {
        await store.createDocument('d', EMPTY);
        await store.setDocumentKey('d', 0, key('k', 'a long first value', 1));
        await store.setDocumentKey('d', 0, key('p', '1', 1));
        await store.setDocumentKey('d', 1, key('k', 's', 2));
        await store.setDocumentKey('d', 2, key('k', '', 3));
        const keys = await store.getDocumentKeys('d');
        assert.equal(keys.length, 2);
        assert.deepEqual(keysView(keys), keysView([key('k', '', 3), key('p', '1', 1)]));
      });

      test('versions are opaque u32s: newVersion need not grow (§8.2 rule 4, §8.3)', async () => {
        await store.createDocument('d', EMPTY);
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'a', 0xffffffff)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0xffffffff, key('k', 'b', 5)), 'ok');
        assert.equal(await store.setDocumentKey('d', 5, key('k', 'c', 5)), 'ok');
        assert.equal(await store.setDocumentKey('d', 5, key('k', 'd', 0)), 'ok');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'd', 0)]));
        // Stored version 0 and a missing key look alike to compare-and-set.
        assert.equal(await store.setDocumentKey('d', 0, key('k', 'e', 1)), 'ok');
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'e', 1)]));
      });

      test('names and values are raw bytes, including non-UTF-8 and NUL', async () => {
        await store.createDocument('d', EMPTY);
        // 0xff and 0xfe both decode to U+FFFD as UTF-8; they must stay two keys.
        const n1 = Buffer.from([0xff, 0x00, 0x61]);
        const n2 = Buffer.from([0xfe, 0x00, 0x61]);
        const n3 = Buffer.from([0xc3, 0xa9]); // "é"
        const n4 = Buffer.from([0xc3]); // a truncated sequence
        const v1 = Buffer.from([0x80, 0x00, 0xc3, 0x28, 0xff]);
        const v2 = Buffer.from([0x00]);
        assert.equal(await store.setDocumentKey('d', 0, key(n1, v1, 1)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0, key(n2, v2, 1)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0, key(n3, v1, 2)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0, key(n4, EMPTY, 3)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0, key(EMPTY, v2, 4)), 'ok');
        assert.deepEqual(
          keysView(await store.getDocumentKeys('d')),
          keysView([
            key(n1, v1, 1),
            key(n2, v2, 1),
            key(n3, v1, 2),
            key(n4, EMPTY, 3),
            key(EMPTY, v2, 4),
          ]),
        );
        // Compare-and-set finds each by its exact bytes.
        assert.equal(await store.setDocumentKey('d', 1, key(n2, v1, 2)), 'ok');
        assert.equal(await store.setDocumentKey('d', 0, key(n1, v2, 9)), 'conflict');
        assert.deepEqual(
          keysView((await store.getDocumentKeys('d')).filter((k) => hexOf(k.name) === hexOf(n2))),
          keysView([key(n2, v1, 2)]),
        );
      });

      test('key names are case-sensitive and keys belong to one document', async () => {
        await store.createDocument('a', EMPTY);
        await store.createDocument('b', EMPTY);
        assert.equal(await store.setDocumentKey('a', 0, key('k', 'lower', 1)), 'ok');
        assert.equal(await store.setDocumentKey('a', 0, key('K', 'upper', 1)), 'ok');
        assert.deepEqual(await store.getDocumentKeys('b'), []);
        assert.equal(await store.setDocumentKey('b', 0, key('k', 'in b', 7)), 'ok');
        assert.deepEqual(
          keysView(await store.getDocumentKeys('a')),
          keysView([key('k', 'lower', 1), key('K', 'upper', 1)]),
        );
        assert.deepEqual(
          keysView(await store.getDocumentKeys('b')),
          keysView([key('k', 'in b', 7)]),
        );
      });

      test('getDocumentKeys of a missing document is empty', async () => {
        assert.deepEqual(await store.getDocumentKeys('nothing'), []);
      });

      test('returned keys are copies: mutating them does not change the store', async () => {
        await store.createDocument('d', EMPTY);
        const name = b('k');
        const value = b('v');
        await store.setDocumentKey('d', 0, { name, value, version: 1 });
        name[0] = 0x78;
        value[0] = 0x78;
        const [got] = await store.getDocumentKeys('d');
        got!.name[0] = 0x79;
        got!.value[0] = 0x79;
        got!.version = 99;
        assert.deepEqual(keysView(await store.getDocumentKeys('d')), keysView([key('k', 'v', 1)]));
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
        assert.equal(await store.addToken(token(), EMPTY), 'ok');
        assert.deepEqual({ ...(await store.getToken('t1', 1_000)) }, token());
        assert.equal(await store.getToken('t2', 1_000), null);
      });

      test('addToken with empty contents does not create the document', async () => {
        assert.equal(await store.addToken(token(), EMPTY), 'ok');
        assert.equal(await store.documentLength('doc'), null);
      });

      test('addToken with contents creates a missing document', async () => {
        assert.equal(await store.addToken(token(), b('from token')), 'ok');
        assert.equal(await contents('doc'), hexOf(b('from token')));
        assert.deepEqual({ ...(await store.getToken('t1', 0)) }, token());
      });

      test('an existing token is "token-exists" and nothing changes', async () => {
        assert.equal(await store.addToken(token(), EMPTY), 'ok');
        assert.equal(
          await store.addToken(token({ documentId: 'other', permissions: 'r' }), b('data')),
          'token-exists',
        );
        assert.deepEqual({ ...(await store.getToken('t1', 0)) }, token());
        assert.equal(
          await store.documentLength('other'),
          null,
          'a rejected addToken creates nothing',
        );
      });

      test('contents for an existing document is "document-exists": no token, document unchanged', async () => {
        await store.createDocument('doc', b('original'));
        assert.equal(await store.addToken(token(), b('replacement')), 'document-exists');
        assert.equal(await store.getToken('t1', 0), null);
        assert.equal(await contents('doc'), hexOf(b('original')));
      });

      test('empty contents never wipe an existing document or its keys (§13.2)', async () => {
        await store.createDocument('doc', b('precious'));
        await store.appendIfLength('doc', 8, b(' work'));
        await store.setDocumentKey('doc', 0, key('k', 'v', 1));
        assert.equal(await store.addToken(token(), EMPTY), 'ok');
        assert.equal(await contents('doc'), hexOf(b('precious work')));
        assert.deepEqual(
          keysView(await store.getDocumentKeys('doc')),
          keysView([key('k', 'v', 1)]),
        );
        assert.deepEqual({ ...(await store.getToken('t1', 0)) }, token());
      });

      test('getToken is null at exactly expiresAt and after', async () => {
        const expiresAt = 1_700_000_000_000;
        await store.addToken(token({ expiresAt }), EMPTY);
        assert.deepEqual({ ...(await store.getToken('t1', expiresAt - 1)) }, token({ expiresAt }));
        assert.equal(await store.getToken('t1', expiresAt), null);
        assert.equal(await store.getToken('t1', expiresAt + 1), null);
        assert.equal(await store.getToken('t1', expiresAt + 86_400_000), null);
      });

      test('updateUser rewrites the permissions of every token of the user and returns the count (§16.15)', async () => {
        await store.addToken(token({ token: 'a', userId: 'u1', permissions: 'r' }), EMPTY);
        await store.addToken(
          token({ token: 'b', userId: 'u1', permissions: 'rw', documentId: 'x' }),
          EMPTY,
        );
        await store.addToken(token({ token: 'c', userId: 'u2', permissions: 'r' }), EMPTY);
        assert.equal(await store.updateUser('u1', 'rwa'), 2);
        assert.equal((await store.getToken('a', 0))?.permissions, 'rwa');
        assert.equal((await store.getToken('b', 0))?.permissions, 'rwa');
        assert.equal((await store.getToken('b', 0))?.documentId, 'x');
        assert.equal((await store.getToken('c', 0))?.permissions, 'r');
        // Empty permissions revoke everything.
        assert.equal(await store.updateUser('u2', ''), 1);
        assert.equal((await store.getToken('c', 0))?.permissions, '');
        assert.equal(await store.updateUser('nobody', 'rw'), 0);
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
        await store.addToken(tok('old', clock - 1), EMPTY);
        assert.equal(await store.getToken('old', clock), null);
        assert.equal((await store.findToken('old'))?.expiresAt, clock - 1);
        assert.equal(await store.findToken('none'), null);
      });

      test('touchDocument gives the length, or null for a missing document', async () => {
        await store.createDocument('d', b('abc'));
        assert.equal(await store.touchDocument('d'), 3);
        assert.equal(await store.touchDocument('missing'), null);
      });

      test('purgeExpired deletes documents and their keys not accessed since the cutoff', async () => {
        await store.createDocument('stale', b('s'));
        await store.setDocumentKey('stale', 0, key('k', 'v', 1));
        await store.createDocument('fresh', b('f'));
        clock += 1000;
        await store.appendIfLength('fresh', 1, b('!'));
        const result = await store.purgeExpired(clock - 500, clock, keepNone);
        assert.equal(result.documents, 1);
        assert.equal(await store.documentLength('stale'), null);
        assert.deepEqual(await store.getDocumentKeys('stale'), []);
        assert.equal(await store.documentLength('fresh'), 2);
      });

      test('every kind of access counts: load, append, touch', async () => {
        for (const id of ['load', 'append', 'touch', 'idle'])
          await store.createDocument(id, b('x'));
        clock += 1000;
        await store.loadDocument('load', 'never-create', EMPTY, 0);
        await store.appendIfLength('append', 1, b('y'));
        await store.touchDocument('touch');
        await store.purgeExpired(clock - 500, clock, keepNone);
        assert.equal(await store.documentLength('idle'), null);
        for (const id of ['load', 'append', 'touch']) {
          assert.notEqual(await store.documentLength(id), null, id);
        }
      });

      test('keep() protects a document however old', async () => {
        await store.createDocument('live', b('x'));
        clock += 10_000;
        const result = await store.purgeExpired(clock, clock, (id) => id === 'live');
        assert.equal(result.documents, 0);
        assert.equal(await store.documentLength('live'), 1);
      });

      test('tokens unused since the cutoff, or expired, are purged; used ones stay', async () => {
        await store.addToken(tok('unused', clock + 1e9), EMPTY);
        await store.addToken(tok('used', clock + 1e9), EMPTY);
        await store.addToken(tok('expired', clock + 500), EMPTY);
        clock += 1000;
        await store.getToken('used', clock);
        await store.findToken('expired');
        const result = await store.purgeExpired(clock - 500, clock, keepNone);
        assert.equal(result.tokens, 2);
        assert.equal(await store.findToken('unused'), null);
        assert.equal(await store.findToken('expired'), null);
        assert.notEqual(await store.findToken('used'), null);
      });
    });

    test('checkHealth resolves', async () => {
      await assert.doesNotReject(store.checkHealth());
    });
  });
}
