// Splitting an update must lose nothing: the pieces plus the delete set
// rebuild exactly the document the whole update builds, for documents made by
// several clients with every kind of content, and each piece stays small.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import { prng } from '../../test/random';
import { splitUpdateStructs } from './split-update';

/** A document edited by `authors` clients in turn: text, maps, arrays, nesting, binary, deletes. */
function randomDocument(seed: number, authors: number, edits: number): Y.Doc {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const docs = Array.from({ length: authors }, () => new Y.Doc());
  for (let i = 0; i < edits; i++) {
    const doc = docs[pick(authors)]!;
    const text = doc.getText('text');
    const list = doc.getArray<unknown>('list');
    const map = doc.getMap<unknown>('map');
    switch (pick(7)) {
      case 0:
        text.insert(pick(text.length + 1), `w${i} `, pick(2) ? { bold: true } : undefined);
        break;
      case 1:
        if (text.length > 2) text.delete(pick(text.length - 1), 1 + pick(2));
        break;
      case 2:
        list.insert(pick(list.length + 1), [i, `s${i}`, { n: i }]);
        break;
      case 3:
        if (list.length > 0) list.delete(pick(list.length), 1);
        break;
      case 4:
        map.set(`k${pick(5)}`, pick(2) ? i : new Uint8Array(1 + pick(300)).fill(i % 256));
        break;
      case 5: {
        const nested = new Y.Map<unknown>();
        nested.set('stroke', [i, i + 1]);
        list.push([nested]);
        break;
      }
      default: {
        const target = docs[pick(authors)]!;
        Y.applyUpdate(target, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target)));
      }
    }
  }
  // Everyone's edits in one document, as a room on the hub holds them.
  const room = new Y.Doc();
  for (const d of docs) Y.applyUpdate(room, Y.encodeStateAsUpdate(d));
  for (const d of docs) d.destroy();
  return room;
}

function rebuild(pieces: Uint8Array[], deletes: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  for (const p of pieces) Y.applyUpdate(doc, p);
  Y.applyUpdate(doc, deletes);
  return doc;
}

// Text is compared as plain text: Yjs may tidy formatting marks itself when a
// change arrives from elsewhere (cleanupYTextAfterTransaction), differently for
// different arrival orders, as it does for updates from several peers.
const snapshot = (doc: Y.Doc) => ({
  text: doc.getText('text').toString(),
  list: doc.getArray('list').toJSON(),
  map: doc.getMap('map').toJSON(),
});

test('pieces and the delete set rebuild the same document, from any state vector', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 64, max: 2048 }),
      (seed, authors, maxBytes) => {
        const room = randomDocument(seed, authors, 120);
        const whole = Y.encodeStateAsUpdate(room);
        const pieces = splitUpdateStructs(whole, maxBytes);
        const deletes = Y.encodeStateAsUpdate(room, Y.encodeStateVector(room));
        const copy = rebuild(pieces, deletes);
        assert.deepEqual(snapshot(copy), snapshot(room));
        assert.deepEqual(Y.encodeStateVector(copy), Y.encodeStateVector(room));
        assert.equal(copy.store.pendingStructs, null, 'no piece may depend on a later one');
        copy.destroy();
        room.destroy();
      },
    ),
    { numRuns: 40 },
  );
});

test('a client that already has part of the room gets the rest in pieces', () => {
  const room = randomDocument(7, 3, 200);
  const client = new Y.Doc();
  // The client holds the first pieces only, as after an interrupted sync.
  const early = splitUpdateStructs(Y.encodeStateAsUpdate(room), 256);
  for (const p of early.slice(0, early.length >> 1)) Y.applyUpdate(client, p);
  assert.notDeepEqual(snapshot(client), snapshot(room));
  const missing = Y.encodeStateAsUpdate(room, Y.encodeStateVector(client));
  for (const p of splitUpdateStructs(missing, 256)) Y.applyUpdate(client, p);
  Y.applyUpdate(client, Y.encodeStateAsUpdate(room, Y.encodeStateVector(room)));
  assert.deepEqual(snapshot(client), snapshot(room));
  client.destroy();
  room.destroy();
});

test('pieces stay near the size asked for, except a single struct larger than it', () => {
  const doc = new Y.Doc();
  const list = doc.getArray<Uint8Array>('images');
  for (let i = 0; i < 20; i++) list.push([new Uint8Array(10_000).fill(i)]);
  doc.getText('text').insert(0, 'x'.repeat(50_000)); // one struct of 50 kB
  const pieces = splitUpdateStructs(Y.encodeStateAsUpdate(doc), 25_000);
  const big = pieces.filter((p) => p.length > 25_000 + 64);
  assert.equal(big.length, 1, 'only the 50 kB text struct exceeds the piece size');
  assert.ok(pieces.length >= 9, `${pieces.length} pieces`);
  doc.destroy();
});
