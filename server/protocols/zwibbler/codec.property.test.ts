// Property tests for the Zwibbler codec and continuation chunks
// (docs/protocols/zwibbler.md#framing, docs/protocols/zwibbler.md#message-layouts):
// round trips, chunking, and robustness against arbitrary and mutated input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MessageTooBigError, Reassembler, splitIntoChunks } from './chunks';
import { ZwibblerCodecError, decodeMessage, encodeMessage } from './codec';
import type { Message } from './codec';

const RUNS = 500;

const KNOWN_TYPES = [0x01, 0x02, 0x03, 0x04, 0x05, 0x80, 0x81, 0x82, 0x83];

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.oneof(fc.maxSafeNat(), fc.integer({ min: 0, max: 1000 }));
const bytes = (maxLength = 40) => fc.uint8Array({ maxLength });

const initV3 = fc.record({
  type: fc.constant('init' as const),
  // Any version but 2: bytes 2-3 = 00 02 always select the V2 layout
  // (docs/protocols/zwibbler.md#telling-v2-from-v3).
  version: u16.filter((v) => v !== 2),
  maxMessageSize: u32,
  creationMode: u8,
  generation: u32,
  offset: u64,
  docId: fc.oneof(bytes(), bytes(300)),
  initialData: bytes(),
});
const initV2 = fc.record({
  type: fc.constant('init' as const),
  version: fc.constant(2),
  maxMessageSize: u32,
  creationMode: u8,
  generation: fc.constant(0),
  offset: u64,
  docId: fc.oneof(bytes(), bytes(255)),
  initialData: bytes(),
});
const appendV3 = fc.record({
  type: fc.constant('append' as const),
  layout: fc.constant(3 as const),
  generation: u32,
  offset: u64,
  data: bytes(),
});
const appendV2 = fc.record({
  type: fc.constant('append' as const),
  layout: fc.constant(2 as const),
  generation: fc.constant(0),
  offset: u64,
  data: bytes(),
});
const setKey = fc.record({
  type: fc.constant('set-key' as const),
  requestId: u16,
  lifetime: u8,
  oldVersion: u32,
  newVersion: u32,
  name: bytes(),
  value: bytes(),
});
const broadcast = fc.record({ type: fc.constant('broadcast' as const), data: bytes(200) });
const error = fc.record({ type: fc.constant('error' as const), code: u16, description: bytes() });
const ackNack = fc.record({ type: fc.constant('ack-nack' as const), status: u16, length: u64 });
const keyInformation = fc.record({
  type: fc.constant('key-information' as const),
  keys: fc.array(fc.record({ version: u32, name: bytes(), value: bytes() }), { maxLength: 5 }),
});
const setKeyAckNack = fc.record({
  type: fc.constant('set-key-ack-nack' as const),
  accepted: fc.boolean(),
  requestId: u16,
});
const unknown = fc.record({
  type: fc.constant('unknown' as const),
  code: u8.filter((c) => !KNOWN_TYPES.includes(c)),
  body: bytes(),
});

const ARBITRARIES: Record<string, fc.Arbitrary<Message>> = {
  'init V3': initV3,
  'init V2': initV2,
  'append V3': appendV3,
  'append V2': appendV2,
  'set-key': setKey,
  broadcast,
  error,
  'ack-nack': ackNack,
  'key-information (0..5 keys)': keyInformation,
  'set-key-ack-nack': setKeyAckNack,
  'unknown type': unknown,
};
const anyMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(ARBITRARIES));

/** The message with every byte field as hex, so Buffers and Uint8Arrays compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Every Uint8Array reachable from `value`. */
function byteFields(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => byteFields(v, out));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((v) => byteFields(v, out));
  return out;
}

/** Every number reachable from `value`. */
function numberFields(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (value instanceof Uint8Array) return out;
  else if (Array.isArray(value)) value.forEach((v) => numberFields(v, out));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((v) => numberFields(v, out));
  return out;
}

describe('(a) encode → decode round-trips every message type', () => {
  for (const [name, arb] of Object.entries(ARBITRARIES)) {
    test(name, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const encoded = encodeMessage(m);
          assert.equal(encoded[1], 0);
          assert.deepEqual(plain(decodeMessage(encoded)), plain(m));
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('key-information with zero keys round-trips to zero keys', () => {
    const decoded = decodeMessage(encodeMessage({ type: 'key-information', keys: [] }));
    assert.deepEqual(decoded, { type: 'key-information', keys: [] });
  });
});

describe('(b) encode → splitIntoChunks → Reassembler → decode round-trips', () => {
  test('one message, any chunk limit ≥ 3', () => {
    fc.assert(
      fc.property(anyMessage, fc.integer({ min: 3, max: 120 }), (m, max) => {
        const encoded = encodeMessage(m);
        const chunks = splitIntoChunks(encoded, max);
        for (const c of chunks) assert.ok(c.length <= max);
        const r = new Reassembler(1 << 20);
        chunks.slice(0, -1).forEach((c) => assert.equal(r.push(c), null));
        const whole = r.push(chunks.at(-1)!);
        assert.ok(whole);
        assert.equal(r.inProgress, false);
        assert.equal(whole.length, encoded.length);
        assert.deepEqual(plain(decodeMessage(whole)), plain(m));
      }),
      { numRuns: RUNS },
    );
  });

  test('a stream of messages through one Reassembler', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyMessage, fc.integer({ min: 3, max: 60 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (items) => {
          const r = new Reassembler(1 << 20);
          const received: Message[] = [];
          for (const [m, max] of items) {
            for (const c of splitIntoChunks(encodeMessage(m), max)) {
              const whole = r.push(c);
              if (whole) received.push(decodeMessage(whole));
            }
          }
          assert.deepEqual(plain(received), plain(items.map(([m]) => m)));
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });
});

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 2, 0x7f, 0x80, 0xff),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: u8 }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(input);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + (m.kind === 'insert' ? 1 : 0));
    switch (m.kind) {
      case 'flip':
        if (out.length) out[at] = out[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (out.length) out[at] = m.value;
        break;
      case 'insert':
        out.splice(at, 0, m.value);
        break;
      case 'delete':
        out.splice(at, 1);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
    }
  }
  return Uint8Array.from(out);
}

