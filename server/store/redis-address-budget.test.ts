// The per-address budget hubs share in Redis, on a real redis-server: two
// budgets (two hubs) spend one bucket, which refills over time and forgets
// itself once full.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';
import { RedisAddressBudget } from './redis-address-budget';

let redis: TestRedis;
const clients: Redis[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

const connect = () => {
  const c = new Redis({ host: '127.0.0.1', port: redis.port });
  clients.push(c);
  return c;
};

test('two hubs spend one bucket per address; it refills at its rate and then expires', async () => {
  let clock = 1_000_000;
  const options = { name: 'test', burst: 2, perSecond: 2 / 3600, now: () => clock };
  const [a, b] = [
    new RedisAddressBudget(connect(), options),
    new RedisAddressBudget(connect(), options),
  ];
  assert.equal(await a.take('10.0.0.7'), 0);
  assert.equal(await b.take('10.0.0.7'), 0);
  assert.equal(await a.take('10.0.0.7'), 1_800_000, 'empty: one token comes in half an hour');
  assert.equal(await b.take('10.0.0.8'), 0, 'another address has its own');
  clock += 1_800_000;
  assert.equal(await b.take('10.0.0.7'), 0);
  assert.equal(await a.take('10.0.0.7'), 1_800_000);
  const ttl = await connect().pttl('lb:budget:test:10.0.0.7');
  assert.ok(ttl > 3_600_000 && ttl <= 3_601_000, `forgotten once full again (${ttl} ms)`);
});
