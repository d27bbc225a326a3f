// Path matching and subprotocol parsing for the shared HTTP server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mountedAt, parseSubprotocols, pickEndpoint } from './routes';
import type { WebSocketEndpoint } from './routes';

describe('mountedAt', () => {
  test('a path without a trailing slash matches only itself', () => {
    const m = mountedAt('/socket');
    assert.equal(m.matches('/socket'), true);
    for (const other of ['/socket/', '/socket/x', '/sockets', '/', '/Socket', '']) {
      assert.equal(m.matches(other), false, other);
    }
  });

  test('a trailing slash matches everything under it and the bare path', () => {
    const m = mountedAt('/yjs/');
    for (const inside of ['/yjs', '/yjs/', '/yjs/room', '/yjs/a/b']) {
      assert.equal(m.matches(inside), true, inside);
    }
    for (const outside of ['/yjsx', '/yj', '/', '/other/yjs/']) {
      assert.equal(m.matches(outside), false, outside);
    }
  });

  test('/ matches only the root, not every path', () => {
    const m = mountedAt('/');
    assert.equal(m.matches('/'), true);
    assert.equal(m.matches('/socket'), false);
    assert.equal(m.matches(''), false);
  });
});

describe('parseSubprotocols', () => {
  test('a missing or empty header offers nothing', () => {
    assert.deepEqual(parseSubprotocols(undefined), new Set());
    assert.deepEqual(parseSubprotocols(''), new Set());
    assert.deepEqual(parseSubprotocols(' , ,'), new Set());
  });

  test('splits on commas, trims, drops empties and duplicates, keeps order', () => {
    assert.deepEqual(
      [...parseSubprotocols('beej-chat-protocol')],
      ['beej-chat-protocol'],
      'a single name',
    );
    assert.deepEqual(
      [...parseSubprotocols(' a ,b,, c ,a')],
      ['a', 'b', 'c'],
      'several names with stray spaces',
    );
  });

  test('is case-sensitive, as RFC 6455 subprotocol tokens are', () => {
    assert.deepEqual([...parseSubprotocols('Chat, chat')], ['Chat', 'chat']);
  });
});

describe('pickEndpoint', () => {
  const endpoint = (name: string, path: string, subprotocols?: string[]): WebSocketEndpoint => ({
    name,
    path: mountedAt(path),
    subprotocols,
    accept: () => {
      throw new Error('not used');
    },
  });
  const socket = endpoint('socket', '/socket');
  const chat = endpoint('chat', '/chat', ['beej-chat-protocol']);
  const all = [socket, chat];

  test('a claimed subprotocol wins over the path', () => {
    assert.equal(pickEndpoint(all, '/', new Set(['beej-chat-protocol'])), chat);
    assert.equal(pickEndpoint(all, '/socket', new Set(['x', 'beej-chat-protocol'])), chat);
  });

  test('otherwise the path decides, and an unknown path finds nothing', () => {
    assert.equal(pickEndpoint(all, '/socket', new Set()), socket);
    assert.equal(pickEndpoint(all, '/chat', new Set(['other'])), chat);
    assert.equal(pickEndpoint(all, '/nowhere', new Set(['other'])), undefined);
  });
});
