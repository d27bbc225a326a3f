// Unit: continuation chunks, splitting outgoing messages and reassembling incoming
// ones (docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size),
// with the bad input of docs/protocols/zwibbler.md#edge-cases-and-bad-input and the
// size cap of docs/protocols/zwibbler.md#incoming-messages-have-a-size-limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageTooBigError, Reassembler, splitIntoChunks } from './chunks';
import { ZwibblerCodecError, decodeMessage, encodeAppend, encodeMessage } from './codec';

// Same helper as server/test/hub-fixture.ts, kept local so this pure unit test
// does not load the whole hub.
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (chunks: Uint8Array[]): string[] => chunks.map((c) => Buffer.from(c).toString('hex'));

const DOC40 = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCD');

describe('splitIntoChunks', () => {
  // docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size
  test('the 54-byte V3 append with max 20 is exactly three frames', () => {
    const message = encodeAppend(3, 0, DOC40);
    assert.equal(message.length, 54);
    assert.deepEqual(toHex(splitIntoChunks(message, 20)), [
      hex('05 01 00 00 00 00 00 00 00 00 00 00 00 00 30 31 32 33 34 35').toString('hex'),
      hex('FF 01 36 37 38 39 61 62 63 64 65 66 67 68 69 6A 6B 6C 6D 6E').toString('hex'),
      hex('FF 00 6F 70 71 72 73 74 75 76 77 78 79 7A 41 42 43 44').toString('hex'),
    ]);
  });

  // docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size
  test('the same document for a V2 client with max 20', () => {
    const message = encodeAppend(2, 0, DOC40);
    assert.equal(message.length, 50);
    assert.deepEqual(toHex(splitIntoChunks(message, 20)), [
      hex('02 01 0000000000000000 30313233343536373839').toString('hex'),
      hex('FF 01 6162636465666768696A6B6C6D6E6F707172').toString('hex'),
      hex('FF 00 737475767778797A41424344').toString('hex'),
    ]);
  });

  test('a message of at most max bytes is sent whole, with byte 1 = 0', () => {
    const message = encodeAppend(3, 0, DOC40.subarray(0, 6)); // 20 bytes
    for (const max of [20, 21, 102_400]) {
      const chunks = splitIntoChunks(message, max);
      assert.equal(chunks.length, 1, `max ${max}`);
      assert.deepEqual(Buffer.from(chunks[0]!), message);
      assert.equal(chunks[0]![1], 0);
    }
    // One byte more than the limit is split.
    assert.equal(splitIntoChunks(message, 19).length, 2);
  });

  test('small messages stay whole even under a limit too small to split with', () => {
    const ack = encodeMessage({ type: 'ack-nack', status: 1, length: 8 });
    assert.deepEqual(splitIntoChunks(ack, 12), [ack]);
  });

  // The reference panics at 1 and loops at 2: the session never asks for less than 64
  // (docs/protocols/zwibbler.md#a-tiny-maxmessagesize-is-raised-to-64-bytes).
  test('a limit below 3 bytes that would require splitting is refused', () => {
    const message = encodeAppend(3, 0, DOC40);
    assert.throws(() => splitIntoChunks(message, 2), RangeError);
    assert.throws(() => splitIntoChunks(message, 1), RangeError);
  });

  test('every chunk is at most max bytes, flags are right and the payloads rebuild the message', () => {
    for (let len = 2; len <= 80; len += 3) {
      const message = Buffer.alloc(len, 0);
      for (let i = 0; i < len; i++) message[i] = (i * 37 + 11) & 0xff;
      message[1] = 0;
      for (let max = 3; max <= 30; max++) {
        const chunks = splitIntoChunks(message, max);
        const label = `len ${len} max ${max}`;
        for (const c of chunks) assert.ok(c.length <= max, label);
        if (len <= max) {
          assert.equal(chunks.length, 1, label);
          continue;
        }
        assert.equal(chunks[0]!.length, max, label);
        assert.equal(chunks[0]![0], message[0], label);
        assert.equal(chunks[0]![1], 1, label);
        const rebuilt = [Buffer.from(chunks[0]!.subarray(2))];
        chunks.slice(1).forEach((c, i) => {
          assert.equal(c[0], 0xff, label);
          assert.equal(c[1], i === chunks.length - 2 ? 0 : 1, label);
          assert.ok(c.length > 2, `${label}: no empty continuation`);
          rebuilt.push(Buffer.from(c.subarray(2)));
        });
        assert.deepEqual(Buffer.concat(rebuilt), message.subarray(2), label);
        // Chunks are as large as allowed: no more frames than necessary.
        assert.equal(chunks.length, 1 + Math.ceil((len - max) / (max - 2)), label);
      }
    }
  });

  test('splitting does not modify the encoded message', () => {
    const message = encodeAppend(3, 0, DOC40);
    const copy = Buffer.from(message);
    splitIntoChunks(message, 20);
    assert.deepEqual(message, copy);
  });
});

