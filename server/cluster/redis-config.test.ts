// Database=redis with bad settings: a clear error at start, nothing left running.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { ConfigError, createHub } from '../index';
import { parseRedisServers } from '../store/redis-connection';
import { tempDir } from '../test/hub-fixture';

// Not the machine's own data folder: a hub may write its admin token before Redis refuses.
const dataDir = tempDir('lanboard-redis-config-');
after(() => dataDir.remove());

const base = {
  DataDir: dataDir.dir,
  Database: 'redis' as const,
  ServerBindAddress: '127.0.0.1',
  ServerPort: 0,
  LogLevel: 'silent' as const,
  Mdns: false,
};

test('DbServer is parsed as host:port lists, with 6379 by default', () => {
  assert.deepEqual(parseRedisServers('cache.lan'), [{ host: 'cache.lan', port: 6379 }]);
  assert.deepEqual(parseRedisServers('10.0.0.5:7000, 10.0.0.6:7001'), [
    { host: '10.0.0.5', port: 7000 },
    { host: '10.0.0.6', port: 7001 },
  ]);
  assert.deepEqual(parseRedisServers('[::1]:6380'), [{ host: '::1', port: 6380 }]);
});

for (const bad of ['host:99999', 'host:port', ' , ']) {
  test(`DbServer="${bad}" stops the start with a ConfigError naming the key`, async () => {
    const hub = createHub({ ...base, DbServer: bad });
    await assert.rejects(hub.start(), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /DbServer/);
      return true;
    });
  });
}

test('a Redis nobody answers on stops the start with a ConfigError, and nothing keeps running', async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const hub = createHub({ ...base, DbServer: `127.0.0.1:${port}` });
  await assert.rejects(hub.start(), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, new RegExp(`cannot reach Redis at DbServer="127.0.0.1:${port}"`));
    return true;
  });
});
