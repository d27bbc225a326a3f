// Unit: the Zwibbler codec against the hex vectors of
// docs/protocols/zwibbler.md#message-layouts, the initial exchange and the worked
// examples, plus layout detection (docs/protocols/zwibbler.md#telling-v2-from-v3)
// and bad input (docs/protocols/zwibbler.md#encoding,
// docs/protocols/zwibbler.md#edge-cases-and-bad-input).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AckStatus,
  CreationMode,
  ErrorCode,
  ZwibblerCodecError,
  decodeMessage,
  encodeAppend,
  encodeError,
  encodeMessage,
} from './codec';
import type { InitMessage, Message } from './codec';
import { ackNack, append, b, errorMsg, hex, keyInfo, setKey, setKeyAck } from '../../test/messages';

const DOC1_V3 = '01 00 00 03 00000000 00 00000000 0000000000000000 00000004 646F6331';

const initV3 = (fields: Partial<InitMessage> = {}): InitMessage => ({
  type: 'init',
  version: 3,
  maxMessageSize: 0,
  creationMode: CreationMode.PossiblyCreate,
  generation: 0,
  offset: 0,
  docId: b('doc1'),
  initialData: b(''),
  ...fields,
});
interface Vector {
  name: string;
  bytes: string;
  message: Message;
}

/** Each vector must decode to `message` and `message` must encode to exactly `bytes`. */
function checkVectors(vectors: Vector[]): void {
  for (const v of vectors) {
    test(`${v.name}: decodes and re-encodes byte for byte`, () => {
      assert.deepEqual(decodeMessage(hex(v.bytes)), v.message);
      assert.equal(encodeMessage(v.message).toString('hex'), hex(v.bytes).toString('hex'));
    });
  }
}

// docs/protocols/zwibbler.md#init-0x01
describe('INIT vectors', () => {
  checkVectors([
    {
      name: 'V3 possibly-create, max 0, offset 0, "doc1" (29 bytes)',
      bytes:
        '01 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 64 6F 63 31',
      message: initV3(),
    },
    {
      name: 'V3 with initialData "hello"',
      bytes:
        '01 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 64 6F 63 31 68 65 6C 6C 6F',
      message: initV3({ initialData: b('hello') }),
    },
    {
      name: 'V3 never-create, max 20, offset 5',
      bytes:
        '01 00 00 03 00 00 00 14 01 00 00 00 00 00 00 00 00 00 00 00 05 00 00 00 04 64 6F 63 31',
      message: initV3({ maxMessageSize: 20, creationMode: CreationMode.NeverCreate, offset: 5 }),
    },
    {
      name: 'V3 always-create',
      bytes:
        '01 00 00 03 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 64 6F 63 31',
      message: initV3({ creationMode: CreationMode.AlwaysCreate }),
    },
    {
      name: 'V2 possibly-create, offset 2, "doc1" (22 bytes)',
      bytes: '01 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 02 04 64 6F 63 31',
      message: { ...initV3({ offset: 2 }), version: 2 },
    },
    {
      name: 'V3 empty document ID',
      bytes: '01 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      message: initV3({ docId: b('') }),
    },
    {
      name: 'V3 docID "é" (2 UTF-8 bytes)',
      bytes: '01 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 C3 A9',
      message: initV3({ docId: b('é') }),
    },
  ]);

  test('V3 generation is read from bytes 9-12 and written back', () => {
    const bytes = hex('01 00 00 03 00000000 00 DEADBEEF 0000000000000000 00000004 646F6331');
    const m = decodeMessage(bytes);
    assert.deepEqual(m, initV3({ generation: 0xdeadbeef }));
    assert.deepEqual(encodeMessage(m), bytes);
  });

  test('the "é" document ID length counts bytes, not characters', () => {
    const m = decodeMessage(
      hex('01 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 C3 A9'),
    );
    assert.equal(m.type, 'init');
    if (m.type !== 'init') return;
    assert.equal(m.docId.length, 2);
    assert.equal(Buffer.from(m.docId).toString('utf8'), 'é');
    assert.equal(m.initialData.length, 0);
  });
});

