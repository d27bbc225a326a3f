// The protocol-agnostic session registry: clients, rooms, events, controls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionRegistry } from './registry';
import type { ClientControl, ClientInfo, RoomInfo } from './registry';
import type { Permissions } from './permissions';

const RW: Permissions = { read: true, write: true, admin: false };
const R: Permissions = { read: true, write: false, admin: false };

interface FakeControl extends ClientControl {
  kicks: string[];
  permissions: Permissions[];
}

function control(): FakeControl {
  const c: FakeControl = {
    kicks: [],
    permissions: [],
    kick: (reason) => c.kicks.push(reason),
    setPermissions: (p) => c.permissions.push(p),
  };
  return c;
}

let n = 0;
function info(overrides: Partial<ClientInfo> = {}): ClientInfo {
  return {
    id: `c${++n}`,
    protocol: 'zwibbler',
    room: 'doc',
    remoteAddress: '127.0.0.1',
    userId: 'u1',
    permissions: { ...RW },
    connectedAt: 1700000000000,
    ...overrides,
  };
}

/** Records every registry event in order. */
function record(reg: SessionRegistry): string[] {
  const events: string[] = [];
  reg.on('room-opened', (r: RoomInfo) => events.push(`room-opened ${r.protocol}/${r.name}`));
  reg.on('room-closed', (r: RoomInfo) => events.push(`room-closed ${r.protocol}/${r.name}`));
  reg.on('client-added', (c: ClientInfo) => events.push(`client-added ${c.id}`));
  reg.on('client-removed', (c: ClientInfo) => events.push(`client-removed ${c.id}`));
  reg.on('permissions-changed', (c: ClientInfo) => events.push(`permissions-changed ${c.id}`));
  return events;
}

