// Workspaces shared by hubs on one real redis-server
// (docs/protocols/workspaces.md#several-hubs), with the real Socket.IO v2
// client: a workspace created on one hub is attended, called, kicked and
// destroyed from clients of another, as if there were one hub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { killAllHubs, spawnHub } from '../../test/child-hub';
import { sleep, startHub } from '../../test/hub-fixture';
import { captureLog } from '../../test/captured-log';
import { waitFor } from '../../test/http-receiver';
import type { TestHub } from '../../test/hub-fixture';
import { startRedis } from '../../test/redis-server';
import type { TestRedis } from '../../test/redis-server';
import {
  as,
  attendWorkspace,
  createWorkspace,
  WorkspaceClient,
} from '../../test/workspaces-client';
import type { AttendeeInfo, Created, Granted } from '../../test/workspaces-client';
import { ALERTS } from './server';

let redis: TestRedis;
const hubs: TestHub[] = [];
const url = (i: number) => hubs[i]!.httpUrl;
const onRedis = () => startHub({ Database: 'redis', DbServer: redis.server, WorkspaceCapacity: 3 });

before(async () => {
  redis = await startRedis();
  hubs.push(await onRedis(), await onRedis());
});

after(async () => {
  await WorkspaceClient.closeAll();
  await killAllHubs();
  for (const hub of hubs) await hub.stop();
  await redis.stop();
});

type Member = { client: WorkspaceClient; reply: Created };

/** An event from `from` that `to` must receive: what was sent to `to` before it has arrived by then. */
async function marker(from: Member, to: WorkspaceClient) {
  const state = `marker-${Math.random()}`;
  from.client.emit('mic-toggle', {
    ...as(from.reply),
    attendee: { id: from.reply.attendee.id },
    state,
  });
  await to.waitFor<{ state: unknown }>('mic-toggle', (d) => d.state === state);
}

/** The owner on hub 0, with a PIN. */
async function ownerOnA(pin = '1234'): Promise<Member> {
  const { client, created } = await createWorkspace(url(0), { name: 'Shared', pin });
  return { client, reply: created };
}

async function attendOn(hub: number, owner: Member, name: string, pin = '1234'): Promise<Member> {
  const { client, reply } = await attendWorkspace(url(hub), owner.reply.workspace.token, pin, name);
  return { client, reply };
}

