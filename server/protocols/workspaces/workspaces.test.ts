// The workspaces signaling server (docs/protocols/workspaces.md#client-events)
// with the real Socket.IO v2 client: transport, create, attend (PIN,
// capacity), calls, toggles, kick, leave, destroy, and the session registry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  as,
  attendWorkspace,
  createWorkspace,
  WorkspaceClient,
} from '../../test/workspaces-client';
import type { AttendeeInfo, Created, Granted } from '../../test/workspaces-client';
import { ZwibblerClient } from '../../test/zwibbler-client';
import { ALERTS } from './server';

const ICE = [
  { urls: 'stun:10.0.0.1:3478' },
  { urls: ['turn:10.0.0.1:3478'], username: 'u', credential: 'c' },
];
let t: TestHub;
let url: string;

before(async () => {
  t = await startHub({ WorkspaceCapacity: 3, IceServers: ICE });
  url = t.httpUrl;
});

after(async () => {
  await WorkspaceClient.closeAll();
  await t.stop();
});

/** A room with the owner and `n` attendees who all attended with the PIN. */
async function room(n: number, pin = '') {
  const owner = await createWorkspace(url, { pin });
  const guests: { client: WorkspaceClient; reply: Granted }[] = [];
  for (let i = 0; i < n; i++) {
    guests.push(await attendWorkspace(url, owner.created.workspace.token, pin, `Student ${i + 1}`));
  }
  return { owner, guests };
}

/**
 * A mic-toggle from `from` that `to` must receive: anything the server would
 * have delivered to `to` before it has arrived by then.
 */
async function marker(from: { client: WorkspaceClient; reply: Created }, to: WorkspaceClient) {
  const state = `marker-${Math.random()}`;
  from.client.emit('mic-toggle', {
    ...as(from.reply),
    attendee: { id: from.reply.attendee.id },
    state,
  });
  await to.waitFor<{ state: unknown }>('mic-toggle', (d) => d.state === state);
}

const owned = (o: { client: WorkspaceClient; created: Created }) => ({
  client: o.client,
  reply: o.created,
});

describe('transport', () => {
  test('the Engine.IO 3 wire: length-prefixed polling, the original timings, 40, then 42 events', async () => {
    const poll = async (query: string, body?: string): Promise<string> => {
      const res = await fetch(`${url}/socket.io/?EIO=3&transport=polling&b64=1${query}`, {
        method: body === undefined ? 'GET' : 'POST',
        body,
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      });
      assert.equal(res.status, 200);
      return res.text();
    };
    const open = /^(\d+):0(\{.*\})$/.exec(await poll(''));
    assert.ok(open, 'an EIO3 length-prefixed open packet');
    assert.equal(Number(open[1]), open[2]!.length + 1);
    const handshake = JSON.parse(open[2]!) as Record<string, unknown>;
    assert.deepEqual(handshake.upgrades, ['websocket']);
    assert.equal(handshake.pingInterval, 25000);
    assert.equal(handshake.pingTimeout, 12000);
    const sid = `&sid=${String(handshake.sid)}`;
    assert.equal(await poll(sid), '2:40', 'namespace / connected');
    const packet = '42["iceservers",{}]';
    assert.equal(await poll(sid, `${packet.length}:${packet}`), 'ok');
    const reply = `42${JSON.stringify(['iceservers', ICE])}`;
    assert.equal(await poll(sid), `${reply.length}:${reply}`);
    assert.equal(await poll(sid, '1:1'), 'ok'); // close
  });

  test('the v2 client upgrades from polling to WebSocket', async () => {
    const c = await WorkspaceClient.connect(url);
    for (let i = 0; i < 200 && c.transport !== 'websocket'; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.transport, 'websocket');
    const servers = await c.request('iceservers', {}, 'iceservers');
    assert.deepEqual(servers, ICE);
    await c.close();
  });

  test('a WebSocket-only v2 client works, and other protocols still upgrade beside it', async () => {
    const c = await WorkspaceClient.connect(url, { transports: ['websocket'] });
    assert.deepEqual(await c.request('iceservers', {}, 'iceservers'), ICE);
    const z = await ZwibblerClient.join(`${t.wsUrl}/socket`, { docId: 'beside-workspaces' });
    assert.equal(z.ws.readyState, z.ws.OPEN);
    await z.close();
    await c.close();
  });
});