/** decodeMessage either returns a well-formed Message built from views of `input`, or throws ZwibblerCodecError. */
function checkDecodeIsSafe(input: Uint8Array): void {
  let m: Message;
  try {
    m = decodeMessage(input);
  } catch (err) {
    assert.ok(err instanceof ZwibblerCodecError, `unexpected ${String(err)}`);
    return;
  }
  assert.ok(input.length >= 2);
  for (const field of byteFields(m)) {
    // A view into the input: nothing copied, nothing allocated from a length prefix.
    assert.equal(field.buffer, input.buffer);
    assert.ok(field.byteOffset >= input.byteOffset);
    assert.ok(field.byteOffset + field.byteLength <= input.byteOffset + input.byteLength);
    assert.ok(field.length <= input.length);
  }
  for (const n of numberFields(m)) assert.ok(Number.isInteger(n) && n >= 0, `field ${n}`);
  // Whatever decodes with exact numbers re-encodes canonically: same message again.
  if (numberFields(m).every((n) => n <= Number.MAX_SAFE_INTEGER)) {
    assert.deepEqual(plain(decodeMessage(encodeMessage(m))), plain(m));
  }
}

describe('(c) arbitrary input decodes to a Message or throws ZwibblerCodecError', () => {
  test('random byte arrays', () => {
    fc.assert(
      fc.property(bytes(80), (input) => checkDecodeIsSafe(input)),
      { numRuns: RUNS * 2 },
    );
  });

  test('random bodies behind every known type byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN_TYPES), u8, bytes(60), (type, more, body) =>
        checkDecodeIsSafe(Uint8Array.from([type, more, ...body])),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('random mutations of valid encodings', () => {
    fc.assert(
      fc.property(anyMessage, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, muts) =>
        checkDecodeIsSafe(mutate(encodeMessage(m), muts)),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('views into a larger buffer stay inside the window that was passed', () => {
    fc.assert(
      fc.property(bytes(8), anyMessage, bytes(8), (before, m, after) => {
        const encoded = encodeMessage(m);
        const backing = Buffer.concat([before, encoded, after]);
        const window = backing.subarray(before.length, before.length + encoded.length);
        checkDecodeIsSafe(window);
        assert.deepEqual(plain(decodeMessage(window)), plain(m));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('(d) a capped Reassembler never returns more than its cap', () => {
  const CAP = 4096;
  const frame: fc.Arbitrary<Uint8Array> = fc.oneof(
    // Start chunks and whole messages of any type.
    fc
      .tuple(u8, fc.constantFrom(0, 1, 2, 0xff), bytes(1500))
      .map(([t, more, body]) => Uint8Array.from([t, more, ...body])),
    // Continuation chunks.
    fc
      .tuple(fc.constantFrom(0, 1, 1, 7), bytes(1500))
      .map(([more, body]) => Uint8Array.from([0xff, more, ...body])),
    // Frames too short to have a header.
    bytes(1),
    // Large frames, around and beyond the cap.
    fc
      .tuple(u8, fc.constantFrom(0, 1), fc.integer({ min: CAP - 4, max: 3 * CAP }))
      .map(([t, more, size]) => {
        const f = new Uint8Array(size);
        f[0] = t;
        f[1] = more;
        return f;
      }),
  );

  test('random frame sequences', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 30 }), (frames) => {
        const r = new Reassembler(CAP);
        for (const f of frames) {
          let whole: Uint8Array | null;
          try {
            whole = r.push(f);
          } catch (err) {
            assert.ok(err instanceof ZwibblerCodecError, `unexpected ${String(err)}`);
            continue;
          }
          if (whole) assert.ok(whole.length <= CAP, `returned ${whole.length} bytes`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('every message within the cap gets through; every one above it throws MessageTooBigError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 * 300 }),
        fc.integer({ min: 3, max: 400 }),
        (size, max) => {
          const cap = 300;
          const message = new Uint8Array(size);
          message[0] = 0x04;
          const r = new Reassembler(cap);
          let result: Uint8Array | null = null;
          let thrown: unknown = null;
          for (const c of splitIntoChunks(message, max)) {
            try {
              result = r.push(c);
            } catch (err) {
              thrown = err;
              break;
            }
          }
          if (size <= cap) {
            assert.equal(thrown, null);
            assert.equal(result?.length, size);
          } else {
            assert.ok(thrown instanceof MessageTooBigError);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
