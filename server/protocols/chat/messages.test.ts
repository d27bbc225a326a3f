// The chat codec on its own: what each client message asks for, and the exact
// JSON the hub sends (the original's shapes and key order,
// docs/protocols/chat.md#messages).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeChatMessage, encodeChatMessage } from './messages';

const limits = { maxMessageChars: 10, maxUsernameChars: 5 };
const decode = (value: unknown) =>
  decodeChatMessage(typeof value === 'string' ? value : JSON.stringify(value), limits);

describe('encodeChatMessage', () => {
  test('join, message and leave in the original JSON shapes', () => {
    const text = (m: Parameters<typeof encodeChatMessage>[0]) =>
      Buffer.from(encodeChatMessage(m)).toString('utf8');
    assert.equal(
      text({ type: 'chat-join', payload: { username: 'ann' } }),
      '{"type":"chat-join","payload":{"username":"ann"}}',
    );
    assert.equal(
      text({ type: 'chat-message', payload: { username: 'ann', message: 'hé 😀' } }),
      '{"type":"chat-message","payload":{"username":"ann","message":"hé 😀"}}',
    );
    assert.equal(
      text({ type: 'chat-leave', payload: { username: 'ann' } }),
      '{"type":"chat-leave","payload":{"username":"ann"}}',
    );
    assert.equal(
      text({ type: 'chat-leave', payload: { username: undefined } }),
      '{"type":"chat-leave","payload":{}}',
    );
  });
});

describe('decodeChatMessage', () => {
  test('chat-join: the username trimmed', () => {
    assert.deepEqual(decode({ type: 'chat-join', payload: { username: ' ann\t' } }), {
      kind: 'join',
      username: 'ann',
    });
  });

  test('chat-message: the message trimmed, its username ignored', () => {
    assert.deepEqual(
      decode({ type: 'chat-message', payload: { username: 'teacher', message: '  hi ' } }),
      { kind: 'message', message: 'hi' },
    );
    assert.deepEqual(decode({ type: 'chat-message', payload: { message: 'hi' } }), {
      kind: 'message',
      message: 'hi',
    });
  });

  test('empty or blank usernames and messages are ignored', () => {
    for (const username of ['', '  ', '\n\t']) {
      assert.equal(decode({ type: 'chat-join', payload: { username } }).kind, 'ignore');
    }
    for (const message of ['', '   ']) {
      assert.equal(decode({ type: 'chat-message', payload: { message } }).kind, 'ignore');
    }
  });

  test('unknown types are ignored, whatever their payload', () => {
    for (const type of ['chat-leave', 'chat-typing', '']) {
      assert.equal(decode({ type }).kind, 'ignore');
    }
  });

  test('input the original crashes on is rejected with a code and a reason', () => {
    const cases: [unknown, number, RegExp][] = [
      ['{', 1002, /malformed JSON/],
      ['', 1002, /malformed JSON/],
      ['[1]', 1002, /JSON object/],
      ['"chat-join"', 1002, /JSON object/],
      ['null', 1002, /JSON object/],
      [{ type: 7, payload: {} }, 1002, /"type"/],
      [{ type: 'chat-message', payload: { username: 'a' } }, 4400, /message string/],
      [{ type: 'chat-message', payload: { message: 5 } }, 4400, /message string/],
      [{ type: 'chat-message', payload: null }, 4400, /payload object/],
      [{ type: 'chat-message', payload: 'hi' }, 4400, /payload object/],
      [{ type: 'chat-join' }, 4400, /payload object/],
      [{ type: 'chat-join', payload: { username: ['x'] } }, 4400, /username string/],
    ];
    for (const [input, code, reason] of cases) {
      const got = decode(input);
      assert.equal(got.kind, 'reject', JSON.stringify(input));
      if (got.kind !== 'reject') continue;
      assert.equal(got.code, code, JSON.stringify(input));
      assert.match(got.reason, reason);
    }
  });

  test('lengths are counted in characters (code points), after trimming', () => {
    assert.equal(
      decode({ type: 'chat-message', payload: { message: '😀'.repeat(10) } }).kind,
      'message',
    );
    assert.equal(
      decode({ type: 'chat-message', payload: { message: ` ${'a'.repeat(10)} ` } }).kind,
      'message',
    );
    const over = decode({ type: 'chat-message', payload: { message: '😀'.repeat(11) } });
    assert.deepEqual(over, {
      kind: 'reject',
      code: 1009,
      reason: 'chat message longer than 10 characters',
    });
    assert.equal(decode({ type: 'chat-join', payload: { username: 'éééé😀' } }).kind, 'join');
    assert.deepEqual(decode({ type: 'chat-join', payload: { username: 'abcdef' } }), {
      kind: 'reject',
      code: 4400,
      reason: 'username longer than 5 characters',
    });
  });
});
