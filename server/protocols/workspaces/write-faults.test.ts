// Write faults are loud for workspaces (docs/operating.md#when-a-write-fails):
// when the hub's SQLite file cannot take a new workspace (really full: see
// test/full-disk.ts), `create` gets an alert saying the hub cannot save it,
// nothing is created, /healthz answers 503 with the reason, existing
// workspaces can still be attended, and once the file has room again a
// create succeeds and /healthz is ok.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminCall, eventually } from '../../test/admin-client';
import { FillableWorkspaceStore } from '../../test/full-disk';
import { startHub, tempDir } from '../../test/hub-fixture';
import { attendWorkspace, createWorkspace, WorkspaceClient } from '../../test/workspaces-client';
import { ALERTS } from './events';

const dir = tempDir('lanboard-workspaces-full-');
after(async () => {
  await WorkspaceClient.closeAll();
  dir.remove();
});

interface Health {
  status: string;
  failedWrites?: { what: string; reason: string }[];
}

/** `create` on a fresh connection: the first `created` or `alert` it gets. */
async function tryCreate(url: string, name: string): Promise<{ event: string; data: unknown }> {
  const client = await WorkspaceClient.connect(url);
  client.emit('create', {
    workspace: { name, pin: '', avatar: '' },
    attendee: { name: 'Teacher', avatar: '' },
    nonce: name,
  });
  const reply = await eventually(
    async () => client.log.find((e) => e.event === 'created' || e.event === 'alert'),
    10_000,
    `a reply to create ${name}`,
  );
  await client.close();
  return reply;
}

test('a workspace the store cannot take gets an alert, is not created, and /healthz says so until a create is stored', async () => {
  const file = path.join(dir.dir, 'hub.db');
  const store = new FillableWorkspaceStore(file);
  const hub = await startHub(
    { Database: 'sqlite', DbFile: file, WorkspacesPerHour: 1_000_000 },
    { workspaceStore: store },
  );
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const first = await createWorkspace(hub.httpUrl, { name: 'Lab', pin: '42' });
    await first.client.close();
    assert.equal((await health()).status, 200);

    // Creates until one needs a page the file may not grow by.
    store.fill();
    let refused: { event: string; data: unknown } | undefined;
    let created = 0;
    for (let i = 0; i < 500 && !refused; i++) {
      const reply = await tryCreate(hub.httpUrl, `Room ${i}`);
      if (reply.event === 'created') created++;
      else refused = reply;
    }
    assert.deepEqual(refused, { event: 'alert', data: ALERTS.storage });
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.deepEqual(
      failing.body.failedWrites?.map((f) => f.what),
      ['workspaces'],
    );
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /full/);
    assert.equal(await store.count(), 1 + created, 'the refused workspace was not stored');

    // Reads are served: an existing workspace is still attended.
    const reader = await attendWorkspace(hub.httpUrl, first.created.workspace.token, '42', 'Bea');
    assert.equal(reader.reply.workspace.id, first.created.workspace.id);

    store.empty();
    assert.equal((await tryCreate(hub.httpUrl, 'After')).event, 'created');
    const healthy = await health();
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.failedWrites, undefined);
  } finally {
    await hub.stop();
  }
});