// docs/protocols/zwibbler.md#telling-v2-from-v3
describe('INIT layout detection', () => {
  test('bytes 2-3 = 00 02 select the V2 layout even when the rest was written as V3', () => {
    // The DOC1_V3 vector with its version changed to 2: read as V2, bytes 9-16 are the
    // offset, byte 17 the docID length (0), and everything from byte 18 is initialData.
    const m = decodeMessage(
      hex('01 00 00 02 00000000 00 00000000 0000000000000000 00000004 646F6331'),
    );
    assert.deepEqual(m, {
      type: 'init',
      version: 2,
      maxMessageSize: 0,
      creationMode: 0,
      generation: 0,
      offset: 0,
      docId: b(''),
      initialData: hex('000000 00000004 646F6331'),
    });
  });

  for (const version of [1, 4, 0, 0x0102, 0xffff]) {
    test(`version ${version} is parsed with the V3 layout and reports version ${version}`, () => {
      const bytes = hex(DOC1_V3);
      bytes.writeUInt16BE(version, 2);
      const m = decodeMessage(bytes);
      // The codec does not reject the version: the session does
      // (docs/protocols/zwibbler.md#init-processing), so it must see it.
      assert.deepEqual(m, initV3({ version }));
      assert.deepEqual(encodeMessage(m), bytes);
    });
  }

  test('a V2-looking INIT whose V2 fields do not fit is too short, not re-read as V3', () => {
    // 26 bytes that would decode as a V3 INIT with an empty docID, but bytes 2-3 say V2,
    // and as V2 its docID length (byte 17 = 0x20) runs past the end.
    const bytes = hex('01 00 00 02 00000000 00 0000000000000000 20 00000000 00000000');
    assert.throws(() => decodeMessage(bytes), ZwibblerCodecError);
  });

  test('the 4-byte message 01 00 00 02 is too short for either layout', () => {
    assert.throws(() => decodeMessage(hex('01 00 00 02')), ZwibblerCodecError);
  });

  test('encoding version 2 uses the V2 layout; a V2 document ID over 255 bytes is refused', () => {
    const base = { ...initV3(), version: 2 };
    assert.equal(encodeMessage(base).length, 18 + 4);
    assert.throws(() => encodeMessage({ ...base, docId: Buffer.alloc(256, 0x61) }), RangeError);
    const max = encodeMessage({ ...base, docId: Buffer.alloc(255, 0x61) });
    assert.equal(max[17], 255);
    assert.equal(max.length, 18 + 255);
  });
});

// docs/protocols/zwibbler.md#append-0x02-and-0x05
describe('APPEND vectors', () => {
  checkVectors([
    {
      name: 'server → V3 client, offset 0, "hello"',
      bytes: '05 00 00 00 00 00 00 00 00 00 00 00 00 00 68 65 6C 6C 6F',
      message: append(3, 0, 'hello'),
    },
    {
      name: 'server → V3 client, offset 5, empty',
      bytes: '05 00 00 00 00 00 00 00 00 00 00 00 00 05',
      message: append(3, 5, ''),
    },
    {
      name: 'server → V2 client, offset 2, "llo"',
      bytes: '02 00 00 00 00 00 00 00 00 02 6C 6C 6F',
      message: append(2, 2, 'llo'),
    },
    {
      name: 'client (V3) append "abc" at offset 5',
      bytes: '05 00 00 00 00 00 00 00 00 00 00 00 00 05 61 62 63',
      message: append(3, 5, 'abc'),
    },
    {
      name: 'client (V2) append "Q" at offset 8',
      bytes: '02 00 00 00 00 00 00 00 00 08 51',
      message: append(2, 8, 'Q'),
    },
  ]);

  test('V3 generation is decoded (ignored by servers, but kept)', () => {
    const m = decodeMessage(hex('05 00 00000007 0000000000000005 616263'));
    assert.deepEqual(m, append(3, 5, 'abc', 7));
  });

  test('encodeAppend writes generation 0 by default and matches encodeMessage', () => {
    assert.deepEqual(encodeAppend(3, 5, b('abc')), hex('05 00 00000000 0000000000000005 616263'));
    assert.deepEqual(encodeAppend(2, 8, b('Q')), hex('02 00 0000000000000008 51'));
    assert.deepEqual(encodeAppend(3, 5, b('abc'), 9), encodeMessage(append(3, 5, 'abc', 9)));
  });

  test('byte 1 (the "more" flag of a reassembled message) is ignored by the decoder', () => {
    assert.deepEqual(
      decodeMessage(hex('05 01 00000000 0000000000000009 58595A57')),
      append(3, 9, 'XYZW'),
    );
  });

  test('the minimum lengths are 14 bytes (V3) and 10 bytes (V2)', () => {
    assert.deepEqual(decodeMessage(hex('05 00 00000000 0000000000000000')), append(3, 0, ''));
    assert.deepEqual(decodeMessage(hex('02 00 0000000000000000')), append(2, 0, ''));
  });
});

