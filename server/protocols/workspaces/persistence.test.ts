// Workspaces outlive their members and the hub: the owner may drop and come
// back, a restart on the same SQLite file keeps workspaces, attendees, PINs
// (hashed) and tokens, and Expiration removes workspaces nobody uses.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sleep, startHub, tempDir } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  as,
  attendWorkspace,
  createWorkspace,
  WorkspaceClient,
} from '../../test/workspaces-client';
import type { AttendeeInfo, Granted } from '../../test/workspaces-client';
import { ALERTS } from './server';

const dir = tempDir('lanboard-workspaces-');
const hubs: TestHub[] = [];

after(async () => {
  await WorkspaceClient.closeAll();
  for (const h of hubs) await h.stop();
  dir.remove();
});

async function hub(...args: Parameters<typeof startHub>): Promise<TestHub> {
  const h = await startHub(...args);
  hubs.push(h);
  return h;
}

function reattend(
  client: WorkspaceClient,
  who: { workspace: { id: string }; attendee: AttendeeInfo; accessToken: string },
) {
  return client.request<Granted>(
    're-attend',
    {
      workspace: { id: who.workspace.id },
      attendee: who.attendee,
      accessToken: who.accessToken,
      nonce: 'again',
    },
    're-attendance-granted',
  );
}

describe('the owner leaving', () => {
  test('leave is refused for the owner; a dropped owner keeps the workspace and re-attends with full rights', async () => {
    const t = await hub();
    const owner = await createWorkspace(t.httpUrl, { name: 'Lab', pin: '42' });
    const b = await attendWorkspace(t.httpUrl, owner.created.workspace.token, '42', 'Bea');

    owner.client.emit('leave', { ...as(owner.created) });
    assert.equal(await owner.client.next('alert'), ALERTS.ownerLeave);

    await owner.client.close();
    assert.deepEqual(await b.client.next('leave'), owner.created.attendee);
    assert.equal(t.hub.registry.clients({ room: owner.created.workspace.id }).length, 1);
    // Without its owner the workspace still works: someone else attends and is seen.
    const c = await attendWorkspace(t.httpUrl, owner.created.workspace.token, '42', 'Cal');
    assert.equal(c.reply.workspace.owner, owner.created.attendee.id);
    assert.deepEqual(await b.client.next('attend'), c.reply.attendee);
    assert.deepEqual(b.client.received('destroyed'), []);

    const back = await WorkspaceClient.connect(t.httpUrl);
    const re = await reattend(back, owner.created);
    assert.deepEqual(Object.keys(re).sort(), [
      'accessToken',
      'attendee',
      'attendees',
      'call',
      'nonce',
      'workspace',
    ]);
    assert.deepEqual(re.workspace, owner.created.workspace);
    assert.deepEqual(re.attendee, { ...owner.created.attendee, socket: back.socket.id });
    assert.deepEqual(
      Object.keys(re.attendees).sort(),
      [owner.created.attendee.id, b.reply.attendee.id, c.reply.attendee.id].sort(),
    );
    assert.equal(re.nonce, 'again');
    assert.equal(re.call, null);
    assert.equal((await b.client.next<AttendeeInfo>('attend')).id, owner.created.attendee.id);
    const [entry] = t.hub.registry.clients({ userId: owner.created.attendee.id });
    assert.equal(entry?.permissions.admin, true);

    // Owner rights are back: kick with the new token.
    back.emit('kick', { ...as(re), kickedAttendee: { id: c.reply.attendee.id } });
    assert.equal((await c.client.next<{ id: string }>('kicked')).id, c.reply.attendee.id);
    back.emit('destroy', { ...as(re) });
    assert.deepEqual(await b.client.next('destroyed'), {});
  });
});

