// Creating workspaces per address (docs/protocols/workspaces.md#limits): an
// attacker and a bystander on addresses of their own, over the real Socket.IO
// v2 client (its WebSocket transport, which takes a source address).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { createWorkspace, WorkspaceClient } from '../../test/workspaces-client';
import { ALERTS } from './server';

const from = (localAddress: string) => ({ localAddress, transports: ['websocket'] });
let t: TestHub;
after(async () => {
  await WorkspaceClient.closeAll();
  await t?.stop();
});

test('past WorkspacesPerHour, create from that address gets an alert and creates nothing; another address still creates', async () => {
  t = await startHub({ WorkspacesPerHour: 2 });
  for (const name of ['First', 'Second']) {
    const made = await createWorkspace(t.httpUrl, { name }, {}, from('127.0.0.2'));
    assert.equal(made.created.workspace.name, name);
  }
  const refused = await WorkspaceClient.connect(t.httpUrl, from('127.0.0.2'));
  const outcome = refused.nextOf(['created', 'alert']);
  refused.emit('create', { workspace: { name: 'Third' }, attendee: {}, nonce: 'n' });
  assert.deepEqual(await outcome, { event: 'alert', data: ALERTS.tooManyCreated(1_800_000) });
  assert.match(ALERTS.tooManyCreated(1_800_000), /Try again in 1800 seconds/);

  const bystander = await createWorkspace(t.httpUrl, { name: 'Class 4B' }, {}, from('127.0.0.3'));
  assert.equal(bystander.created.workspace.name, 'Class 4B');
  assert.equal(t.hub.registry.clients({ protocol: 'workspaces' }).length, 3, 'three were made');
});
