// The DocumentStore contract on Redis, against a real redis-server, plus what
// only a shared store must show: two stores (two hubs) racing on one offset get
// exactly one success.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { RedisStore } from './redis-store';
import { describeStoreContract } from '../test/store-contract/contract';

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

const connect = () => new Redis({ host: '127.0.0.1', port: redis.port });

describeStoreContract('redis', async (options) => {
  const client = connect();
  await client.flushall();
  const store = new RedisStore(client, options);
  return { store, cleanup: () => store.close() };
});

describe('RedisStore shared by several hubs', () => {
  test('appends racing on one offset from separate connections: exactly one wins', async () => {
    const stores = [0, 1, 2].map(() => new RedisStore(connect()));
    try {
      await stores[0]!.createDocument('race', Buffer.from('start'));
      for (let round = 0; round < 50; round++) {
        const length = (await stores[0]!.documentLength('race'))!;
        const results = await Promise.all(
          stores.map((s, i) => s.appendIfLength('race', length, Buffer.from(`${i}`))),
        );
        assert.equal(results.filter((r) => r.status === 'ok').length, 1, `round ${round}`);
        for (const r of results) assert.equal(r.status === 'missing', false);
      }
      assert.equal(await stores[1]!.documentLength('race'), 5 + 50);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  test('a document gets a TTL of twice Expiration, renewed on access', async () => {
    const client = connect();
    const store = new RedisStore(client, { expirationMs: 60_000 });
    try {
      await store.createDocument('ttl', Buffer.from('x'));
      const ttl = await client.pttl('lb:{ttl}:data');
      assert.ok(ttl > 100_000 && ttl <= 120_000, `ttl ${ttl}`);
    } finally {
      await store.close();
    }
  });
});