describe('one workspace on two hubs', () => {
  test('attend on hub B: the PIN is checked there, both sides see each other', async () => {
    const owner = await ownerOnA();
    const wrong = await WorkspaceClient.connect(url(1));
    const refused = await wrong.request<string>(
      'attend',
      { workspace: { token: owner.reply.workspace.token, pin: '0000' }, attendee: { name: 'X' } },
      'alert',
    );
    assert.equal(refused, ALERTS.wrongPin);

    const student = await attendOn(1, owner, 'Student on B');
    const granted = student.reply as Granted;
    assert.equal(granted.workspace.id, owner.reply.workspace.id);
    assert.deepEqual(
      Object.keys(granted.attendees).sort(),
      [owner.reply.attendee.id, student.reply.attendee.id].sort(),
    );
    const arrived = await owner.client.next<AttendeeInfo>('attend');
    assert.equal(arrived.id, student.reply.attendee.id);
    assert.equal(arrived.name, 'Student on B');

    const listed = await student.client.request<{ attendees: Record<string, AttendeeInfo> }>(
      'attendees',
      { ...as(student.reply) },
      'attendees',
    );
    assert.deepEqual(
      Object.keys(listed.attendees).sort(),
      [owner.reply.attendee.id, student.reply.attendee.id].sort(),
    );
  });

  test('calls and relays cross: ring, answer, negotiation, icecandidate, toggles, busy, hangup', async () => {
    const owner = await ownerOnA();
    const student = await attendOn(1, owner, 'Callee');
    await owner.client.next('attend');
    const me = owner.reply.attendee;
    const them = student.reply.attendee;

    owner.client.emit('ring', {
      ...as(owner.reply),
      workspace: { id: owner.reply.workspace.id, call: { id: 'call-1' } },
      callee: { id: them.id },
      offer: { sdp: 'offer-sdp' },
      call: { id: 'call-1' },
      nonce: 'n1',
    });
    const ring = await student.client.next<{
      caller: AttendeeInfo;
      offer: unknown;
      nonce: unknown;
    }>('ring');
    assert.equal(ring.caller.id, me.id);
    assert.deepEqual(ring.offer, { sdp: 'offer-sdp' });
    assert.equal(ring.nonce, 'n1');

    student.client.emit('answer', {
      ...as(student.reply),
      caller: { id: me.id },
      answer: { sdp: 'answer-sdp' },
      call: { id: 'call-1' },
    });
    const answer = await owner.client.next<{ callee: AttendeeInfo; answer: unknown }>('answer');
    assert.equal(answer.callee.id, them.id);
    assert.deepEqual(answer.answer, { sdp: 'answer-sdp' });

    owner.client.emit('negotiation', {
      ...as(owner.reply),
      broadcaster: { id: me.id },
      attendee: { id: them.id },
      message: { description: 'renegotiate' },
    });
    const negotiation = await student.client.next<{ attendee: { id: string }; message: unknown }>(
      'negotiation',
    );
    assert.deepEqual(negotiation, {
      attendee: { id: me.id },
      message: { description: 'renegotiate' },
    });

    student.client.emit('icecandidate', {
      ...as(student.reply),
      broadcaster: { id: them.id },
      attendee: { id: me.id },
      candidate: { candidate: 'candidate:1' },
    });
    const ice = await owner.client.next<Record<string, unknown>>('icecandidate');
    assert.deepEqual(ice, {
      attendee: { id: me.id },
      broadcaster: { id: them.id },
      candidate: { candidate: 'candidate:1' },
    });

    student.client.emit('mic-toggle', { ...as(student.reply), state: false });
    const mic = await owner.client.next<{ attendee: AttendeeInfo; state: unknown }>('mic-toggle');
    assert.deepEqual(mic, {
      attendee: { id: them.id, name: them.name, avatar: them.avatar },
      state: false,
    });
    owner.client.emit('cam-toggle', { ...as(owner.reply), state: true });
    const cam = await student.client.next<{ attendee: AttendeeInfo; state: unknown }>('cam-toggle');
    assert.equal(cam.attendee.id, me.id);
    assert.equal(cam.state, true);

    student.client.emit('busy', { ...as(student.reply), call: { id: 'call-1' } });
    assert.equal((await owner.client.next<{ callee: AttendeeInfo }>('busy')).callee.id, them.id);
    owner.client.emit('hangup', { ...as(owner.reply), call: { id: 'call-1' } });
    assert.equal(
      (await student.client.next<{ attendee: AttendeeInfo }>('hangup')).attendee.id,
      me.id,
    );
    // Nothing was sent back to its sender.
    await marker(student, owner.client);
    assert.equal(student.client.received('busy').length, 0);
    assert.equal(owner.client.received('hangup').length, 0);
  });

  test('capacity counts the attendees of every hub', async () => {
    const owner = await ownerOnA();
    await attendOn(1, owner, 'One on B');
    await attendOn(0, owner, 'Two on A');
    const late = await WorkspaceClient.connect(url(1));
    await late.request(
      'attend',
      {
        workspace: { token: owner.reply.workspace.token, pin: '1234' },
        attendee: { name: 'Three' },
      },
      'full',
    );
  });

  test('a kick on hub A takes the attendee on hub B out; a leave on B reaches A', async () => {
    const owner = await ownerOnA();
    const kicked = await attendOn(1, owner, 'Kicked');
    const stays = await attendOn(1, owner, 'Stays');
    owner.client.emit('kick', {
      ...as(owner.reply),
      kickedAttendee: { id: kicked.reply.attendee.id },
    });
    for (const c of [owner.client, kicked.client, stays.client]) {
      const k = await c.next<{ id: string; name: string }>('kicked');
      assert.deepEqual(k, { id: kicked.reply.attendee.id, name: 'Kicked' });
    }
    // Out on its own hub: its events are refused, its old token too.
    const refused = await kicked.client.request<string>(
      'mic-toggle',
      { ...as(kicked.reply), state: true },
      'alert',
    );
    assert.equal(refused, ALERTS.notAttended);
    const again = await WorkspaceClient.connect(url(1));
    const notMember = await again.request<string>(
      're-attend',
      { ...as(kicked.reply), attendee: kicked.reply.attendee },
      'alert',
    );
    assert.equal(notMember, ALERTS.notMember);

    stays.client.emit('leave', { ...as(stays.reply) });
    const left = await owner.client.waitFor<AttendeeInfo>(
      'leave',
      (a) => a.id === stays.reply.attendee.id,
    );
    assert.equal(left.name, 'Stays');
    await stays.client.close();
  });

  test('a connection dropping on hub B is announced on hub A, and frees its seat', async () => {
    const owner = await ownerOnA();
    const first = await attendOn(1, owner, 'Drops');
    await attendOn(1, owner, 'Second');
    await first.client.close();
    const left = await owner.client.waitFor<AttendeeInfo>(
      'leave',
      (a) => a.id === first.reply.attendee.id,
    );
    assert.equal(left.name, 'Drops');
    await attendOn(0, owner, 'Takes the seat');
  });

  test('destroy on hub A reaches hub B, and the workspace is gone there too', async () => {
    const owner = await ownerOnA();
    const student = await attendOn(1, owner, 'Student');
    owner.client.emit('destroy', { ...as(owner.reply) });
    await owner.client.next('destroyed');
    await student.client.next('destroyed');
    await student.client.request('mic-toggle', { ...as(student.reply), state: true }, 'destroyed');
    const again = await WorkspaceClient.connect(url(1));
    await again.request(
      'attend',
      {
        workspace: { token: owner.reply.workspace.token, pin: '1234' },
        attendee: { name: 'Late' },
      },
      'destroyed',
    );
  });

  test('the owner re-attends on hub B: the connection on hub A is replaced', async () => {
    const owner = await ownerOnA();
    const student = await attendOn(0, owner, 'Student on A');
    const moved = await WorkspaceClient.connect(url(1));
    const granted = await moved.request<Granted>(
      're-attend',
      { ...as(owner.reply), attendee: owner.reply.attendee },
      're-attendance-granted',
    );
    assert.equal(granted.attendee.id, owner.reply.attendee.id);
    assert.deepEqual(
      Object.keys(granted.attendees).sort(),
      [owner.reply.attendee.id, student.reply.attendee.id].sort(),
    );
    assert.equal(await owner.client.next<string>('alert'), ALERTS.replaced);
    // The student on A hears the owner's new connection, and reaches it on B.
    await student.client.waitFor<AttendeeInfo>('attend', (a) => a.id === owner.reply.attendee.id);
    await marker(student, moved);
  });

  test('no hub keeps a SQLite file: after all of the above, the records are in Redis', () => {
    for (const hub of hubs) {
      assert.equal(fs.existsSync(hub.hub.config.DbFile), false, hub.hub.config.DbFile);
    }
  });

  test('a hub that starts later learns who is present elsewhere', async () => {
    const owner = await ownerOnA();
    const onA = await attendOn(0, owner, 'Early');
    const late = await onRedis();
    hubs.push(late);
    const granted = (await attendOn(2, owner, 'On the new hub')).reply as Granted;
    assert.deepEqual(
      Object.keys(granted.attendees).sort(),
      [owner.reply.attendee.id, onA.reply.attendee.id, granted.attendee.id].sort(),
    );
  });

  test('a hub that stops says goodbye for its attendees', async () => {
    const owner = await ownerOnA();
    const leaving = await attendOn(2, owner, 'On the stopping hub');
    await hubs.pop()!.stop();
    const left = await owner.client.waitFor<AttendeeInfo>(
      'leave',
      (a) => a.id === leaving.reply.attendee.id,
    );
    assert.equal(left.name, 'On the stopping hub');
  });

  test('a hub killed without a goodbye: its attendees leave once it is found dead', async () => {
    const doomed = await spawnHub(['--db', 'redis'], { LANBOARD_DB_SERVER: redis.server });
    const owner = await ownerOnA();
    const { client, reply } = await attendWorkspace(
      doomed.httpUrl,
      owner.reply.workspace.token,
      '1234',
      'On the killed hub',
    );
    await owner.client.waitFor<AttendeeInfo>('attend', (a) => a.id === reply.attendee.id);
    await doomed.stop('SIGKILL');
    // Found dead when its presence key expires (6 s), then announced to every hub.
    const left = await owner.client.waitFor<AttendeeInfo>(
      'leave',
      (a) => a.id === reply.attendee.id,
      20_000,
    );
    assert.equal(left.name, 'On the killed hub');
    await client.close();
  });

  test("a hub's expiration sweep keeps a workspace whose attendees are on another hub", async () => {
    const present = await ownerOnA();
    const empty = await ownerOnA();
    await empty.client.close();
    await sleep(1100); // both are now older than the sweeping hub's expiry
    const log = captureLog('info');
    const sweeping = await startHub(
      {
        Database: 'redis',
        DbServer: redis.server,
        WorkspaceExpiration: 1,
        ExpirationSweepSeconds: 1,
      },
      { logger: log.logger },
    );
    try {
      await waitFor(
        'a sweep that deleted something',
        () => log.lines().some((l) => l.msg === 'expired workspaces deleted'),
        15_000,
      );
    } finally {
      await sweeping.stop();
    }
    const late = await WorkspaceClient.connect(url(1));
    await late.request(
      'attend',
      { workspace: { token: empty.reply.workspace.token, pin: '1234' }, attendee: { name: 'L' } },
      'destroyed',
    );
    await attendOn(1, present, 'Still there');
  });

  test('WorkspacesPerHour is one budget per address across the hubs', async () => {
    const budgeted = [0, 1].map(() =>
      startHub({ Database: 'redis', DbServer: redis.server, WorkspacesPerHour: 2 }),
    );
    const [x, y] = await Promise.all(budgeted);
    const from = (localAddress: string) => ({ localAddress, transports: ['websocket'] });
    try {
      await createWorkspace(x!.httpUrl, { name: 'On X' }, {}, from('127.0.0.4'));
      await createWorkspace(y!.httpUrl, { name: 'On Y' }, {}, from('127.0.0.4'));
      const refused = await WorkspaceClient.connect(x!.httpUrl, from('127.0.0.4'));
      const alert = await refused.request<string>(
        'create',
        { workspace: { name: 'Third' }, attendee: {}, nonce: 'n' },
        'alert',
      );
      assert.match(alert, /^Too many workspaces created from your address/);
      const other = await createWorkspace(y!.httpUrl, { name: 'Bystander' }, {}, from('127.0.0.5'));
      assert.equal(other.created.workspace.name, 'Bystander');
    } finally {
      await WorkspaceClient.closeAll();
      await Promise.all([x!.stop(), y!.stop()]);
    }
  });
});
