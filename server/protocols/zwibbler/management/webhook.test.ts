// The idle-session webhook (docs/protocols/zwibbler.md#idle-session-webhook) and
// its fixes (docs/protocols/zwibbler.md#the-webhook-has-a-timeout-retries-and-a-bounded-queue,
// docs/protocols/zwibbler.md#the-webhook-can-be-signed-instead-of-carrying-credentials):
// a real hub, real Zwibbler clients and a real HTTP receiver on 127.0.0.1.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SessionRegistry } from '../../../hub/registry';
import type { Permissions } from '../../../hub/permissions';
import { createLogger } from '../../../log/logger';
import { captureLog } from '../../../test/captured-log';
import { startReceiver as startHttpReceiver, waitFor } from '../../../test/http-receiver';
import type { Receiver, Reply } from '../../../test/http-receiver';
import { sleep, startHub } from '../../../test/hub-fixture';
import type { TestHub } from '../../../test/hub-fixture';
import { ZwibblerClient } from '../../../test/zwibbler-client';
import { attachIdleWebhook, IdleWebhook, idleSessionBody } from './webhook';
import type { IdleWebhookOptions } from './webhook';

// ---- a real receiver ---------------------------------------------------------

const startReceiver = (reply?: Reply): Promise<Receiver> =>
  startHttpReceiver((c) => new URLSearchParams(c.body).get('documentID') ?? undefined, reply);

const expectedSignature = (secret: string, body: Buffer): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const silent = createLogger({ level: 'silent' });

// ---- through a real hub --------------------------------------------------------

async function join(th: TestHub, docId: string): Promise<ZwibblerClient> {
  return ZwibblerClient.join(`${th.wsUrl}/socket`, { docId });
}

