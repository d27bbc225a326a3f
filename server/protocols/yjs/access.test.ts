// Who may open a Yjs room: stored tokens and JWTs as on the Zwibbler side,
// readers whose edits go nowhere, and refusals the real client can act on
// (permission-denied, then close 4401/4403).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { expiresIn, manage } from '../../test/manage';
import { waitFor } from '../../test/sse-client';
import { openProvider, RawYjsClient } from '../../test/yjs-client';
import type { TestProvider } from '../../test/yjs-client';

const opened: TestProvider[] = [];
const raws: RawYjsClient[] = [];
const text = (p: TestProvider): string => p.doc.getText('t').toString();

function providerOn(hub: TestHub, room: string, options?: Parameters<typeof openProvider>[2]) {
  const p = openProvider(hub.wsUrl, room, options);
  // What docs/protocols/yjs.md asks of clients before y-websocket 3.1: stop the
  // retry loop on an auth close (3.1 stops by itself, tested below).
  p.provider.on('connection-close', (event) => {
    if (event && (event.code === 4401 || event.code === 4403)) p.provider.disconnect();
  });
  opened.push(p);
  return p;
}

async function rawOn(hub: TestHub, path: string, protocols?: string[]) {
  const c = await RawYjsClient.open(`${hub.wsUrl}${path}`, protocols);
  raws.push(c);
  return c;
}

after(() => {
  for (const p of opened) p.destroy();
  for (const r of raws) r.close();
});

describe('stored tokens (open mode)', () => {
  let t: TestHub;
  const addToken = (token: string, room: string, permissions: string, seconds = 3600) =>
    manage(t.httpUrl, {
      method: 'addToken',
      token,
      documentID: room,
      userID: `user-${token}`,
      permissions,
      expiration: expiresIn(seconds),
    });

  before(async () => {
    t = await startHub({ SecretUser: 'admin', SecretPassword: 'secret' });
  });
  after(() => t.stop());

  test("a reader's edits never reach the others or the store, and the reader is told", async () => {
    await addToken('reader-1', 'lesson', 'r');
    await addToken('writer-1', 'lesson', 'rw');
    const writer = providerOn(t, 'lesson', { params: { token: 'writer-1' } });
    const reader = providerOn(t, 'lesson', { params: { token: 'reader-1' } });
    await Promise.all([writer.synced(), reader.synced()]);
    writer.doc.getText('t').insert(0, 'from the teacher');
    await waitFor(() => text(reader) === 'from the teacher', 10_000, 'reader did not receive');
    reader.doc.getText('t').insert(0, 'GRAFFITI ');
    await waitFor(() => reader.denied.length > 0, 10_000, 'reader was not told');
    assert.match(reader.denied[0]!, /read-only/);
    writer.doc.getText('t').insert(text(writer).length, '!');
    await waitFor(() => text(reader).endsWith('!'), 10_000, 'later edit not received');
    assert.equal(text(writer), 'from the teacher!');
    // Everyone leaves, the room unloads, and a new client reads what was stored.
    writer.destroy();
    reader.destroy();
    await waitFor(() => t.hub.registry.clients({ room: 'lesson' }).length === 0, 10_000, 'left');
    const fresh = providerOn(t, 'lesson', { params: { token: 'writer-1' } });
    await fresh.synced();
    assert.equal(text(fresh), 'from the teacher!');
  });

  test('an unknown token gets permission-denied and close 4401, and the client stops', async () => {
    const p = providerOn(t, 'lesson', { params: { token: 'no-such-token' } });
    await waitFor(() => p.closes.length > 0, 10_000, 'not closed');
    assert.equal(p.closes[0]!.code, 4401);
    assert.deepEqual(p.denied, ['unknown token']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(p.closes.length, 1, 'the provider must not reconnect after disconnect()');
  });

  test('y-websocket 3.1 stops by itself after a 44xx refusal and says why in `closed`', async () => {
    const p = openProvider(t.wsUrl, 'lesson', { params: { token: 'still-no-such-token' } });
    opened.push(p);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      p.provider.once('closed', (event) => resolve(event)),
    );
    assert.deepEqual(await closed, { code: 4401, reason: 'unknown token' });
    // Its backoff would retry within about 200 ms; a second of quiet shows it does not.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(p.closes.length, 1);
    assert.equal(p.provider.shouldConnect, false);
  });

  test('a token for another room gets 4403', async () => {
    await addToken('other-room', 'elsewhere', 'rw');
    const c = await rawOn(t, '/yjs/lesson?token=other-room');
    const denied = await c.nextOf('auth');
    assert.equal(denied.reason, 'the token is for another room');
    assert.equal((await c.closed).code, 4403);
  });

  test('an expired token gets 4401', async () => {
    await addToken('stale', 'lesson', 'rw', -60);
    const c = await rawOn(t, '/yjs/lesson?token=stale');
    assert.equal((await c.nextOf('auth')).reason, 'token expired');
    assert.equal((await c.closed).code, 4401);
  });

  test("updateUser turns a writer into a reader live; the registry's kick closes with 4403", async () => {
    await addToken('demote-me', 'live', 'rw');
    const p = providerOn(t, 'live', { params: { token: 'demote-me' } });
    const watcher = providerOn(t, 'live');
    await Promise.all([p.synced(), watcher.synced()]);
    p.doc.getText('t').insert(0, 'ok;');
    await waitFor(() => text(watcher) === 'ok;', 10_000, 'first edit');
    await manage(t.httpUrl, { method: 'updateUser', userID: 'user-demote-me', permissions: 'r' });
    p.doc.getText('t').insert(0, 'refused;');
    await waitFor(() => p.denied.length > 0, 10_000, 'not told of read-only');
    assert.equal(text(watcher), 'ok;');
    const [client] = t.hub.registry.clients({ room: 'live', userId: 'user-demote-me' });
    assert.ok(client);
    t.hub.registry.kick(client.id, 'lesson over');
    await waitFor(() => p.closes.length > 0, 10_000, 'not kicked');
    assert.equal(p.closes[0]!.code, 4403);
    assert.match(p.closes[0]!.reason, /kicked: lesson over/);
  });
});