describe('create', () => {
  test('replies created with the original shape, and the owner is in the registry', async () => {
    const { client, created } = await createWorkspace(
      url,
      { name: 'Maths', pin: '2468' },
      { name: 'Ms Lee' },
    );
    assert.deepEqual(Object.keys(created).sort(), [
      'accessToken',
      'attendee',
      'nonce',
      'workspace',
    ]);
    assert.deepEqual(Object.keys(created.workspace).sort(), [
      'avatar',
      'created',
      'id',
      'name',
      'owner',
      'token',
    ]);
    assert.match(created.workspace.id, /^_[A-Za-z0-9]{10}$/);
    assert.match(created.attendee.id, /^_[A-Za-z0-9]{10}$/);
    assert.equal(created.workspace.name, 'Maths');
    assert.equal(created.workspace.owner, created.attendee.id);
    assert.equal(typeof created.workspace.created, 'number');
    assert.deepEqual(created.attendee, { id: created.attendee.id, name: 'Ms Lee', avatar: '' });
    assert.equal(created.nonce, 'create-nonce');

    const invite = decodeJwt(created.workspace.token);
    assert.deepEqual(Object.keys(invite).sort(), ['id', 'singningToken']);
    assert.equal(invite.id, created.workspace.id);
    assert.ok(
      !created.workspace.token.includes('2468') && !JSON.stringify(invite).includes('2468'),
    );
    const access = decodeJwt(created.accessToken);
    assert.equal(access.id, created.workspace.id);
    assert.equal(access.owner, created.attendee.id);
    assert.equal(typeof access.singningToken, 'string');
    assert.ok(typeof access.exp === 'number' && access.exp > Date.now() / 1000);

    const [entry] = t.hub.registry.clients({ protocol: 'workspaces', room: created.workspace.id });
    assert.equal(entry?.userId, created.attendee.id);
    assert.equal(entry?.permissions.admin, true);
    await client.close();
  });

  test('missing names get the original defaults, and a malformed create gets an alert, not a crash', async () => {
    const c = await WorkspaceClient.connect(url);
    const created = await c.request<Created>('create', { workspace: {}, attendee: {} }, 'created');
    assert.equal(created.workspace.name, 'Untitled Workspace');
    assert.equal(created.attendee.name, 'Anonymous Attendee');
    assert.equal(created.nonce, '');
    for (const bad of ['x', null, 42, []]) {
      c.emit('attend', bad);
      assert.equal(await c.next('alert'), ALERTS.noInvite);
      c.emit('ring', bad);
      assert.equal(await c.next('alert'), ALERTS.badWorkspace);
    }
    assert.deepEqual(await c.request('iceservers', {}, 'iceservers'), ICE);
  });

  test('a client-chosen workspace ID is kept, and taking an existing one is refused', async () => {
    const id = `_chosen${Date.now()}`;
    const first = await createWorkspace(url, { id });
    assert.equal(first.created.workspace.id, id);
    const c = await WorkspaceClient.connect(url);
    c.emit('create', { workspace: { id, name: 'Hijack' }, attendee: { name: 'Mallory' } });
    assert.equal(await c.next('alert'), ALERTS.idTaken);
    const again = await attendWorkspace(url, first.created.workspace.token, '');
    assert.equal(again.reply.workspace.owner, first.created.attendee.id);
  });
});