// Each suite has its own hub and receiver, and each test its own document: they run at once.
describe('through a real hub', { concurrency: true }, () => {
  describe(
    'idle-session through the hub (credentials and WebhookSecret set)',
    { concurrency: true },
    () => {
      let receiver: Receiver;
      let th: TestHub;

      before(async () => {
        // The first call for hookRetry gets a 500; every other call a 200.
        receiver = await startReceiver((res, call, n) => {
          if (call.body === 'documentID=hookRetry&event=idle-session' && n === 1)
            res.statusCode = 500;
          res.end();
        });
        th = await startHub({
          Webhook: receiver.url,
          WebhookDelaySeconds: 1,
          SecretUser: 'admin',
          SecretPassword: 'secret',
          WebhookSecret: 'whsec',
        });
      });
      after(async () => {
        await th.stop();
        await receiver.close();
      });

      test('fires WebhookDelaySeconds after the last client leaves, with the reference request', async () => {
        const a = await join(th, 'hookA');
        const b = await join(th, 'hookA');
        await a.close();
        await sleep(1300); // longer than the delay: one client is still there
        assert.equal(receiver.callsFor('hookA').length, 0, 'no call while a client remains');

        const left = Date.now();
        await b.close();
        const [call] = await receiver.waitForCalls('hookA', 1);
        const waited = call!.at - left;
        assert.ok(waited >= 990, `sent after ${waited} ms, before the 1 s delay`);
        assert.ok(waited < 3000, `sent after ${waited} ms`);
        assert.equal(call!.method, 'POST');
        assert.equal(call!.path, '/hook');
        assert.equal(call!.headers['content-type'], 'application/x-www-form-urlencoded');
        assert.equal(call!.body, 'documentID=hookA&event=idle-session');
        assert.equal(call!.headers['content-length'], '35');
        assert.match(String(call!.headers['user-agent']), /^lanboard\/\d+\.\d+\.\d+/);
        await sleep(200);
        assert.equal(receiver.callsFor('hookA').length, 1, 'exactly one call');
      });

      test('a rejoin within the delay cancels it, and the next idle period fires again', async () => {
        const first = await join(th, 'hookB');
        await first.close();
        await sleep(400);
        const again = await join(th, 'hookB');
        await sleep(1200); // past the first event's due time
        assert.equal(receiver.callsFor('hookB').length, 0, 'the rejoin cancelled the event');

        const left = Date.now();
        await again.close();
        const [call] = await receiver.waitForCalls('hookB', 1);
        assert.ok(call!.at - left >= 990, 'a new event, with its own full delay');
        assert.equal(call!.body, 'documentID=hookB&event=idle-session');
        await sleep(200);
        assert.equal(receiver.callsFor('hookB').length, 1);
      });

      test('a 500 is retried after 1 s with the same body', async () => {
        const c = await join(th, 'hookRetry');
        await c.close();
        const calls = await receiver.waitForCalls('hookRetry', 2, 10_000);
        assert.equal(calls.length, 2);
        assert.equal(calls[0]!.body, 'documentID=hookRetry&event=idle-session');
        assert.equal(calls[1]!.body, calls[0]!.body);
        assert.equal(
          calls[1]!.headers['x-lanboard-signature'],
          calls[0]!.headers['x-lanboard-signature'],
        );
        const gap = calls[1]!.at - calls[0]!.at;
        assert.ok(gap >= 990, `retried after ${gap} ms; the first backoff is 1 s`);
      });

      test('X-Lanboard-Signature is the HMAC-SHA256 of the body keyed by WebhookSecret', async () => {
        const c = await join(th, 'hookSig');
        await c.close();
        const [call] = await receiver.waitForCalls('hookSig', 1);
        const header = call!.headers['x-lanboard-signature'];
        assert.equal(typeof header, 'string');
        assert.equal(header, expectedSignature('whsec', call!.rawBody));
        assert.notEqual(header, expectedSignature('other', call!.rawBody));
      });

      test('sends the management credentials as Basic auth by default', async () => {
        const c = await join(th, 'hookCred');
        await c.close();
        const [call] = await receiver.waitForCalls('hookCred', 1);
        assert.equal(call!.headers.authorization, 'Basic YWRtaW46c2VjcmV0');
      });
    },
  );

  describe('idle-session through the hub with WebhookSendCredentials=false', () => {
    test('sends no Authorization header, and still signs', async () => {
      const receiver = await startReceiver();
      const th = await startHub({
        Webhook: receiver.url,
        WebhookDelaySeconds: 1,
        SecretUser: 'admin',
        SecretPassword: 'secret',
        WebhookSecret: 'whsec',
        WebhookSendCredentials: false,
      });
      try {
        const c = await join(th, 'noCreds');
        await c.close();
        const [call] = await receiver.waitForCalls('noCreds', 1);
        assert.equal(call!.headers.authorization, undefined);
        assert.equal(
          call!.headers['x-lanboard-signature'],
          expectedSignature('whsec', call!.rawBody),
        );
      } finally {
        await th.stop();
        await receiver.close();
      }
    });
  });

  describe('idle-session through the hub without WebhookSecret', () => {
    test('sends no signature header, and still sends the credentials', async () => {
      const receiver = await startReceiver();
      const th = await startHub({
        Webhook: receiver.url,
        WebhookDelaySeconds: 1,
        SecretUser: 'admin',
        SecretPassword: 'secret',
      });
      try {
        const c = await join(th, 'unsigned');
        await c.close();
        const [call] = await receiver.waitForCalls('unsigned', 1);
        assert.equal(call!.headers['x-lanboard-signature'], undefined);
        assert.equal(call!.headers.authorization, 'Basic YWRtaW46c2VjcmV0');
      } finally {
        await th.stop();
        await receiver.close();
      }
    });
  });

  describe('a receiver that never answers', () => {
    test('does not hold up other hub work, and stop() returns promptly', async () => {
      const receiver = await startReceiver(() => {
        // never answers
      });
      const th = await startHub({ Webhook: receiver.url, WebhookDelaySeconds: 1 });
      let stopped = false;
      try {
        const c = await join(th, 'hang');
        await c.close();
        const [call] = await receiver.waitForCalls('hang', 1);

        // While that call hangs, the hub serves other documents as usual.
        const started = Date.now();
        const writer = await join(th, 'busy');
        const reader = await join(th, 'busy');
        writer.append(0, 'hello');
        const ack = await writer.nextOf('ack-nack', 2000);
        assert.equal(ack.status, 1);
        assert.equal(ack.length, 5);
        const fanned = await reader.nextOf('append', 2000);
        assert.equal(Buffer.from(fanned.data).toString(), 'hello');
        assert.ok(Date.now() - started < 1000, 'joins and appends were not held up');
        await writer.close();
        await reader.close();

        const stopStarted = Date.now();
        await th.stop();
        stopped = true;
        const took = Date.now() - stopStarted;
        assert.ok(took < 2000, `stop() took ${took} ms`);
        // The hung call was aborted, not left open.
        await Promise.race([
          call!.closed,
          sleep(1000).then(() => assert.fail('the hung call is still open')),
        ]);
      } finally {
        if (!stopped) await th.stop();
        await receiver.close();
      }
    });
  });
});

// ---- the class on its own, with short times ------------------------------------------