describe('restart', () => {
  const dbFile = path.join(dir.dir, 'hub.db');
  const config = { Database: 'sqlite' as const, DataDir: dir.dir, DbFile: dbFile };

  test('a workspace survives a hub restart on the same SQLite file, with its attendees, PIN and tokens', async () => {
    const first = await hub(config);
    const owner = await createWorkspace(first.httpUrl, { name: 'Persisted', pin: '8080' });
    const twin = await createWorkspace(first.httpUrl, { name: 'Same PIN', pin: '8080' });
    const b = await attendWorkspace(first.httpUrl, owner.created.workspace.token, '8080', 'Bea');
    owner.client.emit('ring', {
      ...as(owner.created),
      workspace: { id: owner.created.workspace.id, call: 'call-7' },
      call: { id: 'call-7' },
      callee: { id: b.reply.attendee.id },
      offer: { sdp: 'x' },
    });
    await b.client.next('ring');
    await WorkspaceClient.closeAll();
    await first.stop();

    // On disk: the PIN only as a salted hash, a different salt per workspace.
    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db
        .prepare('SELECT id, pin_salt, pin_hash, call_json FROM workspaces ORDER BY created_at')
        .all() as { id: string; pin_salt: Buffer; pin_hash: Buffer; call_json: string }[];
      assert.deepEqual(
        rows.map((r) => r.id).sort(),
        [owner.created.workspace.id, twin.created.workspace.id].sort(),
      );
      for (const r of rows) {
        assert.equal(r.pin_salt.length, 16);
        assert.equal(r.pin_hash.length, 32);
        assert.ok(!r.pin_hash.includes('8080') && !r.pin_salt.includes('8080'));
      }
      assert.notDeepEqual(rows[0]!.pin_salt, rows[1]!.pin_salt);
      assert.notDeepEqual(rows[0]!.pin_hash, rows[1]!.pin_hash);
      const members = db
        .prepare('SELECT attendee_id FROM workspace_members WHERE workspace_id = ? ORDER BY rowid')
        .all(owner.created.workspace.id) as { attendee_id: string }[];
      assert.deepEqual(
        members.map((m) => m.attendee_id),
        [owner.created.attendee.id, b.reply.attendee.id],
      );
      const text = JSON.stringify(db.prepare('SELECT * FROM workspaces').all());
      assert.ok(!text.includes('"8080"'));
    } finally {
      db.close();
    }

    const second = await hub(config);
    assert.notEqual(second.httpUrl, first.httpUrl);
    const ownerAgain = await WorkspaceClient.connect(second.httpUrl);
    const re = await reattend(ownerAgain, owner.created);
    assert.deepEqual(
      re.workspace,
      owner.created.workspace,
      'same ID, name, owner, created time and invite',
    );
    assert.equal(re.call, 'call-7');
    const bAgain = await WorkspaceClient.connect(second.httpUrl);
    const reB = await reattend(bAgain, { ...b.reply, workspace: b.reply.workspace });
    assert.equal(reB.attendee.name, 'Bea');
    assert.deepEqual(
      Object.keys(reB.attendees).sort(),
      [owner.created.attendee.id, b.reply.attendee.id].sort(),
    );

    const wrong = await attendWorkspace<string>(
      second.httpUrl,
      owner.created.workspace.token,
      '8081',
      'W',
      'alert',
    );
    assert.equal(wrong.reply, ALERTS.wrongPin);
    const c = await attendWorkspace(second.httpUrl, owner.created.workspace.token, '8080', 'Cal');
    assert.equal(c.reply.workspace.id, owner.created.workspace.id);
    assert.equal(
      (await ownerAgain.waitFor<AttendeeInfo>('attend', (a) => a.id === c.reply.attendee.id)).name,
      'Cal',
    );

    ownerAgain.emit('destroy', { ...as(re) });
    await ownerAgain.next('destroyed');
    await WorkspaceClient.closeAll();
    await second.stop();
    const third = await hub(config);
    const gone = await attendWorkspace<Record<string, never>>(
      third.httpUrl,
      owner.created.workspace.token,
      '8080',
      'Late',
      'destroyed',
    );
    assert.deepEqual(gone.reply, {});
    const stillThere = await attendWorkspace(third.httpUrl, twin.created.workspace.token, '8080');
    assert.equal(stillThere.reply.workspace.name, 'Same PIN');
  });
});

/** Probes with a wrong PIN until the hub says the workspace is gone (or 10 s pass). */
async function probeUntilDestroyed(url: string, token: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  let reply: unknown;
  while (Date.now() < deadline) {
    const c = await WorkspaceClient.connect(url);
    // A wrong PIN is not a use of the workspace, so probing does not keep it alive.
    const outcome = c.nextOf(['destroyed', 'alert']);
    c.emit('attend', { workspace: { token, pin: 'no' }, attendee: {} });
    reply = (await outcome).event;
    await c.close();
    if (reply === 'destroyed') break;
    await sleep(200);
  }
  return reply;
}

describe('expiration', () => {
  test('a workspace nobody uses for Expiration seconds is deleted; one with someone present is kept', async () => {
    let clock = Date.UTC(2026, 10, 22, 8);
    const t = await hub({ Expiration: 60, ExpirationSweepSeconds: 1 }, { now: () => clock });
    const idle = await createWorkspace(t.httpUrl, { name: 'Idle' });
    const busy = await createWorkspace(t.httpUrl, { name: 'Busy' });
    await idle.client.close();
    // The hub handles the disconnect (the last use of the workspace) before time jumps.
    while (t.hub.registry.clients({ room: idle.created.workspace.id }).length > 0) await sleep(10);
    clock += 61_000;
    assert.equal(await probeUntilDestroyed(t.httpUrl, idle.created.workspace.token), 'destroyed');
    // The busy one is as old, but its owner is still there.
    const list = await busy.client.request<{ attendees: Record<string, AttendeeInfo> }>(
      'attendees',
      { ...as(busy.created) },
      'attendees',
    );
    assert.deepEqual(Object.keys(list.attendees), [busy.created.attendee.id]);
    const guest = await attendWorkspace(t.httpUrl, busy.created.workspace.token, '');
    assert.equal(guest.reply.workspace.name, 'Busy');
  });

  // docs/protocols/workspaces.md#expiration
  test('by default (Expiration=never) a workspace unused for WorkspaceExpiration, two days, is deleted', async () => {
    let clock = Date.UTC(2026, 10, 22, 8);
    const t = await hub({ ExpirationSweepSeconds: 1 }, { now: () => clock });
    const idle = await createWorkspace(t.httpUrl, { name: 'Left behind' });
    await idle.client.close();
    while (t.hub.registry.clients({ room: idle.created.workspace.id }).length > 0) await sleep(10);
    clock += 47 * 3600_000;
    await sleep(1500); // a sweep or two: still younger than two days
    const c = await WorkspaceClient.connect(t.httpUrl);
    const outcome = c.nextOf(['destroyed', 'alert']);
    c.emit('attend', {
      workspace: { token: idle.created.workspace.token, pin: 'no' },
      attendee: {},
    });
    assert.equal((await outcome).event, 'alert', 'kept for now (a wrong PIN)');
    await c.close();
    clock += 3600_000 + 1000;
    assert.equal(await probeUntilDestroyed(t.httpUrl, idle.created.workspace.token), 'destroyed');
  });
});