// docs/protocols/zwibbler.md#set_key-0x03
describe('SET_KEY vectors', () => {
  checkVectors([
    {
      name: 'req 7, lifetime 0, 0→1, "k" = "v"',
      bytes: '03 00 00 07 00 00 00 00 00 00 00 00 01 00 00 00 01 6B 00 00 00 01 76',
      message: setKey(7, 0, 0, 1, 'k', 'v'),
    },
    {
      name: 'req 10, lifetime 1, 0→1, "p" = "1"',
      bytes: '03 00 00 0A 01 00 00 00 00 00 00 00 01 00 00 00 01 70 00 00 00 01 31',
      message: setKey(10, 1, 0, 1, 'p', '1'),
    },
  ]);

  test('the 21-byte minimum has an empty name and value', () => {
    assert.deepEqual(
      decodeMessage(hex('03 00 0001 02 00000003 00000004 00000000 00000000')),
      setKey(1, 2, 3, 4, '', ''),
    );
  });

  test('trailing bytes after the value are ignored', () => {
    const vector = '03 00 00 07 00 00 00 00 00 00 00 00 01 00 00 00 01 6B 00 00 00 01 76';
    assert.deepEqual(decodeMessage(hex(`${vector} DE AD BE EF`)), setKey(7, 0, 0, 1, 'k', 'v'));
    // A trailing byte that looks like another length prefix changes nothing either.
    assert.deepEqual(decodeMessage(hex(`${vector} 00`)), setKey(7, 0, 0, 1, 'k', 'v'));
  });
});

// docs/protocols/zwibbler.md#broadcast-0x04
describe('BROADCAST vectors', () => {
  test('the declared length (99) is ignored on input; the true length (2) is written on output', () => {
    const m = decodeMessage(hex('04 00 00 00 00 63 68 69'));
    assert.deepEqual(m, { type: 'broadcast', data: b('hi') });
    assert.deepEqual(encodeMessage(m), hex('04 00 00 00 00 02 68 69'));
  });

  test('a declared length shorter than the payload is ignored too', () => {
    assert.deepEqual(decodeMessage(hex('04 00 00000000 686921')), {
      type: 'broadcast',
      data: b('hi!'),
    });
  });

  checkVectors([
    {
      name: 'BROADCAST "hi" with its true length',
      bytes: '04 00 00000002 6869',
      message: bcast('hi'),
    },
    { name: 'empty BROADCAST (6-byte minimum)', bytes: '04 00 00000000', message: bcast('') },
  ]);
});

function bcast(text: string): Message {
  return { type: 'broadcast', data: b(text) };
}