function webhook(
  receiver: Receiver | string,
  options: Partial<IdleWebhookOptions> = {},
): IdleWebhook {
  return new IdleWebhook({
    url: typeof receiver === 'string' ? receiver : receiver.url,
    delayMs: 0,
    retries: 5,
    backoffBaseMs: 40,
    log: silent,
    ...options,
  });
}

describe('IdleWebhook', () => {
  test('retries a 5xx with exponential backoff, and stops at the first 2xx', async () => {
    const receiver = await startReceiver((res, _call, n) => {
      res.statusCode = n <= 3 ? 503 : 204;
      res.end();
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { backoffBaseMs: 40, retries: 5, log });
    try {
      hook.documentIdle('d');
      const calls = await receiver.waitForCalls('d', 4);
      const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
      for (const [i, expected] of [40, 80, 160].entries()) {
        assert.ok(
          gaps[i]! >= expected - 5,
          `retry ${i + 1} after ${gaps[i]} ms, expected ${expected}`,
        );
      }
      assert.ok(gaps[2]! > gaps[0]!, `backoff grows: ${gaps.join(', ')}`);
      await sleep(500); // longer than the next backoff (320 ms)
      assert.equal(receiver.callsFor('d').length, 4, 'nothing after the 2xx');
      assert.equal(hook.pending, 0);
      const logged = lines();
      const retries = logged.filter((l) => l.msg === 'idle-session webhook failed; will retry');
      assert.deepEqual(
        retries.map((l) => [l.level, l.status, l.retryInMs]),
        [
          [40, 503, 40],
          [40, 503, 80],
          [40, 503, 160],
        ],
      );
      const delivered = logged.find((l) => l.msg === 'idle-session webhook delivered');
      assert.equal(delivered?.level, 30); // info
      assert.equal(delivered?.status, 204);
      assert.equal(delivered?.attempt, 4);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('gives up after WebhookRetries retries, and caps each backoff', async () => {
    const receiver = await startReceiver((res) => {
      res.statusCode = 500;
      res.end();
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { backoffBaseMs: 20, backoffMaxMs: 50, retries: 3, log });
    try {
      hook.documentIdle('d');
      const calls = await receiver.waitForCalls('d', 4);
      await sleep(300);
      assert.equal(receiver.callsFor('d').length, 4, '1 attempt + 3 retries');
      const retryIn = lines()
        .filter((l) => l.msg === 'idle-session webhook failed; will retry')
        .map((l) => l.retryInMs);
      assert.deepEqual(retryIn, [20, 40, 50]);
      assert.ok(calls[3]!.at - calls[2]!.at >= 45);
      const gaveUp = lines().find((l) => l.msg === 'idle-session webhook failed; giving up');
      assert.equal(gaveUp?.level, 40); // warn
      assert.equal(gaveUp?.attempt, 4);
      assert.equal(hook.pending, 0);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('does not retry a 4xx', async () => {
    const receiver = await startReceiver((res) => {
      res.statusCode = 404;
      res.end();
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { backoffBaseMs: 20, log });
    try {
      hook.documentIdle('d');
      await receiver.waitForCalls('d', 1);
      await sleep(200); // ten first backoffs
      assert.equal(receiver.callsFor('d').length, 1);
      const refused = lines().find((l) => l.msg === 'idle-session webhook refused; not retried');
      assert.equal(refused?.status, 404);
      assert.equal(refused?.level, 40);
      assert.equal(hook.pending, 0);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('retries after a network error (connection reset)', async () => {
    const receiver = await startReceiver((res, _call, n) => {
      if (n === 1) res.socket?.destroy();
      else res.end();
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { backoffBaseMs: 20, log });
    try {
      hook.documentIdle('d');
      await receiver.waitForCalls('d', 2);
      await waitFor('delivery', () => hook.pending === 0, 2000);
      const retry = lines().find((l) => l.msg === 'idle-session webhook failed; will retry');
      assert.equal(typeof retry?.error, 'string');
      assert.equal(retry?.status, undefined);
      assert.ok(lines().some((l) => l.msg === 'idle-session webhook delivered'));
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('retries after the receiver does not answer within the timeout', async () => {
    const receiver = await startReceiver((res, _call, n) => {
      if (n > 1) res.end(); // the first call is left hanging
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { timeoutMs: 150, backoffBaseMs: 20, log });
    try {
      hook.documentIdle('d');
      const calls = await receiver.waitForCalls('d', 2);
      assert.ok(calls[1]!.at - calls[0]!.at >= 150 + 20 - 5, 'timed out, then backed off');
      await Promise.race([
        calls[0]!.closed,
        sleep(1000).then(() => assert.fail('the timed-out call is still open')),
      ]);
      const retry = lines().find((l) => l.msg === 'idle-session webhook failed; will retry');
      assert.equal(retry?.error, 'no answer within 150 ms');
      await waitFor('delivery', () => hook.pending === 0, 2000);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('a document ID is URL-escaped in the body, and signed over those exact bytes', async () => {
    const receiver = await startReceiver();
    const id = 'a b&c=d/é?';
    const hook = webhook(receiver, { secret: 'k' });
    try {
      hook.documentIdle(id);
      const [call] = await receiver.waitForCalls(id, 1);
      assert.equal(call!.body, 'documentID=a+b%26c%3Dd%2F%C3%A9%3F&event=idle-session');
      assert.equal(call!.body, idleSessionBody(id));
      assert.equal(call!.headers['content-length'], String(call!.rawBody.length));
      assert.equal(call!.headers['x-lanboard-signature'], expectedSignature('k', call!.rawBody));
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('documentActive cancels only an event still in its delay', async () => {
    const receiver = await startReceiver();
    const hook = webhook(receiver, { delayMs: 100 });
    try {
      hook.documentIdle('x');
      hook.documentIdle('y');
      hook.documentActive('x');
      assert.equal(hook.pending, 1);
      await receiver.waitForCalls('y', 1);
      await sleep(150);
      assert.equal(receiver.callsFor('x').length, 0);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('bounded: past maxPending the oldest waiting event is dropped with a warning', async () => {
    const receiver = await startReceiver();
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { delayMs: 100, maxPending: 3, log });
    try {
      for (const id of ['d1', 'd2', 'd3', 'd4', 'd5']) hook.documentIdle(id);
      assert.equal(hook.pending, 3);
      const dropped = lines().filter(
        (l) => l.msg === 'webhook queue full; dropped the oldest idle-session event',
      );
      assert.deepEqual(
        dropped.map((l) => [l.level, l.documentID]),
        [
          [40, 'd1'],
          [40, 'd2'],
        ],
      );
      await waitFor('three calls', () => receiver.calls.length >= 3, 2000);
      await sleep(200);
      const sent = receiver.calls.map((c) => new URLSearchParams(c.body).get('documentID'));
      assert.deepEqual(sent.sort(), ['d3', 'd4', 'd5']);
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });

  test('bounded: calls in flight do not count, events due or in their delay do', async () => {
    const receiver = await startReceiver(() => {
      // never answers: everything stays in flight until stop()
    });
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook(receiver, { delayMs: 10_000, maxPending: 2, maxConcurrent: 1, log });
    const quick = webhook(receiver, { maxPending: 2, maxConcurrent: 1, log });
    try {
      // One call in flight, two more ready behind it: the in-flight one is not counted.
      quick.documentIdle('q1');
      await receiver.waitForCalls('q1', 1);
      quick.documentIdle('q2');
      quick.documentIdle('q3');
      await sleep(50);
      assert.equal(quick.pending, 3, 'q1 in flight, q2 and q3 waiting');
      quick.documentIdle('q4');
      await sleep(50);
      assert.equal(quick.pending, 3, 'the oldest waiting event (q2) was dropped');
      const dropped = lines()
        .filter((l) => l.msg === 'webhook queue full; dropped the oldest idle-session event')
        .map((l) => l.documentID);
      assert.deepEqual(dropped, ['q2']);
      assert.equal(receiver.callsFor('q2').length, 0);

      // Events still in their delay count too.
      hook.documentIdle('h1');
      hook.documentIdle('h2');
      hook.documentIdle('h3');
      assert.equal(hook.pending, 2);
    } finally {
      await Promise.all([hook.stop(), quick.stop()]);
      await receiver.close();
    }
  });

  test('holds at most 10,000 waiting events by default', async () => {
    const { logger: log, lines } = captureLog('debug');
    const hook = webhook('http://127.0.0.1:9/never', { delayMs: 60_000, log });
    try {
      for (let i = 0; i < 10_005; i++) hook.documentIdle(`doc${i}`);
      assert.equal(hook.pending, 10_000);
      const dropped = lines()
        .filter((l) => l.msg === 'webhook queue full; dropped the oldest idle-session event')
        .map((l) => l.documentID);
      assert.deepEqual(dropped, ['doc0', 'doc1', 'doc2', 'doc3', 'doc4']);
    } finally {
      await hook.stop();
    }
    assert.equal(hook.pending, 0);
  });

  test('stop() cancels delays, backoffs and calls in flight, and sends nothing afterwards', async () => {
    const receiver = await startReceiver((res, call) => {
      if (call.body.includes('fails')) {
        res.statusCode = 500;
        res.end();
      }
      // 'hangs' is never answered
    });
    const hook = webhook(receiver, { backoffBaseMs: 300 });
    const later = webhook(receiver, { delayMs: 300 });
    hook.documentIdle('fails');
    hook.documentIdle('hangs');
    later.documentIdle('delayed');
    const [hung] = await receiver.waitForCalls('hangs', 1);
    await receiver.waitForCalls('fails', 1); // now waiting 300 ms to retry
    const started = Date.now();
    await Promise.all([hook.stop(), later.stop()]);
    assert.ok(Date.now() - started < 200, 'stop() did not wait for the receiver');
    assert.equal(hook.pending, 0);
    assert.equal(later.pending, 0);
    await Promise.race([
      hung!.closed,
      sleep(1000).then(() => assert.fail('the call in flight was not aborted')),
    ]);
    hook.documentIdle('after-stop');
    await sleep(400); // past the retry, the delay and any new event
    assert.equal(receiver.callsFor('fails').length, 1);
    assert.equal(receiver.callsFor('delayed').length, 0);
    assert.equal(receiver.callsFor('after-stop').length, 0);
    await receiver.close();
  });

  test('logs never carry the credentials or the secret', async () => {
    const receiver = await startReceiver((res, _call, n) => {
      res.statusCode = n === 1 ? 500 : n === 2 ? 400 : 200;
      res.end();
    });
    const { logger: log, text } = captureLog('debug');
    const hook = webhook(receiver, {
      credentials: { user: 'admin', password: 'hunter2pw' },
      secret: 'whsec-value',
      backoffBaseMs: 10,
      log,
    });
    try {
      hook.documentIdle('d');
      await receiver.waitForCalls('d', 2);
      await waitFor('the outcome', () => hook.pending === 0, 2000);
      const [call] = receiver.callsFor('d');
      assert.equal(
        call!.headers.authorization,
        `Basic ${Buffer.from('admin:hunter2pw').toString('base64')}`,
      );
      const logged = text();
      assert.ok(logged.includes('will retry'), 'the outcomes were logged');
      for (const secret of [
        'hunter2pw',
        'whsec-value',
        Buffer.from('admin:hunter2pw').toString('base64'),
      ]) {
        assert.ok(!logged.includes(secret), `the log contains ${secret}`);
      }
      const signature = String(call!.headers['x-lanboard-signature']).slice('sha256='.length);
      assert.ok(!logged.includes(signature), 'the log contains the signature');
    } finally {
      await hook.stop();
      await receiver.close();
    }
  });
});

describe('attachIdleWebhook', () => {
  const RW: Permissions = { read: true, write: true, admin: false };
  let n = 0;
  const addClient = (registry: SessionRegistry, protocol: string, room: string): (() => void) =>
    registry.add(
      {
        id: `c${++n}`,
        protocol,
        room,
        remoteAddress: '127.0.0.1',
        userId: 'u',
        permissions: RW,
        connectedAt: 0,
      },
      { kick: () => {}, setPermissions: () => {} },
    );

  test('maps Zwibbler rooms closing and opening to documentIdle and documentActive', () => {
    const registry = new SessionRegistry();
    const seen: string[] = [];
    const detach = attachIdleWebhook(registry, {
      documentIdle: (id) => seen.push(`idle ${id}`),
      documentActive: (id) => seen.push(`active ${id}`),
    });
    const a = addClient(registry, 'zwibbler', 'doc1');
    const b = addClient(registry, 'zwibbler', 'doc1');
    a();
    b();
    addClient(registry, 'zwibbler', 'doc1')();
    assert.deepEqual(seen, ['active doc1', 'idle doc1', 'active doc1', 'idle doc1']);
    detach();
    addClient(registry, 'zwibbler', 'doc2')();
    assert.equal(seen.length, 4, 'detached');
  });

  test('ignores rooms of other protocols', () => {
    const registry = new SessionRegistry();
    const seen: string[] = [];
    attachIdleWebhook(registry, {
      documentIdle: (id) => seen.push(`idle ${id}`),
      documentActive: (id) => seen.push(`active ${id}`),
    });
    addClient(registry, 'yjs', 'doc1')();
    addClient(registry, 'signaling', 'doc1')();
    assert.deepEqual(seen, []);
  });
});