describe('attend', () => {
  test('with the right PIN: attendance-granted with the original shape, and the room gets attend', async () => {
    const owner = await createWorkspace(url, { pin: '1234' });
    const b = await attendWorkspace(url, owner.created.workspace.token, '1234', 'Ana');
    const g = b.reply;
    assert.deepEqual(Object.keys(g).sort(), [
      'accessToken',
      'attendee',
      'attendees',
      'nonce',
      'workspace',
    ]);
    assert.deepEqual(g.workspace, { ...owner.created.workspace, call: null });
    assert.equal(g.attendee.name, 'Ana');
    assert.notEqual(g.attendee.id, owner.created.attendee.id);
    assert.deepEqual(g.attendees, {
      [owner.created.attendee.id]: owner.created.attendee,
      [g.attendee.id]: g.attendee,
    });
    assert.equal(g.nonce, 'attend-Ana');
    assert.deepEqual(await owner.client.next('attend'), g.attendee);
    assert.equal(decodeJwt(g.accessToken).owner, owner.created.attendee.id);
    const entry = t.hub.registry.clients({ protocol: 'workspaces', userId: g.attendee.id })[0];
    assert.equal(entry?.room, owner.created.workspace.id);
    assert.equal(entry?.permissions.admin, false);
  });

  test('with a wrong PIN: an alert, no attendance, nobody told', async () => {
    const owner = await createWorkspace(url, { pin: '1234' });
    const wrong = await attendWorkspace<string>(
      url,
      owner.created.workspace.token,
      '4321',
      'Eve',
      'alert',
    );
    assert.equal(wrong.reply, ALERTS.wrongPin);
    const none = await attendWorkspace<string>(
      url,
      owner.created.workspace.token,
      '',
      'Eve',
      'alert',
    );
    assert.equal(none.reply, ALERTS.wrongPin);
    assert.equal(t.hub.registry.clients({ room: owner.created.workspace.id }).length, 1);
    // Eve's connection is not in the workspace: its events are refused.
    wrong.client.emit('mic-toggle', {
      workspace: { id: owner.created.workspace.id },
      attendee: { id: '_x1' },
      state: true,
    });
    assert.equal(await wrong.client.next('alert'), ALERTS.notAttended);
    // The first attend the owner hears of is Ana's, which came after both wrong PINs.
    const b = await attendWorkspace(url, owner.created.workspace.token, '1234', 'Ana');
    assert.deepEqual(await owner.client.next('attend'), b.reply.attendee);
  });

  test('a missing or malformed invite token gets the original alert', async () => {
    const c = await WorkspaceClient.connect(url);
    c.emit('attend', { workspace: { pin: '1' }, attendee: { name: 'x' } });
    assert.equal(await c.next('alert'), ALERTS.noInvite);
    c.emit('attend', { workspace: { token: 'not-a-jwt', pin: '1' }, attendee: { name: 'x' } });
    assert.equal(await c.next('alert'), ALERTS.badInvite);
  });

  test('when capacity is reached: full; a seat frees when someone leaves; the owner may always come back', async () => {
    const { owner, guests } = await room(2, '77');
    const token = owner.created.workspace.token;
    const third = await attendWorkspace<Record<string, never>>(url, token, '77', 'Third', 'full');
    assert.deepEqual(third.reply, {});
    assert.equal(t.hub.registry.clients({ room: owner.created.workspace.id }).length, 3);

    // A dropped connection frees its seat and is announced.
    await guests[1]!.client.close();
    assert.deepEqual(await owner.client.next('leave'), guests[1]!.reply.attendee);
    const fourth = await attendWorkspace(url, token, '77', 'Fourth');
    // The owner drops; the room fills again; the owner still gets back in.
    await owner.client.close();
    await guests[0]!.client.waitFor<AttendeeInfo>(
      'leave',
      (a) => a.id === owner.created.attendee.id,
    );
    await attendWorkspace(url, token, '77', 'Fifth');
    await attendWorkspace<Record<string, never>>(url, token, '77', 'Sixth', 'full');
    const back = await WorkspaceClient.connect(url);
    const re = await back.request<Granted>(
      're-attend',
      {
        workspace: owner.created.workspace,
        attendee: owner.created.attendee,
        accessToken: owner.created.accessToken,
      },
      're-attendance-granted',
    );
    assert.equal(re.attendee.id, owner.created.attendee.id);
    assert.equal(Object.keys(re.attendees).length, 4);
    assert.equal(
      (
        await fourth.client.waitFor<AttendeeInfo>(
          'attend',
          (a) => a.id === owner.created.attendee.id,
        )
      ).name,
      'Teacher',
    );
  });
});