// docs/protocols/zwibbler.md#error-0x80
describe('ERROR vectors', () => {
  const cases: [number, string, string][] = [
    [1, 'does not exist', '80 00 00 01 64 6F 65 73 20 6E 6F 74 20 65 78 69 73 74'],
    [2, 'already exists', '80 00 00 02 61 6C 72 65 61 64 79 20 65 78 69 73 74 73'],
    [3, 'invalid offset', '80 00 00 03 69 6E 76 61 6C 69 64 20 6F 66 66 73 65 74'],
    [4, 'access denied', '80 00 00 04 61 63 63 65 73 73 20 64 65 6E 69 65 64'],
  ];
  checkVectors(
    cases.map(([code, text, bytes]) => ({
      name: `code ${code} "${text}"`,
      bytes,
      message: errorMsg(code, text),
    })),
  );
  checkVectors([
    {
      name: 'code 0 with the JWT parse error text',
      bytes:
        '80 00 00 00 74 6F 6B 65 6E 20 63 6F 6E 74 61 69 6E 73 20 61 6E 20 69 6E 76 61 6C 69 64' +
        ' 20 6E 75 6D 62 65 72 20 6F 66 20 73 65 67 6D 65 6E 74 73',
      message: errorMsg(0, 'token contains an invalid number of segments'),
    },
  ]);

  test('encodeError uses the standard text for codes 1-4', () => {
    for (const [code, , bytes] of cases) {
      assert.deepEqual(encodeError(code), hex(bytes), `code ${code}`);
    }
  });

  test('encodeError(0) sends free text, or "unspecified" when none is given', () => {
    assert.deepEqual(
      encodeError(ErrorCode.Unspecified, 'token contains an invalid number of segments'),
      encodeMessage(errorMsg(0, 'token contains an invalid number of segments')),
    );
    assert.deepEqual(
      encodeError(ErrorCode.Unspecified),
      Buffer.concat([hex('80 00 0000'), b('unspecified')]),
    );
  });
});

// docs/protocols/zwibbler.md#ack_nack-0x81
describe('ACK_NACK vectors', () => {
  checkVectors([
    {
      name: 'ACK, new length 8',
      bytes: '81 00 00 01 00 00 00 00 00 00 00 08',
      message: ackNack(AckStatus.Appended, 8),
    },
    {
      name: 'NACK, current length 8',
      bytes: '81 00 00 00 00 00 00 00 00 00 00 08',
      message: ackNack(AckStatus.Conflict, 8),
    },
    {
      name: 'no-permission, length 4',
      bytes: '81 00 00 02 00 00 00 00 00 00 00 04',
      message: ackNack(AckStatus.NoPermission, 4),
    },
  ]);
});

// docs/protocols/zwibbler.md#key_information-0x82
describe('KEY_INFORMATION vectors', () => {
  checkVectors([
    {
      name: 'one key k=v v1',
      bytes: '82 00 00 00 00 01 00 00 00 01 6B 00 00 00 01 76',
      message: keyInfo([1, 'k', 'v']),
    },
    {
      name: 'two keys k=w v1, p=1 v1',
      bytes:
        '82 00 00 00 00 01 00 00 00 01 6B 00 00 00 01 77 00 00 00 01 00 00 00 01 70 00 00 00 01 31',
      message: keyInfo([1, 'k', 'w'], [1, 'p', '1']),
    },
    {
      name: 'k cleared (v2, "")',
      bytes: '82 00 00 00 00 02 00 00 00 01 6B 00 00 00 00',
      message: keyInfo([2, 'k', '']),
    },
    {
      name: 'zero keys (header only)',
      bytes: '82 00',
      message: keyInfo(),
    },
  ]);
});

// docs/protocols/zwibbler.md#set_key_ack_nack-0x83
describe('SET_KEY_ACK_NACK vectors', () => {
  checkVectors([
    { name: 'ack for request 7', bytes: '83 00 00 01 00 07', message: setKeyAck(true, 7) },
    { name: 'nack for request 9', bytes: '83 00 00 00 00 09', message: setKeyAck(false, 9) },
  ]);
});