describe('Reassembler', () => {
  const VECTOR_17 = ['05 01 00000000 0000000000000009 5859', 'FF 00 5A57'];

  // docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size
  test('05 01 … 5859 + FF 00 5A57 reassembles to the 18-byte append', () => {
    const r = new Reassembler(102_400);
    assert.equal(r.inProgress, false);
    assert.equal(r.push(hex(VECTOR_17[0]!)), null);
    assert.equal(r.inProgress, true);
    const whole = r.push(hex(VECTOR_17[1]!));
    assert.ok(whole);
    assert.equal(r.inProgress, false);
    assert.equal(whole.length, 18);
    // The first chunk's header is kept, byte 1 included
    // (docs/protocols/zwibbler.md#continuation-chunks-and-the-maximum-message-size).
    assert.deepEqual(Buffer.from(whole), hex('05 01 00000000 0000000000000009 58595A57'));
    assert.deepEqual(decodeMessage(whole), {
      type: 'append',
      layout: 3,
      generation: 0,
      offset: 9,
      data: Buffer.from('XYZW'),
    });
  });

  test('a complete message (byte 1 = 0) is returned at once, unchanged', () => {
    const r = new Reassembler(100);
    const frame = hex('05 00 00000000 0000000000000009 58595A57');
    assert.equal(r.push(frame), frame);
    assert.equal(r.inProgress, false);
  });

  test('any non-zero byte 1 means more, on the first chunk and on continuations', () => {
    const r = new Reassembler(100);
    assert.equal(r.push(hex('04 02 00000003 61')), null);
    assert.equal(r.push(hex('FF 80 62')), null);
    const whole = r.push(hex('FF 00 63'));
    assert.ok(whole);
    assert.deepEqual(decodeMessage(whole), { type: 'broadcast', data: Buffer.from('abc') });
  });

  test('splitIntoChunks output reassembles to the original message', () => {
    const message = encodeAppend(3, 0, DOC40);
    const r = new Reassembler(1000);
    const chunks = splitIntoChunks(message, 20);
    chunks.slice(0, -1).forEach((c) => assert.equal(r.push(c), null));
    const whole = r.push(chunks.at(-1)!);
    assert.ok(whole);
    assert.deepEqual(decodeMessage(whole), decodeMessage(message));
  });

  test('an empty continuation chunk (FF 01 / FF 00 with no payload) is allowed', () => {
    const r = new Reassembler(100);
    assert.equal(r.push(hex('04 01 00000002 68')), null);
    assert.equal(r.push(hex('FF 01')), null);
    assert.equal(r.push(hex('FF 01 69')), null);
    const whole = r.push(hex('FF 00'));
    assert.ok(whole);
    assert.deepEqual(Buffer.from(whole), hex('04 01 00000002 6869'));
  });

  for (const [name, frame] of [
    ['an empty frame', ''],
    ['a 1-byte frame', '05'],
  ] as const) {
    test(`${name} throws ZwibblerCodecError, outside and inside a chunked message`, () => {
      assert.throws(() => new Reassembler(100).push(hex(frame)), ZwibblerCodecError);
      const r = new Reassembler(100);
      r.push(hex(VECTOR_17[0]!));
      assert.throws(() => r.push(hex(frame)), ZwibblerCodecError);
    });
  }

  test('a 1-byte continuation (just FF) throws', () => {
    const r = new Reassembler(100);
    r.push(hex(VECTOR_17[0]!));
    assert.throws(() => r.push(hex('FF')), ZwibblerCodecError);
  });

  test('a start chunk followed by a non-0xFF frame throws "expected a continuation"', () => {
    for (const next of ['05 00 00000000 0000000000000000', '04 00 00000000', '05 01 0000']) {
      const r = new Reassembler(100);
      r.push(hex(VECTOR_17[0]!));
      assert.throws(
        () => r.push(hex(next)),
        (err: unknown) =>
          err instanceof ZwibblerCodecError &&
          !(err instanceof MessageTooBigError) &&
          /expected a continuation/.test(err.message),
        next,
      );
    }
  });

  test('a lone 0xFF frame with more = 0 passes through and decodes as unknown 0xFF', () => {
    const r = new Reassembler(100);
    const whole = r.push(hex('FF 00 5A57'));
    assert.ok(whole);
    assert.deepEqual(Buffer.from(whole), hex('FF 00 5A57'));
    assert.deepEqual(decodeMessage(whole), { type: 'unknown', code: 0xff, body: hex('5A57') });
    // The reassembler is not left waiting: the next message is handled normally.
    assert.equal(r.inProgress, false);
    assert.ok(r.push(hex('04 00 00000000')));
  });

  test('a lone 0xFF frame with more ≠ 0 waits for further 0xFF chunks, then yields unknown 0xFF', () => {
    const r = new Reassembler(100);
    assert.equal(r.push(hex('FF 01 41')), null);
    const whole = r.push(hex('FF 00 42'));
    assert.ok(whole);
    assert.deepEqual(decodeMessage(whole), { type: 'unknown', code: 0xff, body: hex('4142') });
  });

  // docs/protocols/zwibbler.md#incoming-messages-have-a-size-limit
  test('the size cap throws MessageTooBigError, which is a ZwibblerCodecError', () => {
    const message = encodeAppend(3, 0, DOC40); // 54 bytes
    const chunks = splitIntoChunks(message, 20);
    const r = new Reassembler(53);
    assert.equal(r.push(chunks[0]!), null);
    assert.equal(r.push(chunks[1]!), null);
    assert.throws(
      () => r.push(chunks[2]!),
      (err: unknown) =>
        err instanceof MessageTooBigError && err instanceof ZwibblerCodecError && err.limit === 53,
    );
  });

  test('a message of exactly the cap is accepted', () => {
    const message = encodeAppend(3, 0, DOC40); // 54 bytes
    const r = new Reassembler(54);
    const chunks = splitIntoChunks(message, 20);
    chunks.slice(0, -1).forEach((c) => assert.equal(r.push(c), null));
    assert.equal(r.push(chunks.at(-1)!)?.length, 54);
  });

  test('a start chunk larger than the cap throws at once', () => {
    const r = new Reassembler(10);
    assert.throws(() => r.push(hex(VECTOR_17[0]!)), MessageTooBigError);
    assert.equal(r.inProgress, false);
  });

  test('an unchunked message larger than the cap throws too', () => {
    const r = new Reassembler(17);
    assert.throws(
      () => r.push(hex('05 00 00000000 0000000000000009 58595A57')),
      MessageTooBigError,
    );
    assert.equal(r.push(hex('05 00 00000000 0000000000000009 585959'))?.length, 17);
  });

  test('after MessageTooBigError the reassembler is empty and reusable', () => {
    const r = new Reassembler(30);
    assert.equal(r.push(hex('04 01 00000000 000102030405060708090A0B0C0D')), null);
    assert.throws(() => r.push(hex('FF 01 000102030405060708090A0B0C0D0E0F')), MessageTooBigError);
    assert.equal(r.inProgress, false);
    // A fresh chunked message is rebuilt from its own chunks only.
    assert.equal(r.push(hex(VECTOR_17[0]!)), null);
    const whole = r.push(hex(VECTOR_17[1]!));
    assert.deepEqual(whole && Buffer.from(whole), hex('05 01 00000000 0000000000000009 58595A57'));
  });

  // docs/protocols/zwibbler.md#encoding
  test('frames of a text WebSocket message (UTF-8 Buffers) work like binary ones', () => {
    // ws hands text messages over as Buffers of their UTF-8 bytes. Control characters are
    // valid UTF-8, so an INIT and a chunked broadcast start can be sent as text.
    const init = Buffer.from(
      '\x01\x00\x00\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x04doc1',
      'utf8',
    );
    const r = new Reassembler(100);
    const whole = r.push(init);
    assert.ok(whole);
    assert.deepEqual(
      Buffer.from(whole),
      hex('01 00 00 03 00000000 00 00000000 0000000000000000 00000004 646F6331'),
    );
    const m = decodeMessage(whole);
    assert.equal(m.type, 'init');
    assert.equal(m.type === 'init' && Buffer.from(m.docId).toString(), 'doc1');

    assert.equal(r.push(Buffer.from('\x04\x01\0\0\0\x05hel', 'utf8')), null);
    const bc = r.push(hex('FF 00 6C6F'));
    assert.ok(bc);
    assert.deepEqual(decodeMessage(bc), { type: 'broadcast', data: Buffer.from('hello') });
  });

  test('plain Uint8Array frames work like Buffers', () => {
    const r = new Reassembler(100);
    assert.equal(r.push(new Uint8Array(hex(VECTOR_17[0]!))), null);
    const whole = r.push(new Uint8Array(hex(VECTOR_17[1]!)));
    assert.ok(whole);
    assert.deepEqual(Buffer.from(whole), hex('05 01 00000000 0000000000000009 58595A57'));
  });
});
