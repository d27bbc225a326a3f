// Integration: a real hub on port 0 and real `ws` clients: joining, appends, keys,
// chunks and broadcasts (docs/protocols/zwibbler.md#connection-lifecycle through
// docs/protocols/zwibbler.md#broadcast).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { ZwibblerClient } from '../../test/zwibbler-client';
import { encodeMessage } from './codec';
import type { Message } from './codec';
import { ackNack, append, setKey } from '../../test/messages';

let t: TestHub;
let url: string;
const open: ZwibblerClient[] = [];
let docCounter = 0;
const freshDoc = () => `doc-${++docCounter}-${Date.now()}`;

async function join(...args: Parameters<typeof ZwibblerClient.join>) {
  const c = await ZwibblerClient.join(...args);
  open.push(c);
  return c;
}

const bytes = (m: Message) => encodeMessage(m).toString('hex');

before(async () => {
  t = await startHub();
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await t.stop();
});

describe('joining', () => {
  // docs/protocols/zwibbler.md#the-initial-exchange
  test('a creating client gets an empty append at the end of its own initial data', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc, initialData: 'hello' });
    assert.equal(bytes(a.messages[0]!), bytes(append(3, 5, '')));
    const b = await join(url, { docId: doc });
    assert.equal(bytes(b.messages[0]!), bytes(append(3, 0, 'hello')));
  });

  test('reconnecting with an offset returns only the tail', async () => {
    const doc = freshDoc();
    await join(url, { docId: doc, initialData: 'hello world' });
    const c = await join(url, { docId: doc, offset: 6 });
    assert.equal(bytes(c.messages[0]!), bytes(append(3, 6, 'world')));
    const d = await join(url, { docId: doc, offset: 11 });
    assert.equal(bytes(d.messages[0]!), bytes(append(3, 11, '')));
  });

  test('a V2 client gets its initial load as a 0x02 append', async () => {
    const doc = freshDoc();
    await join(url, { docId: doc, initialData: 'hello' });
    const v2 = await join(url, { docId: doc, version: 2, offset: 2 });
    assert.equal(v2.frames[0]!.toString('hex'), '0200' + '0000000000000002' + '6c6c6f');
  });

  test('creation modes: never-create on a missing document, always-create on an existing one', async () => {
    const doc = freshDoc();
    const never = await join(url, { docId: doc, creationMode: 1 });
    assert.deepEqual(never.messages[0], {
      type: 'error',
      code: 1,
      description: Buffer.from('does not exist'),
    });
    assert.equal((await never.closed).code, 4404);
    await join(url, { docId: doc, initialData: 'x' });
    const always = await join(url, { docId: doc, creationMode: 2 });
    assert.equal(
      bytes(always.messages[0]!),
      '80000002' + Buffer.from('already exists').toString('hex'),
    );
    assert.equal((await always.closed).code, 4409);
  });

  test('an offset past the end gets ERROR 3 and a close', async () => {
    const doc = freshDoc();
    await join(url, { docId: doc, initialData: 'abc' });
    const c = await join(url, { docId: doc, offset: 4 });
    assert.equal(bytes(c.messages[0]!), '80000003' + Buffer.from('invalid offset').toString('hex'));
    assert.equal((await c.closed).code, 4416);
  });
});

describe('appends', () => {
  test('two writers race on one document: exactly one ack, and one nack with the current length', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc, initialData: 'hello' });
    const b = await join(url, { docId: doc });
    a.append(5, 'abc');
    b.append(5, 'zz');
    const replies = [await a.next(), await b.next()];
    // Whichever lost also receives the winner's append; find each client's ack.
    const ackOf = async (c: ZwibblerClient, first: Message) => {
      let m = first;
      while (m.type !== 'ack-nack') m = await c.next();
      return m;
    };
    const acks = [await ackOf(a, replies[0]!), await ackOf(b, replies[1]!)];
    const statuses = acks.map((m) => (m.type === 'ack-nack' ? m.status : -1)).sort();
    assert.deepEqual(statuses, [0, 1]);
    const nack = acks.find((m) => m.type === 'ack-nack' && m.status === 0)!;
    const won = acks.find((m) => m.type === 'ack-nack' && m.status === 1)!;
    assert.equal(nack.type === 'ack-nack' && nack.length, won.type === 'ack-nack' && won.length);
  });

  // docs/protocols/zwibbler.md#worked-example-appends
  test('the worked append exchange: fan-out to V3 and V2 readers, sender not echoed', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc, initialData: 'hello' });
    const b = await join(url, { docId: doc });
    const c = await join(url, { docId: doc, version: 2 });
    a.append(5, 'abc');
    assert.equal(bytes(await a.next()), bytes(ackNack(1, 8)));
    assert.equal(bytes(await b.next()), bytes(append(3, 5, 'abc')));
    await c.next();
    assert.equal(c.frames.at(-1)!.toString('hex'), '02000000000000000005' + '616263');
    b.append(5, 'zz');
    assert.equal(bytes(await b.next()), bytes(ackNack(0, 8)));
    c.append(8, 'Q', 2);
    assert.equal(bytes(await c.next()), bytes(ackNack(1, 9)));
    assert.equal(bytes(await a.next()), bytes(append(3, 8, 'Q')));
    assert.equal(bytes(await b.next()), bytes(append(3, 8, 'Q')));
    assert.ok(await a.quiet(), 'the sender never receives its own append');
  });

  test('an empty append with write permission is acked and fanned out', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc, initialData: 'hi' });
    const b = await join(url, { docId: doc });
    a.append(2, '');
    assert.equal(bytes(await a.next()), bytes(ackNack(1, 2)));
    assert.equal(bytes(await b.next()), bytes(append(3, 2, '')));
  });
});