describe('SessionRegistry', () => {
  test('add registers a client; the returned function removes it', () => {
    const reg = new SessionRegistry();
    const a = info();
    const remove = reg.add(a, control());
    assert.deepEqual(reg.client(a.id), a);
    assert.deepEqual(reg.clients(), [a]);
    remove();
    assert.equal(reg.client(a.id), undefined);
    assert.deepEqual(reg.clients(), []);
    remove(); // a second call is harmless
    assert.deepEqual(reg.stats(), { rooms: 0, clients: 0, byProtocol: {} });
  });

  test('setUserId names the user of a connected client and says so', () => {
    const reg = new SessionRegistry();
    const a = { ...info(), userId: '' };
    reg.add(a, control());
    const seen: string[] = [];
    reg.on('user-changed', (c) => seen.push(c.userId));
    assert.equal(reg.setUserId(a.id, 'alice'), true);
    assert.equal(reg.client(a.id)?.userId, 'alice');
    assert.deepEqual(reg.clients({ userId: 'alice' }).length, 1);
    assert.deepEqual(seen, ['alice']);
    assert.equal(reg.setUserId('nobody', 'bob'), false);
  });

  test('a client id can be registered only once', () => {
    const reg = new SessionRegistry();
    const a = info();
    reg.add(a, control());
    assert.throws(() => reg.add({ ...a, room: 'other' }, control()), /already registered/);
    assert.equal(reg.clients().length, 1);
  });

  test('stored info is a copy: changing the caller object or a returned one changes nothing', () => {
    const reg = new SessionRegistry();
    const a = info();
    reg.add(a, control());
    a.permissions.write = false;
    a.room = 'moved';
    const got = reg.client(a.id)!;
    assert.equal(got.permissions.write, true);
    assert.equal(got.room, 'doc');
    got.userId = 'someone-else';
    assert.equal(reg.client(a.id)!.userId, 'u1');
  });

  test('the first client opens a room and the last one closes it', () => {
    const reg = new SessionRegistry();
    const events = record(reg);
    const a = info({ room: 'r1' });
    const b = info({ room: 'r1' });
    const removeA = reg.add(a, control());
    const removeB = reg.add(b, control());
    assert.deepEqual(
      reg.rooms().map((r) => [r.protocol, r.name, r.clients]),
      [['zwibbler', 'r1', 2]],
    );
    removeA();
    assert.equal(reg.rooms()[0]!.clients, 1);
    removeB();
    assert.deepEqual(reg.rooms(), []);
    assert.deepEqual(events, [
      'room-opened zwibbler/r1',
      `client-added ${a.id}`,
      `client-added ${b.id}`,
      `client-removed ${a.id}`,
      'room-closed zwibbler/r1',
      `client-removed ${b.id}`,
    ]);
  });

  test('the same room name under two protocols is two rooms', () => {
    const reg = new SessionRegistry();
    const opened: RoomInfo[] = [];
    reg.on('room-opened', (r) => opened.push(r));
    reg.add(info({ protocol: 'zwibbler', room: 'class' }), control());
    reg.add(info({ protocol: 'yjs', room: 'class' }), control());
    assert.equal(opened.length, 2);
    assert.deepEqual(
      reg.rooms('yjs').map((r) => r.name),
      ['class'],
    );
    assert.equal(reg.rooms().length, 2);
  });

  test('stats count rooms and clients, in total and by protocol', () => {
    const reg = new SessionRegistry();
    reg.add(info({ protocol: 'zwibbler', room: 'd1' }), control());
    reg.add(info({ protocol: 'zwibbler', room: 'd1' }), control());
    reg.add(info({ protocol: 'zwibbler', room: 'd2' }), control());
    const removeYjs = reg.add(info({ protocol: 'yjs', room: 'r' }), control());
    reg.add(info({ protocol: 'chat', room: 'lobby' }), control());
    assert.deepEqual(reg.stats(), {
      rooms: 4,
      clients: 5,
      byProtocol: {
        zwibbler: { rooms: 2, clients: 3 },
        yjs: { rooms: 1, clients: 1 },
        chat: { rooms: 1, clients: 1 },
      },
    });
    removeYjs();
    const after = reg.stats();
    assert.equal(after.byProtocol.yjs, undefined);
    assert.equal(after.rooms, 3);
    assert.equal(after.clients, 4);
  });

  test('kick calls the client control with the reason', () => {
    const reg = new SessionRegistry();
    const a = info();
    const b = info();
    const ca = control();
    const cb = control();
    reg.add(a, ca);
    reg.add(b, cb);
    assert.equal(reg.kick(a.id, 'teacher said so'), true);
    assert.deepEqual(ca.kicks, ['teacher said so']);
    assert.deepEqual(cb.kicks, []);
    assert.equal(reg.kick('no-such-client', 'x'), false);
  });

  test('kickRoom kicks every client of that room, and only those', () => {
    const reg = new SessionRegistry();
    const inRoom = [control(), control(), control()];
    for (const c of inRoom) reg.add(info({ protocol: 'yjs', room: 'math' }), c);
    const sameNameOtherProtocol = control();
    reg.add(info({ protocol: 'zwibbler', room: 'math' }), sameNameOtherProtocol);
    const otherRoom = control();
    reg.add(info({ protocol: 'yjs', room: 'art' }), otherRoom);
    assert.equal(reg.kickRoom('yjs', 'math', 'lesson over'), 3);
    for (const c of inRoom) assert.deepEqual(c.kicks, ['lesson over']);
    assert.deepEqual(sameNameOtherProtocol.kicks, []);
    assert.deepEqual(otherRoom.kicks, []);
    assert.equal(reg.kickRoom('yjs', 'empty', 'x'), 0);
  });

  test("setUserPermissions applies to each of the user's clients and returns the count", () => {
    const reg = new SessionRegistry();
    const events = record(reg);
    const mine = [info({ userId: 'ann', room: 'd1' }), info({ userId: 'ann', room: 'd2' })];
    const theirs = info({ userId: 'bob', room: 'd1' });
    const controls = mine.map(() => control());
    mine.forEach((c, i) => reg.add(c, controls[i]!));
    const bobControl = control();
    reg.add(theirs, bobControl);
    events.length = 0;

    assert.equal(reg.setUserPermissions('ann', R), 2);
    for (const c of controls) assert.deepEqual(c.permissions, [R]);
    assert.deepEqual(bobControl.permissions, []);
    for (const c of mine) assert.deepEqual(reg.client(c.id)!.permissions, R);
    assert.deepEqual(reg.client(theirs.id)!.permissions, RW);
    assert.deepEqual(
      events,
      mine.map((c) => `permissions-changed ${c.id}`),
    );
    assert.equal(reg.setUserPermissions('nobody', R), 0);
  });

  test('setClientPermissions changes one client; the stored copy is not shared', () => {
    const reg = new SessionRegistry();
    const a = info();
    const c = control();
    reg.add(a, c);
    const p = { ...R };
    assert.equal(reg.setClientPermissions(a.id, p), true);
    p.admin = true;
    assert.deepEqual(reg.client(a.id)!.permissions, R);
    assert.deepEqual(c.permissions, [R]);
    assert.equal(reg.setClientPermissions('missing', R), false);
  });

  test('clients() filters by protocol, room and user, alone or together', () => {
    const reg = new SessionRegistry();
    const z1 = info({ protocol: 'zwibbler', room: 'd1', userId: 'ann' });
    const z2 = info({ protocol: 'zwibbler', room: 'd2', userId: 'bob' });
    const y1 = info({ protocol: 'yjs', room: 'd1', userId: 'ann' });
    for (const c of [z1, z2, y1]) reg.add(c, control());
    const ids = (list: ClientInfo[]) => list.map((c) => c.id).sort();
    assert.deepEqual(ids(reg.clients()), ids([z1, z2, y1]));
    assert.deepEqual(ids(reg.clients({ protocol: 'zwibbler' })), ids([z1, z2]));
    assert.deepEqual(ids(reg.clients({ room: 'd1' })), ids([z1, y1]));
    assert.deepEqual(ids(reg.clients({ userId: 'ann' })), ids([z1, y1]));
    assert.deepEqual(ids(reg.clients({ protocol: 'zwibbler', userId: 'ann' })), [z1.id]);
    assert.deepEqual(reg.clients({ protocol: 'yjs', room: 'd2' }), []);
  });

  test('nextClientId is lower-case hex and never repeats', () => {
    const reg = new SessionRegistry();
    const ids = Array.from({ length: 300 }, () => reg.nextClientId());
    for (const id of ids) assert.match(id, /^[0-9a-f]+$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(
      ids.some((id) => /[a-f]/.test(id)),
      'past nine ids, hex digits appear',
    );
  });
});