// docs/protocols/zwibbler.md#the-initial-exchange
describe('initial exchange vectors', () => {
  checkVectors([
    {
      name: 'A creates doc1 with "hello": empty append at 5',
      bytes: '05 00 00000000 0000000000000005',
      message: append(3, 5, ''),
    },
    {
      name: 'B (V3, offset 0) receives "hello"',
      bytes: '05 00 00000000 0000000000000000 68656C6C6F',
      message: append(3, 0, 'hello'),
    },
    {
      name: 'C (V2, offset 2) receives "llo"',
      bytes: '02 00 0000000000000002 6C6C6F',
      message: append(2, 2, 'llo'),
    },
    {
      name: 'offset 41 on a 40-byte document: ERROR 3',
      bytes: `80 00 00 03 ${b('invalid offset').toString('hex')}`,
      message: errorMsg(ErrorCode.InvalidOffset, 'invalid offset'),
    },
    {
      name: 'offset 40 on a 40-byte document: empty append at 40',
      bytes: '05 00 00000000 0000000000000028',
      message: append(3, 40, ''),
    },
  ]);
});

// docs/protocols/zwibbler.md#worked-example-appends
describe('worked append exchange', () => {
  checkVectors([
    {
      name: 'A → append "abc" at 5 (also B ← fan-out)',
      bytes: '05 00 00000000 0000000000000005 616263',
      message: append(3, 5, 'abc'),
    },
    {
      name: 'A ← ACK, length 8',
      bytes: '81 00 0001 0000000000000008',
      message: ackNack(1, 8),
    },
    {
      name: 'C ← V2 fan-out of "abc" at 5',
      bytes: '02 00 0000000000000005 616263',
      message: append(2, 5, 'abc'),
    },
    {
      name: 'B → stale append "zz" at 5',
      bytes: '05 00 00000000 0000000000000005 7A7A',
      message: append(3, 5, 'zz'),
    },
    {
      name: 'B ← NACK, length 8',
      bytes: '81 00 0000 0000000000000008',
      message: ackNack(0, 8),
    },
    {
      name: 'C → V2 append "Q" at 8',
      bytes: '02 00 0000000000000008 51',
      message: append(2, 8, 'Q'),
    },
    {
      name: 'C ← ACK, length 9',
      bytes: '81 00 0001 0000000000000009',
      message: ackNack(1, 9),
    },
    {
      name: 'A, B ← V3 fan-out of "Q" at 8',
      bytes: '05 00 00000000 0000000000000008 51',
      message: append(3, 8, 'Q'),
    },
    {
      name: 'read-only R, right offset: ack 2, length 4',
      bytes: '81 00 0002 0000000000000004',
      message: ackNack(2, 4),
    },
    {
      name: 'read-only R, wrong offset: NACK, length 4',
      bytes: '81 00 0000 0000000000000004',
      message: ackNack(0, 4),
    },
  ]);
});

// docs/protocols/zwibbler.md#worked-example-keys
describe('worked key exchange', () => {
  checkVectors([
    {
      name: 'A → client key k=v, 0→1',
      bytes: '03 00 0007 00 00000000 00000001 00000001 6B 00000001 76',
      message: setKey(7, 0, 0, 1, 'k', 'v'),
    },
    { name: 'A ← set-key ACK 7', bytes: '83 00 0001 0007', message: setKeyAck(true, 7) },
    {
      name: 'B,C ← k=v v1',
      bytes: '82 00 00000001 00000001 6B 00000001 76',
      message: keyInfo([1, 'k', 'v']),
    },
    {
      name: 'A → k=w, 1→1',
      bytes: '03 00 0008 00 00000001 00000001 00000001 6B 00000001 77',
      message: setKey(8, 0, 1, 1, 'k', 'w'),
    },
    {
      name: 'B,C ← k=w v1',
      bytes: '82 00 00000001 00000001 6B 00000001 77',
      message: keyInfo([1, 'k', 'w']),
    },
    {
      name: 'B → wrong old version',
      bytes: '03 00 0009 00 00000000 00000002 00000001 6B 00000001 78',
      message: setKey(9, 0, 0, 2, 'k', 'x'),
    },
    { name: 'B ← set-key NACK 9', bytes: '83 00 0000 0009', message: setKeyAck(false, 9) },
    {
      name: 'B → document key p=1',
      bytes: '03 00 000A 01 00000000 00000001 00000001 70 00000001 31',
      message: setKey(10, 1, 0, 1, 'p', '1'),
    },
    { name: 'B ← set-key ACK 10', bytes: '83 00 0001 000A', message: setKeyAck(true, 10) },
    {
      name: 'A,C ← p=1 v1',
      bytes: '82 00 00000001 00000001 70 00000001 31',
      message: keyInfo([1, 'p', '1']),
    },
    {
      name: 'B → "admin:x" without a',
      bytes: '03 00 000B 00 00000000 00000001 00000007 61646D696E3A78 00000001 31',
      message: setKey(11, 0, 0, 1, 'admin:x', '1'),
    },
    { name: 'B ← set-key NACK 11', bytes: '83 00 0000 000B', message: setKeyAck(false, 11) },
    {
      name: 'A disconnects: k cleared, version 2',
      bytes: '82 00 00000002 00000001 6B 00000000',
      message: keyInfo([2, 'k', '']),
    },
  ]);
});

