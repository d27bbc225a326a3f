// Authorization by connection identity
// (docs/protocols/workspaces.md#identities): the holes of the original server
// are closed. Real Socket.IO v2 clients. The holes:
// - negotiation and icecandidate relayed for anyone
//   (docs/protocols/workspaces.md#negotiation-and-icecandidate-are-checked);
// - attendee IDs taken over
//   (docs/protocols/workspaces.md#attendee-ids-cannot-be-taken-over);
// - tokens that never die
//   (docs/protocols/workspaces.md#access-tokens-expire).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import {
  as,
  attendWorkspace,
  createWorkspace,
  WorkspaceClient,
} from '../../test/workspaces-client';
import type { Created, Granted } from '../../test/workspaces-client';
import { ALERTS } from './server';
import { ACCESS_TOKEN_SECONDS } from './tokens';

let clock = Date.UTC(2026, 10, 22, 9);
let t: TestHub;
let url: string;

before(async () => {
  t = await startHub({ LoginFailureLimit: 3, LoginLockoutSeconds: 600 }, { now: () => clock });
  url = t.httpUrl;
});

after(async () => {
  await WorkspaceClient.closeAll();
  await t.stop();
});

interface Member {
  client: WorkspaceClient;
  reply: Created;
}

async function pair(pin = ''): Promise<{ a: Member; b: Member }> {
  const owner = await createWorkspace(url, { pin });
  const b = await attendWorkspace(url, owner.created.workspace.token, pin, 'Bo');
  return { a: { client: owner.client, reply: owner.created }, b };
}

const offer = (n: string) => ({ type: 'offer', data: { type: 'offer', sdp: `v=0 ${n}` } });

/** `from` negotiates with `to`, legitimately; `to` receives it. */
async function negotiate(from: Member, to: Member, tag: string): Promise<void> {
  from.client.emit('negotiation', {
    workspace: { id: from.reply.workspace.id },
    attendee: { id: to.reply.attendee.id },
    broadcaster: { id: from.reply.attendee.id },
    accessToken: from.reply.accessToken,
    message: offer(tag),
  });
  await to.client.waitFor<{ message: unknown }>('negotiation', (d) =>
    JSON.stringify(d.message).includes(tag),
  );
}

/** The negotiations `m` received, as their senders' IDs. */
const negotiators = (m: Member) =>
  m.client.received('negotiation').map((d) => (d as { attendee: { id: string } }).attendee.id);

