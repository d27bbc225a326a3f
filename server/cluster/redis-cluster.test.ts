// DbCluster=1: two hubs on a real three-node Redis Cluster. Every script
// touches one slot (keys are hash-tagged per document or room), the other
// commands go one by one, and pub/sub reaches the hubs whichever node they use.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedisCluster } from '../test/redis-server';
import type { TestRedisCluster } from '../test/redis-server';
import { waitFor } from '../test/sse-client';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import { setKeyMessage, ZwibblerClient } from '../test/zwibbler-client';
import { ZwibblerWriter } from '../test/zwibbler-writer';

let cluster: TestRedisCluster;
const hubs: TestHub[] = [];
const closers: (() => unknown)[] = [];

before(async () => {
  cluster = await startRedisCluster(3);
  for (let i = 0; i < 2; i++) {
    hubs.push(
      await startHub({
        Database: 'redis',
        DbCluster: true,
        DbServer: cluster.servers,
        Expiration: 3600,
      }),
    );
  }
});

after(async () => {
  for (const close of closers) await close();
  for (const hub of hubs) await hub.stop();
  await cluster.stop();
});

test('documents on many slots: racing appends from two hubs converge, keys cross', async () => {
  const url = (i: number) => `${hubs[i % 2]!.wsUrl}/socket`;
  // Several documents, so their hash tags land on different nodes.
  for (const docId of ['lesson-a', 'lesson-b', 'lesson-c', 'lesson-d']) {
    const writers = [await ZwibblerWriter.join(url(0), { docId, initialData: 'start' })];
    writers.push(await ZwibblerWriter.join(url(1), { docId }));
    closers.push(() => Promise.all(writers.map((w) => w.close())));
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 5; n++) await w.write(`[${i}:${n}]`);
      }),
    );
    const total = 5 + writers.flatMap((w) => w.acked).reduce((s, a) => s + a.data.length, 0);
    await Promise.all(writers.map((w) => w.reach(total)));
    assert.deepEqual(writers[0]!.bytes(), writers[1]!.bytes(), docId);
  }
  const a = await ZwibblerClient.join(url(0), { docId: 'lesson-a' });
  const b = await ZwibblerClient.join(url(1), { docId: 'lesson-a' });
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  a.send(setKeyMessage({ name: 'title', value: 'Fractions', lifetime: 1, newVersion: 1 }));
  assert.equal((await a.nextOf('set-key-ack-nack')).accepted, true);
  assert.equal(
    Buffer.from((await b.nextOf('key-information')).keys[0]!.value).toString(),
    'Fractions',
  );
});

test('a Yjs room on two hubs converges through the cluster', async () => {
  const providers: TestProvider[] = hubs.map((h) => openProvider(h.wsUrl, 'cluster-board'));
  closers.push(() => providers.forEach((p) => p.destroy()));
  await Promise.all(providers.map((p) => p.synced()));
  providers.forEach((p, i) => p.doc.getArray<string>('s').push([`from hub ${i}`]));
  await waitFor(
    () => providers.every((p) => p.doc.getArray('s').length === 2),
    10_000,
    'the room did not converge',
  );
});