describe('JWT mode', () => {
  let t: TestHub;
  const key = 'yjs-test-key-with-enough-bytes-32';
  const jwt = (claims: Record<string, unknown>) =>
    new SignJWT({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(key));

  before(async () => {
    t = await startHub({ JWTKey: key });
  });
  after(() => t.stop());

  test('no token is refused with 4401', async () => {
    const c = await rawOn(t, '/yjs/board');
    assert.equal((await c.nextOf('auth')).reason, 'a token is required');
    assert.equal((await c.closed).code, 4401);
  });

  test('a JWT in a yauth- subprotocol opens its room, and the subprotocol is echoed', async () => {
    const token = await jwt({ sub: 'board', u: 'ann', p: 'rw' });
    const c = await rawOn(t, '/yjs/board', [`yauth-${token}`]);
    assert.equal(c.protocol, `yauth-${token}`);
    await c.nextOf('sync-step1');
    assert.equal(t.hub.registry.clients({ room: 'board', userId: 'ann' }).length, 1);
  });

  test('a JWT with p=r makes a reader; a wrong signature gets 4401', async () => {
    const reader = providerOn(t, 'board', {
      params: { token: await jwt({ sub: 'board', p: 'r' }) },
    });
    await reader.synced();
    reader.doc.getText('t').insert(0, 'x');
    await waitFor(() => reader.denied.length > 0, 10_000, 'reader not told');
    const forged = `${(await jwt({ sub: 'board', p: 'rw' })).slice(0, -4)}AAAA`;
    const c = await rawOn(t, `/yjs/board?token=${forged}`);
    await c.nextOf('auth');
    assert.equal((await c.closed).code, 4401);
  });
});
