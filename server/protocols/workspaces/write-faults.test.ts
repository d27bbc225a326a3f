// Write faults are loud for workspaces (docs/operating.md#when-a-write-fails):
// when the hub's SQLite file cannot take a new workspace (really full: see
// test/full-disk.ts), `create` gets an alert saying the hub cannot save it,
// nothing is created, /healthz answers 503 with the reason, existing
// workspaces can still be attended, and once the file has room again a
// create succeeds and /healthz is ok. On a read-only file (PRAGMA query_only)
// the same, attendees present still read their workspace, and once it is
// writable the fault clears by itself (the background probe).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminCall, eventually } from '../../test/admin-client';
import { FillableWorkspaceStore, watchFaults } from '../../test/full-disk';
import { startHub, tempDir } from '../../test/hub-fixture';
import { attendWorkspace, createWorkspace, WorkspaceClient } from '../../test/workspaces-client';
import { ALERTS } from './events';

const ADMIN_TOKEN = 'write-faults-admin-token';
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

test('on a read-only file: create gets the alert, attendees present still read the workspace, and the fault clears by itself once writable', async () => {
  const file = path.join(dir.dir, 'read-only.db');
  const store = new FillableWorkspaceStore(file);
  const hub = await startHub(
    { Database: 'sqlite', DbFile: file, AdminToken: ADMIN_TOKEN },
    { workspaceStore: store },
  );
  const faults = watchFaults(hub.httpUrl, ADMIN_TOKEN);
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const owner = await createWorkspace(hub.httpUrl, { name: 'Lab' });

    store.readOnly();
    assert.deepEqual(await tryCreate(hub.httpUrl, 'Refused'), {
      event: 'alert',
      data: ALERTS.storage,
    });
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.failedWrites?.[0]?.what, 'workspaces');
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /readonly/);
    assert.equal(await store.count(), 1, 'the refused workspace was not stored');

    // Reads are served: the owner, present, still gets the workspace's attendees.
    const { created } = owner;
    const list = await owner.client.request<{ attendees: Record<string, unknown> }>(
      'attendees',
      { workspace: { id: created.workspace.id }, attendee: created.attendee },
      'attendees',
    );
    assert.deepEqual(Object.keys(list.attendees), [created.attendee.id]);

    // Writable again, and nobody writes: the probe clears the fault everywhere.
    store.writable();
    await faults.cleared();
    assert.equal((await health()).status, 200);
    assert.equal((await tryCreate(hub.httpUrl, 'After')).event, 'created');
  } finally {
    faults.close();
    await hub.stop();
  }
});