describe('relays', () => {
  test('negotiation and icecandidate between attendees are relayed with the original shapes', async () => {
    const { a, b } = await pair();
    a.client.emit('negotiation', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      accessToken: a.reply.accessToken,
      message: offer('hello'),
    });
    assert.deepEqual(await b.client.next('negotiation'), {
      attendee: { id: a.reply.attendee.id },
      message: offer('hello'),
    });
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 10.0.0.5 50000 typ host',
      sdpMid: '0',
    };
    b.client.emit('icecandidate', {
      workspace: { id: b.reply.workspace.id },
      attendee: { id: a.reply.attendee.id },
      broadcaster: { id: b.reply.attendee.id },
      accessToken: b.reply.accessToken,
      candidate,
    });
    assert.deepEqual(await a.client.next('icecandidate'), {
      attendee: { id: a.reply.attendee.id },
      broadcaster: { id: b.reply.attendee.id },
      candidate,
    });
  });

  test('an unknown workspace is `destroyed` for any connection, as from the original', async () => {
    const { a } = await pair();
    const stranger = await WorkspaceClient.connect(url);
    const nowhere = {
      workspace: { id: '_nosuchspace' },
      attendee: { id: '_nobody' },
      accessToken: 'x',
    };
    stranger.emit('leave', nowhere);
    await stranger.next('destroyed');
    // An attendee naming another, unknown workspace hears the same.
    a.client.emit('mic-toggle', { ...nowhere, attendee: { id: a.reply.attendee.id }, state: true });
    await a.client.next('destroyed');
    // A workspace that exists still needs attending first.
    stranger.emit('leave', { ...nowhere, workspace: { id: a.reply.workspace.id } });
    assert.equal(await stranger.next('alert'), ALERTS.notAttended);
  });

  test('a negotiation from a connection that never attended is refused, even with a valid token', async () => {
    const { a, b } = await pair();
    const stranger = await WorkspaceClient.connect(url);
    stranger.emit('negotiation', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      accessToken: a.reply.accessToken, // stolen: still not this connection's identity
      message: offer('from-stranger'),
    });
    assert.equal(await stranger.next('alert'), ALERTS.notAttended);
    stranger.emit('icecandidate', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      candidate: { candidate: 'x' },
    });
    assert.equal(await stranger.next('alert'), ALERTS.notAttended);
    await negotiate(a, b, 'after-stranger');
    assert.deepEqual(negotiators(b), [a.reply.attendee.id], 'only the real one arrived');
    assert.deepEqual(b.client.received('icecandidate'), []);
  });

  test('a negotiation with a forged token is refused', async () => {
    const { a, b } = await pair();
    const claims = decodeJwt(a.reply.accessToken);
    const forgeries = [
      // Same claims, signed with some other key.
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(randomBytes(32)),
      // The real signature over claims that were changed afterwards.
      (() => {
        const [h, , sig] = a.reply.accessToken.split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...claims, exp: claims.exp! + 86_400 }),
        ).toString('base64url');
        return `${h}.${payload}.${sig}`;
      })(),
      // Unsigned.
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${a.reply.accessToken.split('.')[1]}.`,
      // B's genuine token, sent by A.
      b.reply.accessToken,
    ];
    for (const accessToken of forgeries) {
      a.client.emit('negotiation', {
        workspace: { id: a.reply.workspace.id },
        attendee: { id: b.reply.attendee.id },
        broadcaster: { id: a.reply.attendee.id },
        accessToken,
        message: offer('forged'),
      });
      assert.equal(await a.client.next('alert'), ALERTS.badAccessToken);
    }
    a.client.emit('negotiation', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      message: offer('no token'),
    });
    assert.equal(await a.client.next('alert'), ALERTS.noAccessToken);
    await negotiate(a, b, 'genuine');
    assert.deepEqual(negotiators(b), [a.reply.attendee.id]);
    assert.equal(b.client.received('negotiation').length, 1);
  });

  test('an attendee cannot speak for another (broadcaster or attendee ID)', async () => {
    const { a, b } = await pair();
    const c = await attendWorkspace(url, a.reply.workspace.token, '', 'Cy');
    c.client.emit('negotiation', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      accessToken: c.reply.accessToken,
      message: offer('spoofed'),
    });
    assert.equal(await c.client.next('alert'), ALERTS.notYou);
    c.client.emit('icecandidate', {
      workspace: { id: a.reply.workspace.id },
      attendee: { id: b.reply.attendee.id },
      broadcaster: { id: a.reply.attendee.id },
      candidate: { candidate: 'spoofed' },
    });
    assert.equal(await c.client.next('alert'), ALERTS.notYou);
    c.client.emit('ring', {
      ...as(c.reply),
      attendee: a.reply.attendee,
      callee: { id: b.reply.attendee.id },
      call: { id: 'x' },
      offer: {},
    });
    assert.equal(await c.client.next('alert'), ALERTS.notYou);
    await negotiate(a, b, 'real');
    assert.deepEqual(negotiators(b), [a.reply.attendee.id]);
    assert.deepEqual(b.client.received('icecandidate'), []);
    assert.deepEqual(b.client.received('ring'), []);
  });

  test('an attendee of one workspace cannot reach another', async () => {
    const one = await pair();
    const two = await pair();
    one.b.client.emit('ring', {
      workspace: { id: two.a.reply.workspace.id },
      attendee: one.b.reply.attendee,
      accessToken: one.b.reply.accessToken,
      call: { id: 'x' },
      callee: { id: two.b.reply.attendee.id },
      offer: {},
    });
    assert.equal(await one.b.client.next('alert'), ALERTS.notAttended);
    one.b.client.emit('negotiation', {
      workspace: { id: one.b.reply.workspace.id },
      attendee: { id: two.b.reply.attendee.id },
      broadcaster: { id: one.b.reply.attendee.id },
      accessToken: one.b.reply.accessToken,
      message: offer('cross'),
    });
    await negotiate(two.a, two.b, 'same-room');
    assert.deepEqual(negotiators(two.b), [two.a.reply.attendee.id]);
    assert.deepEqual(two.b.client.received('ring'), []);
  });
});

describe('identities', () => {
  test("attend cannot take the owner's ID, so it gains no owner rights", async () => {
    const { a, b } = await pair('9');
    const m = await WorkspaceClient.connect(url);
    const granted = await m.request<Granted>(
      'attend',
      {
        workspace: { token: a.reply.workspace.token, pin: '9' },
        attendee: { id: a.reply.attendee.id, name: 'Mallory' },
      },
      'attendance-granted',
    );
    assert.notEqual(granted.attendee.id, a.reply.attendee.id);
    assert.notEqual(granted.attendee.id, b.reply.attendee.id);
    m.emit('destroy', { ...as(granted) });
    assert.equal(await m.next('alert'), ALERTS.unauthorized);
    m.emit('destroy', { ...as(granted), attendee: { id: a.reply.attendee.id } });
    assert.equal(await m.next('alert'), ALERTS.notYou);
    // Re-attending as the owner with Mallory's own token does not work either.
    m.emit('re-attend', {
      workspace: { id: a.reply.workspace.id },
      attendee: a.reply.attendee,
      accessToken: granted.accessToken,
    });
    assert.equal(await m.next('alert'), ALERTS.badAccessToken);
    assert.deepEqual(a.client.received('destroyed'), []);
  });

  test('an unused client-chosen attendee ID is kept, as in the original', async () => {
    const { a } = await pair();
    const id = `_mine${process.pid}`;
    const c = await WorkspaceClient.connect(url);
    const g = await c.request<Granted>(
      'attend',
      { workspace: { token: a.reply.workspace.token, pin: '' }, attendee: { id, name: 'Di' } },
      'attendance-granted',
    );
    assert.equal(g.attendee.id, id);
  });

  test('tokens of a destroyed workspace do not open one created again under the same ID', async () => {
    const id = `_reborn${process.pid}`;
    const first = await createWorkspace(url, { id, pin: '1' });
    const guest = await attendWorkspace(url, first.created.workspace.token, '1', 'Old');
    first.client.emit('destroy', { ...as(first.created) });
    await first.client.next('destroyed');
    const second = await createWorkspace(url, { id, pin: '1' }, { id: first.created.attendee.id });
    assert.equal(second.created.workspace.id, id);
    assert.notEqual(second.created.workspace.token, first.created.workspace.token);
    const old = await attendWorkspace<string>(
      url,
      first.created.workspace.token,
      '1',
      'Old',
      'alert',
    );
    assert.equal(old.reply, ALERTS.badInvite);
    for (const who of [first.created, guest.reply]) {
      guest.client.emit('re-attend', {
        workspace: { id },
        attendee: who.attendee,
        accessToken: who.accessToken,
      });
      assert.equal(await guest.client.next('alert'), ALERTS.badAccessToken);
    }
  });

  test('a re-attend moves direct messages to the new connection (the original kept the old one)', async () => {
    const { a, b } = await pair();
    const b2 = await WorkspaceClient.connect(url);
    const re = await b2.request<Granted>('re-attend', { ...as(b.reply) }, 're-attendance-granted');
    assert.equal(re.attendee.socket, b2.socket.id);
    assert.equal(await b.client.next('alert'), ALERTS.replaced);
    await negotiate(a, { client: b2, reply: re }, 'to-new');
    assert.deepEqual(b.client.received('negotiation'), []);
    b.client.emit('mic-toggle', {
      ...as(b.reply),
      attendee: { id: b.reply.attendee.id },
      state: true,
    });
    assert.equal(await b.client.next('alert'), ALERTS.notAttended);
  });

  test('create with a PIN over 256 characters is told so, not "Wrong PIN", and creates nothing', async () => {
    const c = await WorkspaceClient.connect(url);
    c.emit('create', { workspace: { name: 'Long', pin: '9'.repeat(257) }, attendee: {} });
    assert.equal(await c.next<string>('alert'), ALERTS.pinTooLong(256));
    assert.deepEqual(c.received('created'), []);
  });

  test('wrong PINs are throttled per address and workspace', async () => {
    const { a } = await pair('2024');
    const c = await WorkspaceClient.connect(url);
    const tryPin = (pin: string) => {
      c.emit('attend', {
        workspace: { token: a.reply.workspace.token, pin },
        attendee: { name: 'G' },
      });
      return c.next<string>('alert');
    };
    for (const pin of ['0000', '0001', '0002']) assert.equal(await tryPin(pin), ALERTS.wrongPin);
    assert.match(await tryPin('2024'), /^Too many wrong PINs\. Try again in \d+ seconds\.$/);
    const other = await pair('2024');
    const ok = await attendWorkspace(url, other.a.reply.workspace.token, '2024');
    assert.equal(
      ok.reply.workspace.id,
      other.a.reply.workspace.id,
      'another workspace is not affected',
    );
  });
});

describe('expiry', () => {
  test('a negotiation with an expired token is refused, and the token no longer re-attends', async () => {
    const { a, b } = await pair('5');
    const before = clock;
    clock += (ACCESS_TOKEN_SECONDS + 60) * 1000;
    try {
      a.client.emit('negotiation', {
        workspace: { id: a.reply.workspace.id },
        attendee: { id: b.reply.attendee.id },
        broadcaster: { id: a.reply.attendee.id },
        accessToken: a.reply.accessToken,
        message: offer('stale'),
      });
      assert.equal(await a.client.next('alert'), ALERTS.expired);
      const again = await WorkspaceClient.connect(url);
      again.emit('re-attend', { ...as(b.reply) });
      assert.equal(await again.next('alert'), ALERTS.expired);
      // The invite does not expire: attending again gives fresh tokens.
      const fresh = await attendWorkspace(url, a.reply.workspace.token, '5', 'Fresh');
      const exp = decodeJwt(fresh.reply.accessToken).exp!;
      assert.equal(exp, Math.floor(clock / 1000) + ACCESS_TOKEN_SECONDS);
      await negotiate(fresh, b, 'fresh');
      assert.deepEqual(negotiators(b), [fresh.reply.attendee.id]);
    } finally {
      clock = before;
    }
  });
});

describe('rate limit', () => {
  let slow: TestHub;
  before(async () => {
    slow = await startHub({ SignalMessagesPerSecond: 5 });
  });
  after(() => slow.stop());

  test('a connection sending faster than SignalMessagesPerSecond is disconnected', async () => {
    const c = await WorkspaceClient.connect(slow.httpUrl, { transports: ['websocket'] });
    const reason = new Promise<string>((resolve) =>
      c.socket.once('disconnect', (r: string) => resolve(r)),
    );
    for (let i = 0; i < 40; i++) c.emit('iceservers', {});
    assert.equal(await reason, 'io server disconnect');
    assert.ok(c.received('iceservers').length <= 10, 'the burst is twice the rate');
  });
});
