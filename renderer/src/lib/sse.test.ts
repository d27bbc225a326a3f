import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SseParser } from './sse';

describe('SseParser', () => {
  test('events split anywhere across chunks, even inside a UTF-8 character', () => {
    const text = 'event: stats\ndata: {"n":1}\n\n: keepalive\n\nevent: log\ndata: é\ndata: two\n\n';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(bytes.slice(0, cut)), ...p.push(bytes.slice(cut))];
      assert.deepEqual(
        events.map((e) => [e.event, e.data]),
        [
          ['stats', '{"n":1}'],
          ['log', 'é\ntwo'],
        ],
        `cut at ${cut}`,
      );
    }
  });

  test('CRLF and CR line ends, ids, default event name, data without a space', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('id: 7\r\ndata:plain\r\n\r\nevent: x\rdata: y\r\r'), [
      { event: 'message', data: 'plain', id: '7' },
    ]);
    // A final CR might be the first half of CRLF: the event completes with the next byte.
    assert.deepEqual(p.push(':'), [{ event: 'x', data: 'y', id: '7' }]);
  });

  test('an event without data is dropped; an unfinished one waits', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('event: nothing\n\nevent: later\ndata: 1\n'), []);
    assert.deepEqual(p.push('\n'), [{ event: 'later', data: '1', id: undefined }]);
  });
});
