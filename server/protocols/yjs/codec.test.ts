// The y-websocket frames of docs/protocols/yjs.md#byte-examples, byte for
// byte, and the malformed frames the hub must refuse with a reason instead of
// misreading.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hex } from '../../test/messages';
import {
  decodeFrame,
  encodeAwareness,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  QUERY_AWARENESS,
  YjsProtocolError,
} from './codec';

const bytes = (h: string): Uint8Array => new Uint8Array(hex(h));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// docs/protocols/yjs.md#byte-examples
describe('byte examples', () => {
  test('SyncStep1 of an empty doc is 00 00 01 00', () => {
    assert.equal(toHex(encodeSyncStep1(bytes('00'))), '00000100');
    assert.deepEqual(decodeFrame(bytes('00 00 01 00')), [
      { type: 'sync-step1', stateVector: bytes('00') },
    ]);
  });

  test('SyncStep1 for client 300 at clock 5', () => {
    assert.equal(toHex(encodeSyncStep1(bytes('01 ac 02 05'))), '0000' + '04' + '01ac0205');
  });

  test('SyncStep2 of an empty doc is 00 01 02 00 00', () => {
    assert.equal(toHex(encodeSyncStep2(bytes('00 00'))), '0001020000');
    assert.deepEqual(decodeFrame(bytes('00 01 02 00 00')), [
      { type: 'sync-step2', update: bytes('00 00') },
    ]);
  });

  test('an update inserting "hello"', () => {
    const update = bytes('01 01 ac 02 00 04 01 01 74 05 68 65 6c 6c 6f 00');
    const frame = '00 02 10 01 01 ac 02 00 04 01 01 74 05 68 65 6c 6c 6f 00';
    assert.equal(toHex(encodeUpdate(update)), frame.replace(/ /g, ''));
    assert.deepEqual(decodeFrame(bytes(frame)), [{ type: 'update', update }]);
  });

  test('awareness of client 300 as Ann', () => {
    const body = bytes(
      '01 ac 02 01 17 7b 22 75 73 65 72 22 3a 7b 22 6e 61 6d 65 22 3a 22 41 6e 6e 22 7d 7d',
    );
    const frame = encodeAwareness(body);
    assert.equal(toHex(frame.subarray(0, 2)), '011c');
    assert.deepEqual(decodeFrame(frame), [{ type: 'awareness', update: body }]);
  });

  test('query-awareness is the single byte 03', () => {
    assert.equal(toHex(QUERY_AWARENESS), '03');
    assert.deepEqual(decodeFrame(bytes('03')), [{ type: 'query-awareness' }]);
  });

  test('permission denied "no" is 02 00 02 6e 6f', () => {
    assert.equal(toHex(encodePermissionDenied('no')), '0200026e6f');
    assert.deepEqual(decodeFrame(bytes('02 00 02 6e 6f')), [
      { type: 'auth', denied: true, reason: 'no' },
    ]);
  });

  test('a length of 128 takes two varint bytes', () => {
    const frame = encodeUpdate(new Uint8Array(128));
    assert.equal(toHex(frame.subarray(0, 4)), '00028001');
    assert.equal(frame.length, 4 + 128);
  });

  test('several messages in one frame are all read', () => {
    assert.deepEqual(decodeFrame(bytes('03 00 00 01 00')), [
      { type: 'query-awareness' },
      { type: 'sync-step1', stateVector: bytes('00') },
    ]);
  });
});

describe('malformed frames', () => {
  const refused: [string, string, RegExp][] = [
    ['empty', '', /empty frame/],
    ['a truncated varint', '80', /truncated varint/],
    ['a sync message cut before its payload length', '00 02', /truncated varint/],
    ['a length past the end', '00 02 05 01 02', /runs past the end/],
    ['an unknown message type', '07', /unknown message type 7/],
    ['an unknown sync type', '00 09 00', /unknown sync message type 9/],
    ['an unknown sync type with nothing after it', '00 09', /unknown sync message type 9/],
    ['an unknown sync type before a cut length', '00 03 ff', /unknown sync message type 3/],
    ['a varint over 53 bits', '00 02 ff ff ff ff ff ff ff ff 01', /53 bits/],
  ];
  for (const [what, frame, reason] of refused) {
    test(`${what} is refused with a reason`, () => {
      assert.throws(
        () => decodeFrame(bytes(frame)),
        (err: unknown) => err instanceof YjsProtocolError && reason.test(err.message),
      );
    });
  }

  test('any bytes either decode or throw YjsProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (frame) => {
        try {
          decodeFrame(frame);
        } catch (err) {
          assert.ok(err instanceof YjsProtocolError, String(err));
        }
      }),
    );
  });

  test('every encoded message decodes to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (payload) => {
        assert.deepEqual(decodeFrame(encodeUpdate(payload)), [{ type: 'update', update: payload }]);
        assert.deepEqual(decodeFrame(encodeSyncStep2(payload)), [
          { type: 'sync-step2', update: payload },
        ]);
      }),
    );
  });
});
