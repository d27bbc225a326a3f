// Failures with hubs on a shared Redis: a hub killed outright (its clients
// move to another hub and carry on; its clients' keys are cleared), and
// redis-server restarted in the middle of writes (no acknowledged append lost).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnHub, killAllHubs } from '../test/child-hub';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { setKeyMessage, ZwibblerClient } from '../test/zwibbler-client';
import { ZwibblerWriter } from '../test/zwibbler-writer';

let redis: TestRedis;
const closers: (() => unknown)[] = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const close of closers) await close();
  await killAllHubs();
  await redis.stop();
});

const redisHub = async (): Promise<TestHub> => {
  const hub = await startHub({ Database: 'redis', DbServer: redis.server });
  closers.push(() => hub.stop());
  return hub;
};

/** Every acknowledged append is in `doc` at its offset. */
function assertAcksKept(doc: Buffer, writers: ZwibblerWriter[]): void {
  for (const w of writers) {
    for (const a of w.acked) {
      assert.deepEqual(
        doc.subarray(a.offset, a.offset + a.data.length),
        a.data,
        `ack at ${a.offset}`,
      );
    }
  }
}

describe('a hub dies', () => {
  test('its clients resume on another hub and converge; their keys are cleared', async () => {
    const doomed = await spawnHub(['--db', 'redis'], { LANBOARD_DB_SERVER: redis.server });
    const survivor = await redisHub();
    const doomedUrl = `${doomed.wsUrl}/socket`;
    const survivorUrl = `${survivor.wsUrl}/socket`;

    const a = await ZwibblerWriter.join(doomedUrl, { docId: 'failover', initialData: 'start' });
    const b = await ZwibblerWriter.join(survivorUrl, { docId: 'failover' });
    const watcher = await ZwibblerClient.join(survivorUrl, { docId: 'failover' });
    closers.push(
      () => a.close(),
      () => b.close(),
      () => watcher.close(),
    );
    a.client.send(setKeyMessage({ name: 'cursor', value: 'a was here', newVersion: 1 }));
    assert.equal((await watcher.nextOf('key-information')).keys.length, 1);

    for (let n = 0; n < 10; n++) await Promise.all([a.write(`a${n};`), b.write(`b${n};`)]);
    await doomed.stop('SIGKILL');

    // The client notices, moves to the surviving hub and resumes from its own end.
    await a.reconnect(survivorUrl, 'failover');
    for (let n = 10; n < 20; n++) await Promise.all([a.write(`a${n};`), b.write(`b${n};`)]);
    const total = Math.max(a.end, b.end);
    await Promise.all([a.reach(total), b.reach(total)]);
    assert.deepEqual(a.bytes(), b.bytes());
    assertAcksKept(b.bytes(), [a, b]);
    assert.equal(a.acked.length + b.acked.length, 40);

    // The dead hub's client keys are cleared by a surviving hub (presence TTL).
    const cleared = await watcher.nextOf('key-information', 20_000);
    assert.deepEqual(
      cleared.keys.map((k) => [Buffer.from(k.name).toString(), k.version, k.value.length]),
      [['cursor', 2, 0]],
    );
  });
});

describe('redis-server restarts during writes', () => {
  test('no acknowledged append is lost, and every client converges', async () => {
    const hubs = [await redisHub(), await redisHub()];
    const url = (i: number) => `${hubs[i % 2]!.wsUrl}/socket`;
    const writers = [await ZwibblerWriter.join(url(0), { docId: 'outage', initialData: 'start' })];
    for (let i = 1; i < 4; i++)
      writers.push(await ZwibblerWriter.join(url(i), { docId: 'outage' }));
    closers.push(() => Promise.all(writers.map((w) => w.close())));

    let stop = false;
    const writing = writers.map(async (w, i) => {
      for (let n = 0; !stop; n++) {
        try {
          await w.write(`[${i}:${n}]`);
        } catch {
          // The hub closed the connection: come back, as a real client does.
          await w.reconnect(url(i + n), 'outage');
        }
      }
    });
    const acks = () => writers.reduce((sum, w) => sum + w.acked.length, 0);
    await new Promise((r) => setTimeout(r, 500));
    const beforeOutage = acks();
    await redis.restart(300);
    const afterOutage = acks();
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(writing);
    assert.ok(beforeOutage > 0, 'writes before the restart');
    assert.ok(acks() > afterOutage, 'writes go on after the restart');

    const fresh = await ZwibblerWriter.join(url(1), { docId: 'outage' });
    closers.push(() => fresh.close());
    const doc = fresh.bytes();
    assertAcksKept(doc, writers);
    assert.ok(writers.every((w) => w.acked.length > 0));
    await Promise.all(writers.map((w) => w.reach(doc.length)));
    for (const w of writers) assert.deepEqual(w.bytes().subarray(0, doc.length), doc);
  });
});
