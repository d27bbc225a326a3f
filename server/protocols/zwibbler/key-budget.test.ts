// What a document's keys may hold (docs/protocols/zwibbler.md#limits): one key
// up to MaxKeyBytes, all of a document's keys up to MaxDocumentKeyBytes (its
// document keys, and apart its client keys). A SET_KEY past either is refused
// as any refused SET_KEY is (0x83 with 0), logged with the address and counted
// in /metrics; the document and its other members go on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LogRing } from '../../log/logger';
import { startHub } from '../../test/hub-fixture';
import { startRedis } from '../../test/redis-server';
import type { TestRedis } from '../../test/redis-server';
import type { TestHub } from '../../test/hub-fixture';
import { setKeyMessage, ZwibblerClient } from '../../test/zwibbler-client';

let t: TestHub;
const logs = new LogRing();
const clients: ZwibblerClient[] = [];
let n = 0;

before(async () => {
  t = await startHub(
    { MaxKeyBytes: 1024, MaxDocumentKeyBytes: 3000, LogLevel: 'warn' },
    { logRing: logs },
  );
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  await t.stop();
});

async function join(docId: string, hub: TestHub = t): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId });
  clients.push(c);
  return c;
}

async function hits(limit: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`lanboard_limit_hits_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Sets a key and returns whether the hub accepted it. */
async function setKey(
  c: ZwibblerClient,
  name: string,
  bytes: number,
  o: { lifetime: number; oldVersion?: number; newVersion?: number },
): Promise<boolean> {
  const requestId = ++n;
  const newVersion = o.newVersion ?? 1;
  c.send(
    setKeyMessage({
      name,
      value: 'v'.repeat(bytes),
      lifetime: o.lifetime,
      oldVersion: o.oldVersion ?? 0,
      newVersion,
      requestId,
    }),
  );
  // The reference sends no reply to a success whose old and new version are equal; these differ.
  const reply = await c.nextOf('set-key-ack-nack');
  assert.equal(reply.type === 'set-key-ack-nack' && reply.requestId, requestId);
  return reply.type === 'set-key-ack-nack' && reply.accepted;
}

/** The other member still gets the writer's appends. */
async function assertStillServing(writer: ZwibblerClient, reader: ZwibblerClient): Promise<void> {
  writer.append(0, 'still here');
  const m = await reader.nextOf('append');
  assert.equal(m.type === 'append' && Buffer.from(m.data).toString(), 'still here');
}

describe('Zwibbler key budgets', () => {
  test('a key over MaxKeyBytes is refused, logged with the address, and counted', async () => {
    const before = await hits('MaxKeyBytes');
    const a = await join('big-key');
    const b = await join('big-key');
    for (const lifetime of [0, 1]) {
      assert.equal(await setKey(a, 'k', 1024, { lifetime }), false, `lifetime ${lifetime}`);
      assert.equal(await setKey(a, 'k', 1023, { lifetime }), true, `lifetime ${lifetime}`);
    }
    assert.equal(await hits('MaxKeyBytes'), before + 2);
    assert.ok(
      logs
        .recent()
        .some((l) => l.includes('over MaxKeyBytes') && l.includes('"remote":"127.0.0.1"')),
    );
    await assertStillServing(a, b);
  });

  for (const [kind, lifetime] of [
    ['document keys', 1],
    ['client keys', 0],
  ] as const) {
    test(`${kind} past MaxDocumentKeyBytes are refused; a joiner gets the keys within it`, async () => {
      const doc = `budget-${lifetime}`;
      const before = await hits('MaxDocumentKeyBytes');
      const a = await join(doc);
      const b = await join(doc);
      // Three keys of 2 + 990 bytes: 2976 of 3000.
      for (let i = 0; i < 3; i++) assert.ok(await setKey(a, `k${i}`, 990, { lifetime }));
      assert.equal(await setKey(a, 'k3', 100, { lifetime }), false);
      assert.equal(await setKey(a, 'k0', 1020, { lifetime, oldVersion: 1, newVersion: 2 }), false);
      // Replacing a key with one no larger is always let through.
      assert.ok(await setKey(a, 'k0', 500, { lifetime, oldVersion: 1, newVersion: 2 }));
      assert.ok(await setKey(a, 'k3', 80, { lifetime }));
      assert.equal(await hits('MaxDocumentKeyBytes'), before + 2);

      // The joiner is sent every key the budget held, and no more.
      const c = await join(doc);
      const names = new Map<string, number>();
      while (names.size < 4) {
        const m = await c.nextOf('key-information');
        if (m.type !== 'key-information') continue;
        for (const k of m.keys) names.set(Buffer.from(k.name).toString(), k.value.length);
      }
      assert.deepEqual([...names].sort(), [
        ['k0', 500],
        ['k1', 990],
        ['k2', 990],
        ['k3', 80],
      ]);
      assert.ok(await c.quiet());
      await assertStillServing(a, b);
    });
  }
});

describe('Zwibbler key budgets across hubs on Redis', () => {
  let redis: TestRedis;
  const hubs: TestHub[] = [];

  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      hubs.push(
        await startHub({ Database: 'redis', DbServer: redis.server, MaxDocumentKeyBytes: 3000 }),
      );
    }
  });

  after(async () => {
    for (const hub of hubs) await hub.stop();
    await redis.stop();
  });

  for (const [kind, lifetime] of [
    ['document keys', 1],
    ['client keys', 0],
  ] as const) {
    test(`${kind} set on one hub count against the budget on the other`, async () => {
      const doc = `shared-budget-${lifetime}`;
      const a = await join(doc, hubs[0]);
      const b = await join(doc, hubs[1]);
      for (let i = 0; i < 3; i++) assert.ok(await setKey(a, `k${i}`, 990, { lifetime }));
      assert.equal(await setKey(b, 'k3', 100, { lifetime }), false);
      assert.ok(await setKey(b, 'k0', 10, { lifetime, oldVersion: 1, newVersion: 2 }));
      assert.ok(await setKey(b, 'k3', 100, { lifetime }));
    });
  }
});
