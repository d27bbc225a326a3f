// The cheap reading of an update's cost (update-size.ts) agrees with Yjs'
// own decoder, and the pieces it cuts, applied in order, make the same doc
// as the whole update.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { MalformedUpdateError, splitByCost, updateSize } from './update-size';

/** A doc with every kind of content Yjs encodes, from two clients, with deletions. */
function everything(): Uint8Array {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const text = a.getText('t');
  text.insert(0, 'héllo wörld 👩‍🏫 ');
  text.format(0, 3, { bold: true });
  text.insertEmbed(2, { image: 'x.png' });
  const map = a.getMap('m');
  for (let i = 0; i < 300; i++) map.set(`k${i}`, { n: i, s: `v${i}`, list: [1, 2.5, null, true] });
  map.set('bytes', new Uint8Array([1, 2, 3]));
  map.set('big', (2n ** 40n) as unknown as number);
  map.set('nested', new Y.Map());
  const xml = a.getXmlFragment('x');
  const el = new Y.XmlElement('p');
  xml.insert(0, [el, new Y.XmlText('plain')]);
  el.setAttribute('class', 'c');
  a.getArray('sub').push([new Y.Doc()]);
  const list = a.getArray<number>('l');
  for (let i = 0; i < 200; i++) list.push([i, i + 0.5]);
  list.delete(10, 50);
  text.delete(1, 3);
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  b.getArray<string>('l2').insert(0, ['from b', 'ünïcode 🎨']);
  b.getMap('m').delete('k7');
  // ContentJSON as older clients wrote it
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
  return Y.encodeStateAsUpdate(a);
}

const stateOf = (update: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return Y.encodeStateAsUpdate(doc);
};

test('updateSize counts what Yjs decodes', () => {
  const update = everything();
  const decoded = Y.decodeUpdate(update);
  const size = updateSize(update);
  assert.equal(size.structs, decoded.structs.length);
  const ranges = [...decoded.ds.clients.values()].reduce((n, r) => n + r.length, 0);
  assert.equal(size.deletes, ranges);
  assert.ok(size.values > 1000);
});

test('the pieces, applied in order, make the same doc as the whole update', () => {
  const update = everything();
  for (const maxCost of [2, 7, 50, 1000]) {
    const pieces = splitByCost(update, maxCost, 1000)!;
    assert.ok(pieces.length > 1);
    const doc = new Y.Doc();
    for (const piece of pieces) {
      const size = updateSize(piece.update);
      assert.ok(size.structs + size.deletes <= maxCost, `piece of ${JSON.stringify(size)}`);
      assert.equal(piece.structs, size.structs);
      Y.applyUpdate(doc, piece.update);
    }
    assert.deepEqual(Y.encodeStateAsUpdate(doc), stateOf(update), `maxCost ${maxCost}`);
    assert.equal(doc.store.pendingStructs, null);
  }
});

test('updateSize counts the structs past what a doc holds, as Yjs would add them', () => {
  const update = everything();
  const empty = new Y.Doc();
  const held = (doc: Y.Doc) => (client: number) => Y.getState(doc.store, client);
  assert.equal(updateSize(update, held(empty)).fresh, updateSize(update).structs);
  const full = new Y.Doc();
  Y.applyUpdate(full, update);
  assert.equal(updateSize(update, held(full)).fresh, 0);
  // A doc holding the first half of the pieces: the rest are fresh.
  const pieces = splitByCost(update, 50, 1000)!;
  const half = new Y.Doc();
  const first = pieces.slice(0, Math.floor(pieces.length / 2));
  for (const piece of first) Y.applyUpdate(half, piece.update);
  const rest = updateSize(update).structs - first.reduce((n, p) => n + p.structs, 0);
  assert.equal(updateSize(update, held(half)).fresh, rest);
});

test('a single struct costlier than the budget cannot be cut', () => {
  const doc = new Y.Doc();
  doc.getArray('points').push(Array.from({ length: 5000 }, (_, i) => i));
  assert.equal(splitByCost(Y.encodeStateAsUpdate(doc), 100, 32), undefined);
});

test('bytes Yjs cannot read are malformed here too', () => {
  const update = everything();
  for (const bad of [update.subarray(0, update.length - 1), new Uint8Array([1, 200, 1, 1, 0])]) {
    assert.throws(() => Y.applyUpdate(new Y.Doc(), bad));
    assert.throws(() => updateSize(bad), MalformedUpdateError);
  }
  // A count that claims more structs than there are bytes for.
  assert.throws(() => updateSize(new Uint8Array([1, 0xff, 0xff, 0x7f, 1, 0])), /bad count/);
});