describe('calls', () => {
  test('ring reaches the callee, answer reaches the caller, hangup reaches the room; the call is kept meanwhile', async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    const offer = { type: 'offer', sdp: 'v=0 offer' };
    owner.client.emit('ring', {
      ...as(owner.created),
      workspace: { id: owner.created.workspace.id, call: 'call-1' },
      call: { id: 'call-1' },
      callee: { id: b.reply.attendee.id },
      offer,
      nonce: 'n-ring',
    });
    const ring = await b.client.next<Record<string, unknown>>('ring');
    assert.deepEqual(ring, {
      workspace: { id: owner.created.workspace.id, call: 'call-1' },
      caller: owner.created.attendee,
      offer,
      call: { id: 'call-1' },
      nonce: 'n-ring',
    });

    const answer = { type: 'answer', sdp: 'v=0 answer' };
    b.client.emit('answer', {
      ...as(b.reply),
      workspace: ring.workspace,
      caller: { id: owner.created.attendee.id },
      answer,
      call: ring.call,
      nonce: ring.nonce,
    });
    assert.deepEqual(await owner.client.next('answer'), {
      workspace: ring.workspace,
      callee: b.reply.attendee,
      answer,
      call: { id: 'call-1' },
      nonce: 'n-ring',
    });
    // Only the callee was rung, only the caller answered.
    await marker(owned(owner), c.client);
    assert.deepEqual(c.client.received('ring'), []);
    await marker(b, c.client);
    assert.deepEqual(c.client.received('answer'), []);

    // Someone coming back meanwhile learns of the call.
    await c.client.close();
    const back = await WorkspaceClient.connect(url);
    const re = await back.request<Granted>(
      're-attend',
      {
        workspace: { id: owner.created.workspace.id },
        attendee: c.reply.attendee,
        accessToken: c.reply.accessToken,
      },
      're-attendance-granted',
    );
    assert.equal(re.call, 'call-1');

    owner.client.emit('hangup', { ...as(owner.created), call: { id: 'call-1' } });
    const expected = { attendee: owner.created.attendee, call: { id: 'call-1' } };
    assert.deepEqual(await b.client.next('hangup'), expected);
    assert.deepEqual(await back.next('hangup'), expected);
    await marker(b, owner.client);
    assert.deepEqual(owner.client.received('hangup'), [], 'the sender does not get its own hangup');

    await back.close();
    const again = await WorkspaceClient.connect(url);
    const cleared = await again.request<Granted>(
      're-attend',
      {
        workspace: { id: owner.created.workspace.id },
        attendee: c.reply.attendee,
        accessToken: re.accessToken,
      },
      're-attendance-granted',
    );
    assert.equal(cleared.call, null);
  });

  test('busy goes to the room except the callee', async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    b.client.emit('busy', {
      ...as(b.reply),
      workspace: { id: owner.created.workspace.id },
      call: { id: 'call-9' },
      caller: { id: owner.created.attendee.id },
    });
    const expected = {
      workspace: { id: owner.created.workspace.id },
      callee: b.reply.attendee,
      call: { id: 'call-9' },
    };
    assert.deepEqual(await owner.client.next('busy'), expected);
    assert.deepEqual(await c.client.next('busy'), expected);
    await marker(owned(owner), b.client);
    assert.deepEqual(b.client.received('busy'), []);
  });

  test('a ring for someone who is not present goes nowhere', async () => {
    const { owner, guests } = await room(1);
    owner.client.emit('ring', {
      ...as(owner.created),
      call: { id: 'c' },
      callee: { id: '_nobody123' },
      offer: {},
    });
    await marker(owned(owner), guests[0]!.client);
    assert.deepEqual(guests[0]!.client.received('ring'), []);
  });
});

