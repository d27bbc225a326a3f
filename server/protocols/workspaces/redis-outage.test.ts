// A workspace event that fails on something other than a store write still
// gets an answer: on a hub with Database=redis the per-address creation budget
// (WorkspacesPerHour) lives in Redis, and with the real redis-server killed,
// `create` gets the "cannot do this now" alert, not silence; nothing is created.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../../test/admin-client';
import { startHub, tempDir } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { startRedis } from '../../test/redis-server';
import type { TestRedis } from '../../test/redis-server';
import { WorkspaceClient } from '../../test/workspaces-client';
import { ALERTS } from './events';

let redis: TestRedis;
let hub: TestHub;
const dir = tempDir('lanboard-workspaces-redis-outage-');

before(async () => {
  redis = await startRedis();
  hub = await startHub({ Database: 'redis', DbServer: redis.server, DataDir: dir.dir });
});

after(async () => {
  await WorkspaceClient.closeAll();
  await hub?.stop();
  await redis?.stop();
  dir.remove();
});

test('with Redis down, creating a workspace gets an alert saying the hub cannot do it now', async () => {
  await redis.down();
  const client = await WorkspaceClient.connect(hub.httpUrl);
  client.emit('create', {
    workspace: { name: 'Lab', pin: '', avatar: '' },
    attendee: { name: 'Teacher', avatar: '' },
    nonce: 'lab',
  });
  const reply = await eventually(
    async () => client.log.find((e) => e.event === 'created' || e.event === 'alert'),
    30_000,
    'a reply to create',
  );
  assert.deepEqual(reply, { event: 'alert', data: ALERTS.unavailable });
  await client.close();
});