// docs/protocols/zwibbler.md#all-vectors-at-a-glance
describe('checklist (single messages)', () => {
  checkVectors([
    { name: '#1 INIT V3 doc1', bytes: DOC1_V3, message: initV3() },
    {
      name: '#2 INIT V3 doc1 + "hello"',
      bytes: `${DOC1_V3} 68656C6C6F`,
      message: initV3({ initialData: b('hello') }),
    },
    {
      name: '#3 INIT V2 doc1 offset 2',
      bytes: '01 00 00 02 00000000 00 0000000000000002 04 646F6331',
      message: { ...initV3({ offset: 2 }), version: 2 },
    },
    {
      name: '#4 reply to #2 on a new doc',
      bytes: '05 00 00000000 0000000000000005',
      message: append(3, 5, ''),
    },
    {
      name: '#5 reply to #1 afterwards',
      bytes: '05 00 00000000 0000000000000000 68656C6C6F',
      message: append(3, 0, 'hello'),
    },
    {
      name: '#6 reply to #3',
      bytes: '02 00 0000000000000002 6C6C6F',
      message: append(2, 2, 'llo'),
    },
    {
      name: '#7 APPEND V3 "abc" at 5',
      bytes: '05 00 00000000 0000000000000005 616263',
      message: append(3, 5, 'abc'),
    },
    { name: '#8 ACK len 8', bytes: '81 00 0001 0000000000000008', message: ackNack(1, 8) },
    { name: '#8 NACK len 8', bytes: '81 00 0000 0000000000000008', message: ackNack(0, 8) },
    { name: '#8 no-perm len 4', bytes: '81 00 0002 0000000000000004', message: ackNack(2, 4) },
    {
      name: '#9 fan-out of #7 to V2',
      bytes: '02 00 0000000000000005 616263',
      message: append(2, 5, 'abc'),
    },
    {
      name: '#10 SET_KEY req 7, client key k=v 0→1',
      bytes: '03 00 0007 00 00000000 00000001 00000001 6B 00000001 76',
      message: setKey(7, 0, 0, 1, 'k', 'v'),
    },
    { name: '#11 set-key ACK req 7', bytes: '83 00 0001 0007', message: setKeyAck(true, 7) },
    { name: '#11 set-key NACK req 9', bytes: '83 00 0000 0009', message: setKeyAck(false, 9) },
    {
      name: '#12 KEY_INFO k=v v1',
      bytes: '82 00 00000001 00000001 6B 00000001 76',
      message: keyInfo([1, 'k', 'v']),
    },
    {
      name: '#13 KEY_INFO k cleared v2',
      bytes: '82 00 00000002 00000001 6B 00000000',
      message: keyInfo([2, 'k', '']),
    },
    { name: '#14 BROADCAST "hi"', bytes: '04 00 00000002 6869', message: bcast('hi') },
    ...(
      [
        [1, 'does not exist'],
        [2, 'already exists'],
        [3, 'invalid offset'],
        [4, 'access denied'],
      ] as const
    ).map(([code, text]) => ({
      name: `#15 ERROR ${code}`,
      bytes: `80 00 000${code} ${b(text).toString('hex')}`,
      message: errorMsg(code, text),
    })),
    {
      name: '#17 the reassembled client append',
      bytes: '05 00 00000000 0000000000000009 58595A57',
      message: append(3, 9, 'XYZW'),
    },
    {
      name: '#17 its ACK, length 13',
      bytes: '81 00 0001 000000000000000D',
      message: ackNack(1, 13),
    },
  ]);
});

