// The DocumentStore contract, part 1: documents (load, append, create, delete).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prng } from '../random';
import { b, contents, key, keysView, EMPTY, hexOf, ok, randomBytes, view } from './helpers';
import type { ContractFixture } from './helpers';

export function documentsContract(f: ContractFixture): void {
  // The store of the test that is running.
  const storeOf = f.store;
  describe('loadDocument', () => {
    test('possibly-create creates a missing document: created, its length, an empty tail', async () => {
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'possibly-create', b('hello'), 0)),
        ok(5, '', true),
      );
      assert.equal(await storeOf().documentLength('d'), 5);
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello')));
    });

    test('possibly-create opens an existing document unchanged and ignores initialData', async () => {
      assert.equal(await storeOf().createDocument('d', b('hello')), true);
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'possibly-create', b('other data'), 0)),
        ok(5, 'hello'),
      );
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello')));
    });

    test('never-create on a missing document is "missing" and creates nothing', async () => {
      assert.deepEqual(await storeOf().loadDocument('d', 'never-create', b('hello'), 0), {
        status: 'missing',
      });
      assert.equal(await storeOf().documentLength('d'), null);
    });

    test('never-create opens an existing document', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'never-create', EMPTY, 0)),
        ok(5, 'hello'),
      );
    });

    test('always-create creates a missing document', async () => {
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'always-create', b('abc'), 0)),
        ok(3, '', true),
      );
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('abc')));
    });

    test('always-create on an existing document is "exists" and leaves it unchanged', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().loadDocument('d', 'always-create', b('zzz'), 0), {
        status: 'exists',
      });
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello')));
    });

    test('creating with empty initial data makes an empty document', async () => {
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'possibly-create', EMPTY, 0)),
        ok(0, '', true),
      );
      assert.equal(await storeOf().documentLength('d'), 0);
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'never-create', EMPTY, 0)),
        ok(0, ''),
      );
    });

    // A creator never gets its own data back (docs/protocols/zwibbler.md#init-processing).
    test('a creating load returns an empty tail whatever the offset', async () => {
      assert.deepEqual(
        view(await storeOf().loadDocument('a', 'possibly-create', b('hello'), 2)),
        ok(5, '', true),
      );
      assert.deepEqual(
        view(await storeOf().loadDocument('b', 'always-create', b('hello'), 9)),
        ok(5, '', true),
      );
    });

    test('the tail starts at the requested offset', async () => {
      await storeOf().createDocument('d', b('hello world'));
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'possibly-create', EMPTY, 6)),
        ok(11, 'world'),
      );
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'never-create', EMPTY, 1)),
        ok(11, 'ello world'),
      );
    });

    test('an offset equal to the length gives an empty tail', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'never-create', EMPTY, 5)),
        ok(5, ''),
      );
      await storeOf().createDocument('e', EMPTY);
      assert.deepEqual(
        view(await storeOf().loadDocument('e', 'never-create', EMPTY, 0)),
        ok(0, ''),
      );
    });

    test('an offset past the end is "invalid-offset" with the current length', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().loadDocument('d', 'never-create', EMPTY, 6), {
        status: 'invalid-offset',
        length: 5,
      });
      assert.deepEqual(await storeOf().loadDocument('d', 'possibly-create', b('x'), 100), {
        status: 'invalid-offset',
        length: 5,
      });
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello')));
    });

    test('the tail after appends spans every append', async () => {
      await storeOf().createDocument('d', b('ab'));
      await storeOf().appendIfLength('d', 2, b('cd'));
      await storeOf().appendIfLength('d', 4, b('ef'));
      for (let offset = 0; offset <= 6; offset++) {
        assert.deepEqual(
          view(await storeOf().loadDocument('d', 'never-create', EMPTY, offset)),
          ok(6, 'abcdef'.slice(offset)),
          `offset ${offset}`,
        );
      }
    });

    test('documentLength is null for a missing document', async () => {
      assert.equal(await storeOf().documentLength('nothing'), null);
    });

    test('document IDs are exact strings (case, Unicode, empty)', async () => {
      await storeOf().createDocument('Doc', b('upper'));
      await storeOf().createDocument('doc', b('lower'));
      await storeOf().createDocument('é', b('accent'));
      await storeOf().createDocument('', b('empty id'));
      assert.equal(await contents(storeOf(), 'Doc'), hexOf(b('upper')));
      assert.equal(await contents(storeOf(), 'doc'), hexOf(b('lower')));
      assert.equal(await contents(storeOf(), 'é'), hexOf(b('accent')));
      assert.equal(await contents(storeOf(), ''), hexOf(b('empty id')));
    });
  });

  describe('appendIfLength', () => {
    test('appends at the current length and returns the new length', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().appendIfLength('d', 5, b(' world')), {
        status: 'ok',
        length: 11,
      });
      assert.equal(await storeOf().documentLength('d'), 11);
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello world')));
    });

    test('a wrong expected length is a conflict with the current length, and writes nothing', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().appendIfLength('d', 4, b('X')), {
        status: 'conflict',
        length: 5,
      });
      assert.deepEqual(await storeOf().appendIfLength('d', 6, b('X')), {
        status: 'conflict',
        length: 5,
      });
      assert.deepEqual(await storeOf().appendIfLength('d', 0, b('X')), {
        status: 'conflict',
        length: 5,
      });
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello')));
    });

    test('a stale append loses to the one that got there first', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().appendIfLength('d', 5, b('abc')), {
        status: 'ok',
        length: 8,
      });
      assert.deepEqual(await storeOf().appendIfLength('d', 5, b('zz')), {
        status: 'conflict',
        length: 8,
      });
      assert.deepEqual(await storeOf().appendIfLength('d', 8, b('Q')), { status: 'ok', length: 9 });
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('helloabcQ')));
    });

    test('appending to a missing document is "missing" and does not create it', async () => {
      assert.deepEqual(await storeOf().appendIfLength('d', 0, b('x')), { status: 'missing' });
      assert.equal(await storeOf().documentLength('d'), null);
    });

    test('empty data succeeds with an unchanged length', async () => {
      await storeOf().createDocument('d', b('hello'));
      assert.deepEqual(await storeOf().appendIfLength('d', 5, EMPTY), { status: 'ok', length: 5 });
      assert.deepEqual(await storeOf().appendIfLength('d', 4, EMPTY), {
        status: 'conflict',
        length: 5,
      });
      assert.deepEqual(await storeOf().appendIfLength('d', 5, b('!')), { status: 'ok', length: 6 });
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('hello!')));
    });

    test('appends to an empty document', async () => {
      await storeOf().createDocument('d', EMPTY);
      assert.deepEqual(await storeOf().appendIfLength('d', 0, EMPTY), { status: 'ok', length: 0 });
      assert.deepEqual(await storeOf().appendIfLength('d', 0, b('first')), {
        status: 'ok',
        length: 5,
      });
      assert.deepEqual(
        view(await storeOf().loadDocument('d', 'never-create', EMPTY, 2)),
        ok(5, 'rst'),
      );
    });

    test('bytes are stored exactly (all 256 values)', async () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await storeOf().createDocument('d', all.subarray(0, 100));
      await storeOf().appendIfLength('d', 100, all.subarray(100));
      assert.equal(await contents(storeOf(), 'd'), hexOf(all));
    });

    test('appends to one document do not touch another', async () => {
      await storeOf().createDocument('a', b('A'));
      await storeOf().createDocument('b', b('B'));
      await storeOf().appendIfLength('a', 1, b('aa'));
      assert.equal(await contents(storeOf(), 'a'), hexOf(b('Aaa')));
      assert.equal(await contents(storeOf(), 'b'), hexOf(b('B')));
    });

    test('many sequential appends read back exactly, from 0 and from any offset', async () => {
      const random = prng(0x5eed);
      const parts: Buffer[] = [b('init')];
      await storeOf().createDocument('d', parts[0]!);
      let length = 4;
      for (let i = 0; i < 1000; i++) {
        const size = random() < 0.05 ? 0 : 1 + Math.floor(random() * (random() < 0.1 ? 3000 : 60));
        const data = randomBytes(random, size);
        assert.deepEqual(await storeOf().appendIfLength('d', length, data), {
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
      assert.equal(await storeOf().documentLength('d'), whole.length);
      assert.equal(await contents(storeOf(), 'd'), hexOf(whole));
      const offsets = [0, 1, 3, 4, 5, whole.length - 1, whole.length];
      for (let i = 0; i < 60; i++) offsets.push(Math.floor(random() * whole.length));
      for (const offset of offsets) {
        assert.deepEqual(
          view(await storeOf().loadDocument('d', 'never-create', EMPTY, offset)),
          ok(whole.length, whole.subarray(offset)),
          `offset ${offset}`,
        );
      }
    });
  });

  describe('createDocument and deleteDocument', () => {
    test('createDocument creates with the contents, and is false when the document exists', async () => {
      assert.equal(await storeOf().createDocument('d', b('first')), true);
      assert.equal(await storeOf().createDocument('d', b('second')), false);
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('first')));
      assert.equal(await storeOf().createDocument('empty', EMPTY), true);
      assert.equal(await storeOf().documentLength('empty'), 0);
      assert.equal(await storeOf().createDocument('empty', b('x')), false);
      assert.equal(await storeOf().documentLength('empty'), 0);
    });

    test('deleteDocument removes the document and its keys, and is false when there is none', async () => {
      await storeOf().createDocument('d', b('hello'));
      await storeOf().appendIfLength('d', 5, b(' world'));
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'v', 1)), 'ok');
      await storeOf().createDocument('other', b('stay'));
      assert.equal(await storeOf().setDocumentKey('other', 0, key('k', 'kept', 1)), 'ok');

      assert.equal(await storeOf().deleteDocument('d'), true);
      assert.equal(await storeOf().documentLength('d'), null);
      assert.deepEqual(await storeOf().loadDocument('d', 'never-create', EMPTY, 0), {
        status: 'missing',
      });
      assert.deepEqual(await storeOf().getDocumentKeys('d'), []);
      assert.deepEqual(await storeOf().appendIfLength('d', 11, b('x')), { status: 'missing' });
      assert.equal(await storeOf().setDocumentKey('d', 1, key('k', 'v2', 2)), 'missing');
      assert.equal(await storeOf().deleteDocument('d'), false);
      assert.equal(await storeOf().deleteDocument('never-existed'), false);

      // The same ID starts afresh: no old bytes, no old keys.
      assert.equal(await storeOf().createDocument('d', b('new')), true);
      assert.equal(await contents(storeOf(), 'd'), hexOf(b('new')));
      assert.deepEqual(await storeOf().getDocumentKeys('d'), []);
      assert.equal(await storeOf().setDocumentKey('d', 0, key('k', 'fresh', 1)), 'ok');

      assert.equal(await contents(storeOf(), 'other'), hexOf(b('stay')));
      assert.deepEqual(
        keysView(await storeOf().getDocumentKeys('other')),
        keysView([key('k', 'kept', 1)]),
      );
    });
  });
}