describe('keys', () => {
  // docs/protocols/zwibbler.md#worked-example-keys
  test('the worked key exchange, and session keys cleared with version+1 when their owner leaves', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc });
    const b = await join(url, { docId: doc });
    const c = await join(url, { docId: doc });
    a.send(setKey(7, 0, 0, 1, 'k', 'v'));
    assert.equal(bytes(await a.next()), '830000010007');
    const kv1 = '82000000000100000001' + '6b' + '00000001' + '76';
    assert.equal(bytes(await b.next()), kv1);
    assert.equal(bytes(await c.next()), kv1);
    // Same version: accepted, but the setter gets no reply
    // (docs/protocols/zwibbler.md#compare-and-set).
    a.send(setKey(8, 0, 1, 1, 'k', 'w'));
    const kw1 = '82000000000100000001' + '6b' + '00000001' + '77';
    assert.equal(bytes(await b.next()), kw1);
    assert.equal(bytes(await c.next()), kw1);
    assert.ok(await a.quiet());
    b.send(setKey(9, 0, 0, 2, 'k', 'x'));
    assert.equal(bytes(await b.next()), '830000000009');
    b.send(setKey(10, 1, 0, 1, 'p', '1'));
    assert.equal(bytes(await b.next()), '83000001000a');
    const p1 = '82000000000100000001' + '70' + '00000001' + '31';
    assert.equal(bytes(await a.next()), p1);
    assert.equal(bytes(await c.next()), p1);
    b.send(setKey(11, 0, 0, 1, 'admin:x', '1'));
    assert.equal(bytes(await b.next()), '83000000000b');

    // A newcomer gets client keys, then document keys, in one message
    // (docs/protocols/zwibbler.md#keys-on-connect).
    const d = await join(url, { docId: doc });
    assert.equal(
      bytes(await d.next()),
      '82' + '00' + '00000001000000016b0000000177' + '00000001000000017000000001' + '31',
    );
    await a.close();
    const cleared = '82000000000200000001' + '6b' + '00000000';
    for (const x of [b, c, d]) assert.equal(bytes(await x.next()), cleared);

    // The document key survives everyone leaving; the client key does not.
    await Promise.all([b.close(), c.close(), d.close()]);
    const e = await join(url, { docId: doc });
    assert.equal(bytes(await e.next()), p1);
    assert.ok(await e.quiet());
  });
});

describe('continuation chunks', () => {
  test('continuation in both directions with a small client maximum size', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc, maxMessageSize: 64 });
    const b = await join(url, { docId: doc, maxMessageSize: 64 });
    const data = Buffer.from('0123456789'.repeat(30));
    // Client to hub: a 314-byte append sent as 40-byte chunks.
    a.send({ type: 'append', layout: 3, generation: 0, offset: 0, data }, 40);
    assert.equal(bytes(await a.next()), bytes(ackNack(1, 300)));
    // Hub to client: the fan-out arrives in chunks of at most 64 bytes.
    const before = b.frames.length;
    assert.equal(
      bytes(await b.next()),
      bytes({ type: 'append', layout: 3, generation: 0, offset: 0, data }),
    );
    const chunks = b.frames.slice(before);
    assert.equal(chunks.length, 1 + Math.ceil((314 - 64) / 62));
    assert.equal(chunks[0]![1], 1);
    for (const [i, f] of chunks.entries()) {
      assert.ok(f.length <= 64);
      if (i > 0) assert.equal(f[0], 0xff);
      assert.equal(f[1], i < chunks.length - 1 ? 1 : 0);
    }
    // Key information is chunked the same way.
    const value = Buffer.alloc(200, 0x61);
    a.send(
      {
        type: 'set-key',
        requestId: 1,
        lifetime: 0,
        oldVersion: 0,
        newVersion: 1,
        name: Buffer.from('big'),
        value,
      },
      50,
    );
    assert.equal(bytes(await a.next()), '830000010001');
    const k = await b.next();
    assert.deepEqual(k, {
      type: 'key-information',
      keys: [{ version: 1, name: Buffer.from('big'), value }],
    });
    assert.ok(b.frames.slice(-4).every((f) => f.length <= 64));
  });
});

describe('broadcast', () => {
  // docs/protocols/zwibbler.md#broadcast, docs/protocols/zwibbler.md#broadcast-0x04
  test('is relayed to every other client with the true length', async () => {
    const doc = freshDoc();
    const a = await join(url, { docId: doc });
    const b = await join(url, { docId: doc });
    const c = await join(url, { docId: doc, version: 2 });
    // The declared length (99) is wrong on purpose: the true length is relayed.
    a.sendRaw(Buffer.from('0400000000636869', 'hex'));
    assert.equal(bytes(await b.next()), '040000000002' + '6869');
    assert.equal(bytes(await c.next()), '040000000002' + '6869');
    assert.ok(await a.quiet(), 'the sender does not get its own broadcast');
  });
});