// docs/protocols/zwibbler.md#encoding, docs/protocols/zwibbler.md#edge-cases-and-bad-input
describe('messages too short for their fields throw ZwibblerCodecError', () => {
  const tooShort: [string, string][] = [
    ['empty input', ''],
    ['1-byte input 01', '01'],
    ['1-byte input 05', '05'],
    ['1-byte input FF', 'FF'],
    ['INIT of 10 bytes', '01 00 00 03 00 00 00 00 00 00'],
    ['INIT V3 without its docID length', '01 00 00 03 00000000 00 00000000 0000000000000000'],
    [
      'INIT V3 whose docID runs past the end',
      '01 00 00 03 00000000 00 00000000 0000000000000000 00000005 646F6331',
    ],
    [
      'INIT V3 with a 4 GiB docID length',
      '01 00 00 03 00000000 00 00000000 0000000000000000 FFFFFFFF 64',
    ],
    ['INIT V2 without its docID length', '01 00 00 02 00000000 00 0000000000000002'],
    [
      'INIT V2 whose docID runs past the end',
      '01 00 00 02 00000000 00 0000000000000002 05 646F6331',
    ],
    ['APPEND V3 of 13 bytes', '05 00 00000000 00000000000000'],
    ['APPEND V3 of 2 bytes', '05 00'],
    ['APPEND V2 of 9 bytes', '02 00 00000000000000'],
    ['SET_KEY of 20 bytes', '03 00 0001 00 00000000 00000001 00000000 000000'],
    [
      'SET_KEY whose name runs past the end',
      '03 00 0007 00 00000000 00000001 00000002 6B 00000001 76',
    ],
    [
      'SET_KEY whose value runs past the end',
      '03 00 0007 00 00000000 00000001 00000001 6B 00000002 76',
    ],
    ['SET_KEY without its value length', '03 00 0007 00 00000000 00000001 00000001 6B'],
    ['SET_KEY with a 4 GiB name length', '03 00 0007 00 00000000 00000001 FFFFFFFF 6B 00000001 76'],
    ['BROADCAST of 5 bytes', '04 00 000000'],
    ['BROADCAST of 2 bytes', '04 00'],
    ['ERROR of 3 bytes', '80 00 00'],
    ['ACK_NACK of 11 bytes', '81 00 0001 00000000000000'],
    ['KEY_INFORMATION with a partial version', '82 00 000000'],
    ['KEY_INFORMATION whose name runs past the end', '82 00 00000001 00000005 6B 00000001 76'],
    ['KEY_INFORMATION whose value runs past the end', '82 00 00000001 00000001 6B 00000002 76'],
    [
      'KEY_INFORMATION with a truncated second entry',
      '82 00 00000001 00000001 6B 00000001 76 00000001',
    ],
    ['SET_KEY_ACK_NACK of 5 bytes', '83 00 0001 00'],
  ];
  for (const [name, bytes] of tooShort) {
    test(name, () => {
      assert.throws(() => decodeMessage(hex(bytes)), ZwibblerCodecError);
    });
  }

  test('the error names the message as too short', () => {
    assert.throws(() => decodeMessage(hex('05 00 00000000 00000000000000')), {
      name: 'ZwibblerCodecError',
      message: /too short/,
    });
  });
});