describe('toggles', () => {
  test("mic-toggle and cam-toggle reach the others with {attendee, state}, the sender's whole record", async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    b.client.emit('mic-toggle', {
      ...as(b.reply),
      attendee: { id: b.reply.attendee.id },
      state: false,
    });
    b.client.emit('cam-toggle', {
      ...as(b.reply),
      attendee: { id: b.reply.attendee.id },
      state: true,
    });
    for (const peer of [owner.client, c.client]) {
      const { id, name, avatar } = b.reply.attendee;
      assert.deepEqual(await peer.next('mic-toggle'), {
        attendee: { id, name, avatar },
        state: false,
      });
      assert.deepEqual(await peer.next('cam-toggle'), {
        attendee: { id, name, avatar },
        state: true,
      });
    }
    await marker(c, b.client);
    assert.equal(b.client.received('cam-toggle').length, 0);
    assert.equal(b.client.received('mic-toggle').length, 1, 'only the marker from c');
  });

  test("toggling someone else's state is refused", async () => {
    const { owner, guests } = await room(1);
    owner.client.emit('mic-toggle', {
      ...as(owner.created),
      attendee: { id: guests[0]!.reply.attendee.id },
      state: false,
    });
    assert.equal(await owner.client.next('alert'), ALERTS.notYou);
  });
});

describe('kick, leave, destroy', () => {
  test('the owner kicks: everyone gets kicked, the kicked attendee is out for good', async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    owner.client.emit('kick', {
      ...as(owner.created),
      kickedAttendee: { id: b.reply.attendee.id, name: 'whatever' },
    });
    const kicked = { id: b.reply.attendee.id, name: b.reply.attendee.name };
    assert.deepEqual(await owner.client.next('kicked'), kicked);
    assert.deepEqual(await b.client.next('kicked'), kicked);
    assert.deepEqual(await c.client.next('kicked'), kicked);
    assert.equal(t.hub.registry.clients({ userId: b.reply.attendee.id }).length, 0);

    b.client.emit('mic-toggle', {
      ...as(b.reply),
      attendee: { id: b.reply.attendee.id },
      state: true,
    });
    assert.equal(await b.client.next('alert'), ALERTS.notAttended);
    b.client.emit('re-attend', { ...as(b.reply) });
    assert.equal(await b.client.next('alert'), ALERTS.notMember);
    await marker(owned(owner), c.client);
    assert.equal(c.client.received('mic-toggle').length, 1, 'only the marker reached c');
  });

  test('only the owner may kick, and the owner cannot be kicked', async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    b.client.emit('kick', { ...as(b.reply), kickedAttendee: { id: c.reply.attendee.id } });
    assert.equal(await b.client.next('alert'), ALERTS.unauthorized);
    owner.client.emit('kick', {
      ...as(owner.created),
      kickedAttendee: { id: owner.created.attendee.id },
    });
    assert.equal(await owner.client.next('alert'), ALERTS.ownerKick);
    owner.client.emit('kick', { ...as(owner.created), kickedAttendee: { id: '_stranger1' } });
    assert.equal(await owner.client.next('alert'), ALERTS.noSuchAttendee);
    await marker(b, c.client);
    assert.deepEqual(c.client.received('kicked'), []);
  });

  test('a non-owner trying destroy gets an alert and the workspace lives on', async () => {
    const { owner, guests } = await room(1);
    const b = guests[0]!;
    b.client.emit('destroy', { ...as(b.reply) });
    assert.equal(await b.client.next('alert'), ALERTS.unauthorized);
    // Even with the owner's ID in the payload: the connection is not the owner.
    b.client.emit('destroy', { ...as(b.reply), attendee: { id: owner.created.attendee.id } });
    assert.equal(await b.client.next('alert'), ALERTS.notYou);
    const c = await attendWorkspace(url, owner.created.workspace.token, '');
    await marker(c, owner.client);
    assert.deepEqual(owner.client.received('destroyed'), []);
    assert.deepEqual(b.client.received('destroyed'), []);
  });

  test('the owner destroys: the room and the sender get destroyed, the invite is dead', async () => {
    const { owner, guests } = await room(1);
    owner.client.emit('destroy', { ...as(owner.created) });
    assert.deepEqual(await owner.client.next('destroyed'), {});
    assert.deepEqual(await guests[0]!.client.next('destroyed'), {});
    assert.equal(t.hub.registry.clients({ room: owner.created.workspace.id }).length, 0);
    const late = await attendWorkspace<Record<string, never>>(
      url,
      owner.created.workspace.token,
      '',
      'Late',
      'destroyed',
    );
    assert.deepEqual(late.reply, {});
    guests[0]!.client.emit('mic-toggle', {
      ...as(guests[0]!.reply),
      attendee: guests[0]!.reply.attendee,
      state: 1,
    });
    // The workspace is gone: `destroyed` again, as the original answers any event for it.
    assert.deepEqual(await guests[0]!.client.next('destroyed'), {});
    assert.equal(guests[0]!.client.received('destroyed').length, 2);
  });

  test('an attendee leaves: the others get leave, and the old token cannot bring it back', async () => {
    const { owner, guests } = await room(2);
    const [b, c] = guests as [
      { client: WorkspaceClient; reply: Granted },
      { client: WorkspaceClient; reply: Granted },
    ];
    b.client.emit('leave', { ...as(b.reply) });
    assert.deepEqual(await owner.client.next('leave'), b.reply.attendee);
    assert.deepEqual(await c.client.next('leave'), b.reply.attendee);
    b.client.emit('re-attend', { ...as(b.reply) });
    assert.equal(await b.client.next('alert'), ALERTS.notMember);
    assert.deepEqual(b.client.received('leave'), []);
  });

  test('attendees lists who is present; it is ignored before attending, as in the original', async () => {
    const { owner, guests } = await room(1);
    const fresh = await WorkspaceClient.connect(url);
    fresh.emit('attendees', { ...as(guests[0]!.reply) });
    const list = await owner.client.request<{ attendees: Record<string, AttendeeInfo> }>(
      'attendees',
      { ...as(owner.created) },
      'attendees',
    );
    assert.deepEqual(
      Object.keys(list.attendees).sort(),
      [owner.created.attendee.id, guests[0]!.reply.attendee.id].sort(),
    );
    assert.deepEqual(await fresh.request('iceservers', {}, 'iceservers'), ICE);
    assert.deepEqual(fresh.received('attendees'), []);
    assert.deepEqual(fresh.received('alert'), []);
  });
});

