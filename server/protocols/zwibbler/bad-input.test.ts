// How the hub answers bad input, row by row
// (docs/protocols/zwibbler.md#edge-cases-and-bad-input).
// Where the reference panics, leaks or loops, the test asserts our fix and says so.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hex, startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { initMessage, ZwibblerClient } from '../../test/zwibbler-client';
import { encodeMessage } from './codec';

let t: TestHub;
let url: string;
const clients: ZwibblerClient[] = [];
let n = 0;
const freshDoc = () => `bad-${++n}`;

async function open(): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.open(url);
  clients.push(c);
  return c;
}

async function join(docId: string, extra: Parameters<typeof initMessage>[0] | object = {}) {
  const c = await ZwibblerClient.join(url, { docId, ...extra });
  clients.push(c);
  return c;
}

/** Joins, then checks the connection still works by round-tripping an append. */
async function assertStillServing(c: ZwibblerClient, offset: number): Promise<void> {
  c.append(offset, '!');
  const reply = await c.next();
  assert.equal(reply.type, 'ack-nack');
}

before(async () => {
  t = await startHub({ InitTimeoutSeconds: 1, MaxMessageBytes: 64 * 1024 });
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

describe('before INIT', () => {
  test('no message within the INIT timeout: closed with 4408 and nothing sent', async () => {
    const c = await open();
    const closed = await c.closed;
    assert.equal(closed.code, 4408);
    assert.equal(c.frames.length, 0);
  });

  // The reference panics and leaves the socket open forever
  // (docs/protocols/zwibbler.md#a-too-short-or-0x84-first-message-is-closed).
  for (const len of [0, 1]) {
    test(`a ${len}-byte first message closes with 1002 (reference: socket leaked)`, async () => {
      const c = await open();
      c.sendRaw(Buffer.alloc(len, 1));
      const closed = await c.closed;
      assert.equal(closed.code, 1002);
      assert.match(closed.reason, /shorter than 2 bytes/);
    });
  }

  test('a first message of type 0x84 closes with 1002 (reference: left open, unread)', async () => {
    const c = await open();
    c.sendRaw(hex('84 00 00 00'));
    const closed = await c.closed;
    assert.equal(closed.code, 1002);
    assert.match(closed.reason, /expected INIT/);
  });

  test('a first message of another type (APPEND) closes with 1002 and no message', async () => {
    const c = await open();
    c.sendRaw(hex('05 00 00000000 0000000000000000 41'));
    assert.equal((await c.closed).code, 1002);
    assert.equal(c.frames.length, 0);
  });

  test('an INIT too short for its fields closes with 1002', async () => {
    const c = await open();
    c.sendRaw(hex('01 00 00 03 00 00 00 00 00 00'));
    const closed = await c.closed;
    assert.equal(closed.code, 1002);
    assert.match(closed.reason, /too short/);
  });

  for (const version of [1, 4]) {
    test(`INIT with protocol version ${version} closes with 1002`, async () => {
      const c = await open();
      c.send({ ...initMessage({ docId: freshDoc() }), version });
      const closed = await c.closed;
      assert.equal(closed.code, 1002);
      assert.match(closed.reason, new RegExp(`version ${version}`));
      assert.equal(c.frames.length, 0);
    });
  }

  test('an INIT split over continuation chunks is reassembled and accepted', async () => {
    const c = await open();
    c.send(initMessage({ docId: 'chunked-init-document', initialData: 'abc' }), 10);
    const first = await c.next();
    assert.deepEqual(first, {
      type: 'append',
      layout: 3,
      generation: 0,
      offset: 3,
      data: Buffer.alloc(0),
    });
  });

  test('an INIT in a text WebSocket message is accepted like binary', async () => {
    const c = await open();
    const init = encodeMessage(initMessage({ docId: 'text-init', initialData: 'hey' }));
    c.ws.send(init.toString('latin1'), { binary: false });
    // latin1 → UTF-8 re-encodes bytes ≥ 0x80; this INIT has none, so the bytes are equal.
    const first = await c.next();
    assert.equal(first.type, 'append');
  });

  test('an INIT whose document ID is not UTF-8 gets ERROR 0 and a 4400 close', async () => {
    const c = await open();
    c.send({ ...initMessage({ docId: '' }), docId: hex('ff fe') });
    const m = await c.next();
    assert.equal(m.type, 'error');
    assert.equal(m.type === 'error' && m.code, 0);
    assert.equal((await c.closed).code, 4400);
  });

  test('an offset of 2^64-1 gets ERROR 3 (reference: slicing panic, silent close)', async () => {
    const doc = freshDoc();
    await join(doc, { initialData: 'abc' });
    const c = await open();
    const init = encodeMessage(initMessage({ docId: doc }));
    init.fill(0xff, 13, 21); // the V3 offset field
    c.sendRaw(init);
    const m = await c.next();
    assert.equal(m.type === 'error' && m.code, 3);
    assert.equal((await c.closed).code, 4416);
  });
});

describe('chunk limits the client asks for', () => {
  // The reference's writer panics at 1 and loops forever at 2
  // (docs/protocols/zwibbler.md#a-tiny-maxmessagesize-is-raised-to-64-bytes).
  for (const max of [1, 2, 13]) {
    test(`MaxMessageSize ${max} is raised to 64: bounded, well-formed chunks`, async () => {
      const doc = freshDoc();
      const data = 'x'.repeat(1000);
      await join(doc, { initialData: data });
      const c = await join(doc, { maxMessageSize: max });
      const first = c.messages[0]!;
      assert.equal(first.type === 'append' && Buffer.from(first.data).toString(), data);
      for (const f of c.frames) assert.ok(f.length <= 64, `frame of ${f.length} bytes`);
      // 14 header bytes + 1000 data bytes in 64-byte chunks carrying 62 after the first.
      assert.equal(c.frames.length, 1 + Math.ceil((1014 - 64) / 62));
    });
  }
});

describe('after INIT', () => {
  for (const len of [0, 1]) {
    test(`a ${len}-byte message closes with 1002`, async () => {
      const c = await join(freshDoc());
      c.sendRaw(Buffer.alloc(len, 5));
      assert.equal((await c.closed).code, 1002);
    });
  }

  test('a start chunk followed by a non-continuation message closes with 1002', async () => {
    const c = await join(freshDoc());
    c.sendRaw(hex('05 01 00000000 0000000000000000 41'));
    c.sendRaw(hex('05 00 00000000 0000000000000000 41'));
    const closed = await c.closed;
    assert.equal(closed.code, 1002);
    assert.match(closed.reason, /continuation/);
  });

  test('a lone 0xFF chunk, unknown types and server-only types are ignored', async () => {
    const doc = freshDoc();
    const c = await join(doc, { initialData: 'ab' });
    c.sendRaw(hex('FF 00 01 02'));
    c.sendRaw(hex('07 00 01'));
    for (const type of ['80', '81', '82', '83', '84', '85', '86'])
      c.sendRaw(hex(`${type} 00 00 00`));
    c.sendRaw(encodeMessage(initMessage({ docId: 'another' })));
    await assertStillServing(c, 2);
  });

  const shortMessages: [string, string][] = [
    ['a V3 APPEND shorter than 14 bytes', '05 00 00000000 00000000'],
    ['a V2 APPEND shorter than 10 bytes', '02 00 00000000 0000'],
    ['a SET_KEY whose name runs past the end', '03 00 0001 00 00000000 00000001 00000009 6B'],
    ['a SET_KEY with no value length', '03 00 0001 00 00000000 00000001 00000001 6B'],
    ['a BROADCAST shorter than 6 bytes', '04 00 0000'],
  ];
  for (const [what, bytes] of shortMessages) {
    test(`${what} closes with 1002 and a reason`, async () => {
      const c = await join(freshDoc());
      c.sendRaw(hex(bytes));
      const closed = await c.closed;
      assert.equal(closed.code, 1002);
      assert.match(closed.reason, /too short/);
    });
  }

  test('an append at the wrong offset is NACKed and the connection stays', async () => {
    const c = await join(freshDoc(), { initialData: 'abcd' });
    c.append(1, 'x');
    assert.deepEqual(await c.next(), { type: 'ack-nack', status: 0, length: 4 });
    await assertStillServing(c, 4);
  });
});

describe('oversized input', () => {
  test('one WebSocket message over MaxMessageBytes closes with 1009', async () => {
    const c = await join(freshDoc());
    c.append(0, Buffer.alloc(65 * 1024, 1));
    assert.equal((await c.closed).code, 1009);
  });

  test('continuation chunks adding up past MaxMessageBytes close with 1009 (reference: unbounded)', async () => {
    const c = await join(freshDoc());
    c.send(
      {
        type: 'append',
        layout: 3,
        generation: 0,
        offset: 0,
        data: Buffer.alloc(100 * 1024, 2),
      },
      16 * 1024,
    );
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, /limit/);
  });

  test('the hub keeps serving others after closing an offender', async () => {
    const doc = freshDoc();
    const good = await join(doc);
    const bad = await join(doc);
    bad.sendRaw(Buffer.alloc(1));
    await bad.closed;
    await assertStillServing(good, 0);
  });
});

describe('HTTP on the Zwibbler path', () => {
  test('GET answers the status text, ?ping answers OK', async () => {
    const status = await fetch(`${t.httpUrl}/socket`);
    assert.equal(status.status, 200);
    assert.equal(await status.text(), 'Zwibbler collaboration Server is running.');
    const ping = await fetch(`${t.httpUrl}/socket?ping`);
    assert.equal(await ping.text(), 'OK');
  });

  test('POST of an unknown method is 400, a known one is 401 while the API is unconfigured', async () => {
    const unknown = await fetch(`${t.httpUrl}/socket`, {
      method: 'POST',
      body: new URLSearchParams({ method: 'foo' }),
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('status'), "Unknown 'method' parameter");
    const known = await fetch(`${t.httpUrl}/socket?method=checkDocument&documentID=x`, {
      method: 'POST',
    });
    assert.equal(known.status, 401);
    assert.equal(known.headers.get('status'), 'Unauthorized');
  });
});

describe('document size limit', () => {
  let small: TestHub;
  let smallUrl: string;
  before(async () => {
    small = await startHub({ MaxDocumentBytes: 2048 });
    smallUrl = `${small.wsUrl}/socket`;
  });
  after(() => small.stop());

  test('an append at the end that would pass MaxDocumentBytes gets ERROR 0 and a 1009 close; the document is intact', async () => {
    const c = await ZwibblerClient.join(smallUrl, {
      docId: 'capped',
      initialData: 'x'.repeat(2000),
    });
    c.append(2000, 'y'.repeat(100));
    const m = await c.next();
    assert.equal(m.type === 'error' && m.code, 0);
    assert.equal((await c.closed).code, 1009);
    const again = await ZwibblerClient.join(smallUrl, { docId: 'capped' });
    const first = again.messages[0]!;
    assert.equal(first.type === 'append' && first.data.length, 2000);
    await again.close();
  });

  test('a stale append whose far offset passes the limit is only NACKed', async () => {
    const c = await ZwibblerClient.join(smallUrl, { docId: 'stale', initialData: 'abc' });
    c.append(2 ** 60, 'z');
    assert.deepEqual(await c.next(), { type: 'ack-nack', status: 0, length: 3 });
    await c.close();
  });
});