describe('offsets ≥ 2^63', () => {
  // The reference converts the u64 offset to a Go int, so 2^63 and above become negative
  // and slicing the document panics. Our intended fix: decode the u64 as a positive JS
  // number (precision above 2^53 does not matter), which is larger than any document can
  // be, so the ordinary "offset > length" check rejects it with ERROR 3 (INIT) or a NACK
  // (APPEND) instead of crashing
  // (docs/protocols/zwibbler.md#huge-offsets-get-error-3-or-a-nack).
  const huge = (m: Message): number => {
    if (m.type === 'init' || m.type === 'append') return m.offset;
    if (m.type === 'ack-nack') return m.length;
    assert.fail(`unexpected ${m.type}`);
  };

  test('INIT V3 with offset FFFFFFFFFFFFFFFF decodes to a number beyond any document', () => {
    const off = huge(
      decodeMessage(hex('01 00 00 03 00000000 00 00000000 FFFFFFFFFFFFFFFF 00000004 646F6331')),
    );
    assert.ok(off > Number.MAX_SAFE_INTEGER);
    assert.ok(off >= 2 ** 63);
    assert.ok(Number.isFinite(off));
  });

  test('INIT V2 with offset 2^63 exactly decodes to 2^63, not a negative number', () => {
    const off = huge(decodeMessage(hex('01 00 00 02 00000000 00 8000000000000000 04 646F6331')));
    assert.equal(off, 2 ** 63);
  });

  test('APPEND V3 and V2 with all-FF offsets decode to positive numbers beyond any document', () => {
    for (const bytes of [
      '05 00 00000000 FFFFFFFFFFFFFFFF 61',
      '02 00 FFFFFFFFFFFFFFFF 61',
      '81 00 0001 FFFFFFFFFFFFFFFF',
    ]) {
      const off = huge(decodeMessage(hex(bytes)));
      assert.ok(off > Number.MAX_SAFE_INTEGER, bytes);
      assert.ok(off >= 2 ** 63, bytes);
    }
  });

  test('offsets up to Number.MAX_SAFE_INTEGER round-trip exactly', () => {
    const bytes = hex('05 00 00000000 001FFFFFFFFFFFFF');
    const m = decodeMessage(bytes);
    assert.deepEqual(m, append(3, Number.MAX_SAFE_INTEGER, ''));
    assert.deepEqual(encodeMessage(m), bytes);
  });
});

describe('unknown types', () => {
  for (const [code, rest] of [
    [0x07, '00 01 02 03'],
    [0x84, '00 73 65 72 76 65 72'],
    [0xff, '00 5A 57'],
    [0x85, '01'],
    [0x86, '00'],
    [0x00, '00 00'],
  ] as const) {
    test(`type 0x${code.toString(16).padStart(2, '0')} decodes to unknown with its raw body`, () => {
      const bytes = Buffer.concat([Buffer.from([code]), hex(rest)]);
      assert.deepEqual(decodeMessage(bytes), {
        type: 'unknown',
        code,
        body: bytes.subarray(2),
      });
    });
  }

  test('an unknown message encodes with byte 1 = 0 and its body', () => {
    assert.deepEqual(
      encodeMessage({ type: 'unknown', code: 0x07, body: hex('010203') }),
      hex('07 00 010203'),
    );
  });
});

describe('encoding', () => {
  test('every encoded message has byte 1 = 0 and its type in byte 0', () => {
    const all: [Message, number][] = [
      [initV3(), 0x01],
      [{ ...initV3(), version: 2 }, 0x01],
      [append(2, 1, 'a'), 0x02],
      [setKey(1, 0, 0, 1, 'k', 'v'), 0x03],
      [bcast('x'), 0x04],
      [append(3, 1, 'a'), 0x05],
      [errorMsg(1, 'does not exist'), 0x80],
      [ackNack(1, 1), 0x81],
      [keyInfo([1, 'k', 'v']), 0x82],
      [setKeyAck(true, 1), 0x83],
    ];
    for (const [m, type] of all) {
      const bytes = encodeMessage(m);
      assert.equal(bytes[0], type, m.type);
      assert.equal(bytes[1], 0, m.type);
    }
  });
});
