// DbCluster=1 and a cluster that is gone: a write is refused within a bounded
// time (docs/operating.md#when-a-write-fails), as with one Redis server,
// instead of waiting in ioredis' cluster-wide offline queue until the
// cluster is back; once it is back, writes are stored again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { startRedisCluster } from '../test/redis-server';
import type { TestRedisCluster } from '../test/redis-server';
import { ZwibblerClient } from '../test/zwibbler-client';

let cluster: TestRedisCluster;
let hub: TestHub;
const dir = tempDir('lanboard-cluster-outage-');
const clients: ZwibblerClient[] = [];

before(async () => {
  cluster = await startRedisCluster(3);
  hub = await startHub({
    Database: 'redis',
    DbCluster: true,
    DbServer: cluster.servers,
    DataDir: dir.dir,
  });
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await hub?.stop();
  await cluster?.stop();
  dir.remove();
});

async function join(docId: string): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId });
  clients.push(c);
  return c;
}

test(
  'every cluster node killed: an append is refused with ERROR and 1011 instead of waiting; appends are stored once the nodes are back',
  { timeout: 120_000 },
  async () => {
    const writer = await join('cluster-outage');
    writer.append(0, 'stored;');
    assert.equal((await writer.nextOf('ack-nack')).status, 1);

    for (const node of cluster.nodes) await node.down();
    writer.append(7, 'refused;');
    // Far shorter than the outage, which lasts until the nodes are started again below.
    const error = await writer.nextOf('error', 30_000);
    assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
    assert.equal((await writer.closed).code, 1011);
    assert.equal(writer.messages.filter((m) => m.type === 'ack-nack').length, 1);

    for (const node of cluster.nodes) await node.up();
    for (let attempt = 0; ; attempt++) {
      const again = await join('cluster-outage');
      const first = again.messages[0] as { type: string; data?: Uint8Array };
      if (first.type === 'append') {
        const before = Buffer.from(first.data ?? []).toString();
        assert.equal(before, 'stored;');
        again.append(before.length, 'after;');
        const reply = await again.next(15_000).catch(() => undefined);
        if (reply?.type === 'ack-nack' && reply.status === 1) break;
      }
      assert.ok(attempt < 40, 'the cluster never took writes again');
      await new Promise((r) => setTimeout(r, 500));
    }
  },
);
