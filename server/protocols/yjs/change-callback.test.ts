// The change callback (docs/protocols/yjs.md#change-callback) through a real hub:
// real y-websocket providers write, and a real HTTP receiver on 127.0.0.1
// records what the hub POSTs.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/load';
import { captureLog } from '../../test/captured-log';
import { sleep, startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { startReceiver, waitFor } from '../../test/http-receiver';
import type { Call, Receiver } from '../../test/http-receiver';
import { openProvider } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';

const SECRET = 'callback-secret';
const roomOf = (c: Call): string | undefined => (JSON.parse(c.body) as { room?: string }).room;
const bodyOf = (c: Call) =>
  JSON.parse(c.body) as { room: string; data: Record<string, { type: string; content: unknown }> };

let receiver: Receiver;
let t: TestHub;
const providers: TestProvider[] = [];

function writer(room: string): TestProvider {
  const p = openProvider(t.wsUrl, room);
  providers.push(p);
  return p;
}

before(async () => {
  receiver = await startReceiver(roomOf);
  t = await startHub({
    YjsCallbackURL: receiver.url,
    YjsCallbackDebounceMs: 300,
    YjsCallbackMaxWaitMs: 1500,
    YjsCallbackObjects: { notes: 'Text', shapes: 'Map' },
    WebhookSecret: SECRET,
  });
});

after(async () => {
  for (const p of providers) p.destroy();
  await t.stop();
  await receiver.close();
});

describe('the change callback', () => {
  test("a burst of edits is one POST with the room and the named types' JSON, signed", async () => {
    const p = writer('lesson-1');
    await p.synced();
    for (const word of ['one ', 'two ', 'three']) {
      p.doc.getText('notes').insert(p.doc.getText('notes').length, word);
    }
    p.doc.getMap('shapes').set('s1', { kind: 'line' });
    const [call] = await receiver.waitForCalls('lesson-1', 1);
    assert.equal(call!.method, 'POST');
    assert.equal(call!.headers['content-type'], 'application/json');
    assert.deepEqual(bodyOf(call!), {
      room: 'lesson-1',
      data: {
        notes: { type: 'Text', content: 'one two three' },
        shapes: { type: 'Map', content: { s1: { kind: 'line' } } },
      },
    });
    const signature = `sha256=${createHmac('sha256', SECRET).update(call!.rawBody).digest('hex')}`;
    assert.equal(call!.headers['x-lanboard-signature'], signature);
    // The debounce wait passes three times over: the burst stays one call.
    await sleep(900);
    assert.equal(receiver.callsFor('lesson-1').length, 1);
  });

  test('edits that never pause still get a call within the longest wait', async () => {
    const p = writer('lesson-2');
    await p.synced();
    const text = p.doc.getText('notes');
    const typing = setInterval(() => text.insert(text.length, 'x'), 100);
    try {
      await receiver.waitForCalls('lesson-2', 1, 10_000);
    } finally {
      clearInterval(typing);
    }
    const first = bodyOf(receiver.callsFor('lesson-2')[0]!).data.notes!.content as string;
    assert.match(first, /^x+$/);
    // The typing went on after that call: the last call holds all of it.
    await waitFor('the last call', () =>
      receiver.callsFor('lesson-2').some((c) => bodyOf(c).data.notes!.content === text.toString()),
    );
  });

  test('each room has its own debounce: a change in one does not swallow the other', async () => {
    const a = writer('room-a');
    const b = writer('room-b');
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('notes').insert(0, 'in a');
    b.doc.getText('notes').insert(0, 'in b');
    const [ca] = await receiver.waitForCalls('room-a', 1);
    const [cb] = await receiver.waitForCalls('room-b', 1);
    assert.equal(bodyOf(ca!).data.notes!.content, 'in a');
    assert.equal(bodyOf(cb!).data.notes!.content, 'in b');
  });

  test('a room that leaves memory before its wait is over is still reported', async () => {
    const p = writer('short-visit');
    await p.synced();
    p.doc.getText('notes').insert(0, 'before leaving');
    await waitFor('stored', () => t.hub.stats().yjsRoomsInMemory > 0);
    p.destroy();
    const [call] = await receiver.waitForCalls('short-visit', 1);
    assert.equal(bodyOf(call!).data.notes!.content, 'before leaving');
  });
});

describe('a receiver that fails', () => {
  test('a refusing or absent receiver costs the room nothing, and is not retried', async () => {
    const refusing = await startReceiver(roomOf, (res) => {
      res.statusCode = 500;
      res.end();
    });
    const hub = await startHub({ YjsCallbackURL: refusing.url, YjsCallbackDebounceMs: 50 });
    try {
      const p = openProvider(hub.wsUrl, 'kept');
      providers.push(p);
      await p.synced();
      p.doc.getText('t').insert(0, 'stored anyway');
      await refusing.waitForCalls('kept', 1);
      await sleep(500);
      assert.equal(refusing.callsFor('kept').length, 1, 'not retried');
      await refusing.close(); // now nobody answers at all
      p.doc.getText('t').insert(0, '!');
      const fresh = openProvider(hub.wsUrl, 'kept');
      providers.push(fresh);
      await fresh.synced();
      await waitFor('synced', () => fresh.doc.getText('t').toString() === '!stored anyway');
    } finally {
      await hub.stop();
    }
  });
});

describe('a slow receiver', () => {
  test('waiting bodies stay within YjsCallbackMaxQueuedBytes: the oldest are dropped, logged and counted', async () => {
    // Answers nothing until released: the hub's four calls stay in flight.
    const held: (() => void)[] = [];
    const slow = await startReceiver(roomOf, (res) => held.push(() => res.end()));
    const log = captureLog('info');
    const hub = await startHub(
      {
        YjsCallbackURL: slow.url,
        // Only rooms leaving memory make calls here.
        YjsCallbackDebounceMs: 600_000,
        YjsCallbackMaxWaitMs: 600_000,
        YjsCallbackTimeoutMs: 60_000,
        YjsCallbackObjects: { notes: 'Text' },
        YjsCallbackMaxQueuedBytes: 64 * 1024,
      },
      { logger: log.logger },
    );
    /** Writes about `chars` into a room, sees it stored, and lets the room leave memory. */
    const visit = async (room: string, chars: number) => {
      const p = openProvider(hub.wsUrl, room);
      const reader = openProvider(hub.wsUrl, room);
      providers.push(p, reader);
      await Promise.all([p.synced(), reader.synced()]);
      p.doc.getText('notes').insert(0, room.padEnd(chars, '.'));
      // Another client has it only once it is stored.
      await waitFor('relayed', () => reader.doc.getText('notes').length === chars);
      p.destroy();
      reader.destroy();
      await waitFor('left memory', () => hub.hub.stats().yjsRoomsInMemory === 0);
    };
    try {
      for (const room of ['busy-1', 'busy-2', 'busy-3', 'busy-4']) await visit(room, 100);
      await waitFor('four calls in flight', () => slow.calls.length === 4);
      // Each about 25 KiB: two fit in 64 KiB, a third drops the oldest.
      const waiting = ['wait-1', 'wait-2', 'wait-3', 'wait-4', 'wait-5'];
      for (const room of waiting) await visit(room, 25_000);
      const dropped = log
        .lines()
        .filter((l) => l.msg.startsWith('change callback dropped'))
        .map((l) => l.room);
      assert.deepEqual(dropped, ['wait-1', 'wait-2', 'wait-3']);
      const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
      assert.match(metrics, /lanboard_limit_hits_total\{limit="YjsCallbackMaxQueuedBytes"\} 3/);

      for (const release of held.splice(0)) release();
      await slow.waitForCalls('wait-5', 1, 10_000);
      await slow.waitForCalls('wait-4', 1, 10_000);
      assert.deepEqual(slow.calls.map(roomOf), [
        'busy-1',
        'busy-2',
        'busy-3',
        'busy-4',
        'wait-4',
        'wait-5',
      ]);
      assert.equal(
        bodyOf(slow.callsFor('wait-5')[0]!).data.notes!.content,
        'wait-5'.padEnd(25_000, '.'),
      );
    } finally {
      for (const release of held.splice(0)) release();
      await hub.stop();
      await slow.close();
    }
  });
});

describe('settings', () => {
  test('YjsCallbackObjects takes a JSON object of known types, and refuses others clearly', () => {
    const ok = loadConfig({ env: { LANBOARD_YJS_CALLBACK_OBJECTS: '{"board":"Map"}' } });
    assert.deepEqual(ok.config.YjsCallbackObjects, { board: 'Map' });
    for (const bad of ['{"board":"Mop"}', '["Map"]', 'Map']) {
      assert.throws(
        () => loadConfig({ env: { LANBOARD_YJS_CALLBACK_OBJECTS: bad } }),
        /LANBOARD_YJS_CALLBACK_OBJECTS.*XmlFragment/,
      );
    }
  });
});
