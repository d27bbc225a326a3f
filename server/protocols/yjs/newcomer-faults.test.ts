// A newcomer whose first sync waits on a commit that then fails is answered
// at once (docs/protocols/yjs.md#when-updates-are-stored): with what is
// stored, or, when the store cannot even be read, a 1011 close saying why;
// never kept waiting until the fault clears. Here the store is a real Redis,
// frozen (SIGSTOP) while a writer's update is in flight to it, and the
// newcomer a reader (a writer is closed by the fault anyway).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { adminCall, eventually } from '../../test/admin-client';
import { sleep, startHub, tempDir } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { expiresIn, manage } from '../../test/manage';
import { startRedis } from '../../test/redis-server';
import type { TestRedis } from '../../test/redis-server';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';
import { decodeFrame, encodeSyncStep1, QUERY_AWARENESS } from './codec';

let redis: TestRedis;
let hub: TestHub;
const dir = tempDir('lanboard-yjs-newcomer-');
const providers: TestProvider[] = [];

before(async () => {
  redis = await startRedis();
  hub = await startHub({
    Database: 'redis',
    DbServer: redis.server,
    DataDir: dir.dir,
    SecretUser: 'admin',
    SecretPassword: 'secret',
  });
});

after(async () => {
  for (const p of providers) p.destroy();
  redis?.thaw();
  await hub?.stop();
  await redis?.stop();
  dir.remove();
});

interface Health {
  failedWrites?: { what: string; reason: string }[];
}

const roomFault = async () =>
  (await adminCall<Health>(hub.httpUrl, '/healthz')).body.failedWrites?.find((f) =>
    f.what.startsWith('Yjs room'),
  );

test('a reader whose first sync waits on a commit that fails is closed with 1011 and why while Redis is still frozen', async () => {
  await manage(hub.httpUrl, {
    method: 'addToken',
    token: 'reader-1',
    documentID: 'lesson',
    userID: 'reader',
    permissions: 'r',
    expiration: expiresIn(3600),
  });
  const writer = openProvider(hub.wsUrl, 'lesson');
  providers.push(writer);
  await writer.synced();
  writer.doc.getText('t').insert(0, 'stored;');
  writer.provider.awareness.setLocalStateField('name', 'teacher'); // what a query answers with
  // Its token resolved and the room joined; its own SyncStep1 is sent later.
  const reader = await RawYjsClient.open(`${hub.wsUrl}/yjs/lesson?token=reader-1`);
  await reader.nextOf('sync-step1');
  await reader.nextOf('awareness'); // the writer's presence, sent on joining
  await reader.quiet(); // and whatever else the join brings

  redis.freeze();
  writer.doc.getText('t').insert(7, 'in flight;');
  reader.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
  reader.send(QUERY_AWARENESS);
  // Messages are handled in order: once the query is answered, the SyncStep1 is waiting.
  await reader.nextOf('awareness');
  const frames = reader.frames.length;
  assert.equal(await roomFault(), undefined, 'the commit is still in flight');

  // The commit fails within its 10 s bound, then the read of what is stored.
  const closed = await Promise.race([
    reader.closed,
    sleep(30_000).then(() => assert.fail('the reader was kept waiting for Redis')),
  ]);
  assert.equal(closed.code, 1011);
  assert.match(closed.reason, /cannot read this room now/);
  const sent = reader.frames.slice(frames).flatMap((f) => decodeFrame(f));
  assert.deepEqual(
    sent.filter((m) => m.type === 'sync-step2'),
    [],
    'nothing unstored was shown',
  );
  assert.ok(await roomFault(), 'the fault is still open: Redis is still frozen');

  redis.thaw();
  await eventually(async () => (await roomFault()) === undefined || undefined, 30_000);
  const again = openProvider(hub.wsUrl, 'lesson', { params: { token: 'reader-1' } });
  providers.push(again);
  await again.synced();
  await waitFor(
    () => again.doc.getText('t').toString() === 'stored;in flight;',
    10_000,
    'the kept update was not stored',
  );
});