describe('registry', () => {
  test('a kick from the registry disconnects the attendee and the room sees it leave', async () => {
    const { owner, guests } = await room(1);
    const b = guests[0]!;
    const [entry] = t.hub.registry.clients({ protocol: 'workspaces', userId: b.reply.attendee.id });
    assert.ok(entry);
    const disconnected = new Promise<string>((resolve) =>
      b.client.socket.once('disconnect', (r: string) => resolve(r)),
    );
    assert.equal(t.hub.registry.kick(entry.id, 'removed by the teacher'), true);
    assert.equal(await b.client.next('alert'), 'removed by the teacher');
    assert.equal(await disconnected, 'io server disconnect');
    assert.deepEqual(await owner.client.next('leave'), b.reply.attendee);
    assert.equal(t.hub.registry.clients({ userId: b.reply.attendee.id }).length, 0);
    const stats = t.hub.stats().byProtocol.workspaces;
    assert.ok(stats && stats.clients >= 1);
    // The owner's Socket.IO connection counts among the hub's connections.
    assert.ok(t.hub.stats().connections >= 1);
  });
});

describe('AllowedOrigins', () => {
  let strict: TestHub;
  before(async () => {
    strict = await startHub({ AllowedOrigins: 'https://school.example' });
  });
  after(() => strict.stop());

  test('a refused origin cannot connect by polling or WebSocket; an allowed one can', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      await assert.rejects(
        WorkspaceClient.connect(strict.httpUrl, {
          transports,
          extraHeaders: { Origin: 'https://evil.example' },
        }),
      );
    }
    const ok = await WorkspaceClient.connect(strict.httpUrl, {
      extraHeaders: { Origin: 'https://school.example' },
    });
    assert.deepEqual(await ok.request('iceservers', {}, 'iceservers'), []);
    await ok.close();
  });
});
