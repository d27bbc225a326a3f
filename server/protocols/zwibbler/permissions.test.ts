// Permissions through stored tokens (docs/protocols/zwibbler.md#stored-tokens,
// docs/protocols/zwibbler.md#permission-letters) and the bad-input rows that
// depend on them (docs/protocols/zwibbler.md#edge-cases-and-bad-input). Tokens
// are written straight into the hub's SQLite file: the management API that adds
// them arrives separately, and the file is the real store.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteStore } from '../../store/sqlite-store';
import { startHub, tempDir } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { setKeyMessage, ZwibblerClient } from '../../test/zwibbler-client';
import { encodeMessage } from './codec';

const dir = tempDir('lanboard-perm-');
const dbFile = path.join(dir.dir, 'hub.db');
let t: TestHub;
let url: string;
/** A second connection to the same file, as another process would have. */
let side: SqliteStore;
const clients: ZwibblerClient[] = [];

async function join(docId: string, extra: object = {}) {
  const c = await ZwibblerClient.join(url, { docId, ...extra });
  clients.push(c);
  return c;
}

const hour = 3600_000;
const token = (name: string, documentId: string, permissions: string, userId = 'u-' + name) => ({
  token: name,
  documentId,
  userId,
  permissions,
  expiresAt: Date.now() + hour,
});

before(async () => {
  const seed = new SqliteStore(dbFile);
  await seed.createDocument('board', Buffer.from('abcd'));
  await seed.addToken(token('tok-r', 'board', 'r', 'student'), Buffer.alloc(0));
  await seed.addToken(token('tok-r2', 'board', 'r', 'student'), Buffer.alloc(0));
  await seed.addToken(token('tok-rw', 'board', 'rw', 'teacher'), Buffer.alloc(0));
  await seed.addToken(token('tok-rwa', 'board', 'rwa'), Buffer.alloc(0));
  await seed.addToken(token('tok-w', 'board', 'w'), Buffer.alloc(0));
  await seed.addToken(token('tok-r-missing', 'nowhere', 'r'), Buffer.alloc(0));
  await seed.close();
  t = await startHub({ Database: 'sqlite', DbFile: dbFile });
  url = `${t.wsUrl}/socket`;
  side = new SqliteStore(dbFile);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
  await side.close();
  dir.remove();
});

describe('tokens', () => {
  test('a stored token opens its real document, with its user', async () => {
    const c = await join('tok-rw');
    assert.deepEqual(c.messages[0], {
      type: 'append',
      layout: 3,
      generation: 0,
      offset: 0,
      data: Buffer.from('abcd'),
    });
    const [info] = t.hub.registry.clients({ userId: 'teacher' });
    assert.equal(info?.room, 'board');
    assert.deepEqual(info?.permissions, { read: true, write: true, admin: false });
  });

  test('a token without r gets ERROR 4 and a 4403 close', async () => {
    const c = await join('tok-w');
    assert.equal(c.messages[0]!.type === 'error' && c.messages[0]!.code, 4);
    assert.equal((await c.closed).code, 4403);
  });

  test('always-create without w gets ERROR 4', async () => {
    const c = await join('tok-r', { creationMode: 2 });
    assert.equal(c.messages[0]!.type === 'error' && c.messages[0]!.code, 4);
  });

  test('read-only possibly-create on a missing document gets ERROR 4, not 1, a 4403 close, and creates nothing', async () => {
    const c = await join('tok-r-missing');
    assert.equal(c.messages[0]!.type === 'error' && c.messages[0]!.code, 4);
    assert.equal((await c.closed).code, 4403, 'an access refusal closes as one');
    assert.equal(await side.documentLength('nowhere'), null);
  });

  // docs/protocols/zwibbler.md#an-unknown-creation-mode-creates-nothing-for-a-reader
  test('an unknown creation mode does not let a read-only token create', async () => {
    const c = await join('tok-r-missing', { creationMode: 7 });
    assert.equal(c.messages[0]!.type === 'error' && c.messages[0]!.code, 4);
    assert.equal(await side.documentLength('nowhere'), null);
  });

  test('an append without w: ack 2 at the right offset, NACK at a wrong one, nothing written', async () => {
    const writer = await join('tok-rw');
    const length = (writer.messages[0]!.type === 'append' && writer.messages[0]!.data.length) || 0;
    const reader = await join('tok-r');
    reader.append(length, 'x');
    assert.deepEqual(await reader.nextOf('ack-nack'), { type: 'ack-nack', status: 2, length });
    reader.append(0, 'x');
    assert.deepEqual(await reader.nextOf('ack-nack'), { type: 'ack-nack', status: 0, length });
    assert.equal(await side.documentLength('board'), length);
    assert.ok(await writer.quiet(), 'nothing was fanned out');
  });

  test('admin: keys need a', async () => {
    const setAdmin = (c: ZwibblerClient, requestId: number) =>
      c.sendRaw(
        encodeMessage({
          type: 'set-key',
          requestId,
          lifetime: 0,
          oldVersion: 0,
          newVersion: 1,
          name: Buffer.from(`admin:lock${requestId}`),
          value: Buffer.from('1'),
        }),
      );
    const plain = await join('tok-rw');
    setAdmin(plain, 1);
    assert.deepEqual(await plain.nextOf('set-key-ack-nack'), {
      type: 'set-key-ack-nack',
      accepted: false,
      requestId: 1,
    });
    const admin = await join('tok-rwa');
    setAdmin(admin, 2);
    assert.deepEqual(await admin.nextOf('set-key-ack-nack'), {
      type: 'set-key-ack-nack',
      accepted: true,
      requestId: 2,
    });
  });
});

describe('live permission changes through the registry', () => {
  test('losing w turns appends into ack 2 at once', async () => {
    const c = await join('tok-rw');
    const length = (await side.documentLength('board'))!;
    assert.equal(
      t.hub.registry.setUserPermissions('teacher', { read: true, write: false, admin: false }) > 0,
      true,
    );
    c.append(length, 'y');
    assert.deepEqual(await c.nextOf('ack-nack'), { type: 'ack-nack', status: 2, length });
  });

  test('losing r sends ERROR 4 and closes every connection of that user', async () => {
    const a = await join('tok-r');
    const b = await join('tok-r2');
    const n = t.hub.registry.setUserPermissions('student', {
      read: false,
      write: false,
      admin: false,
    });
    assert.ok(n >= 2);
    for (const c of [a, b]) {
      assert.deepEqual(await c.nextOf('error'), {
        type: 'error',
        code: 4,
        description: Buffer.from('access denied'),
      });
      assert.equal((await c.closed).code, 4403);
    }
  });

  test('kick closes the client with 4403 and the reason', async () => {
    const c = await join('board');
    const [info] = t.hub.registry.clients({ room: 'board', userId: '' });
    assert.ok(info);
    t.hub.registry.kick(info.id, 'lesson over');
    const closed = await c.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /lesson over/);
  });
});

describe('a document deleted under connected clients', () => {
  // docs/protocols/zwibbler.md#clients-of-a-deleted-document-are-closed
  test('their next append gets ERROR 1 and a close (the reference keeps them connected)', async () => {
    await side.createDocument('doomed', Buffer.from('xyz'));
    const c = await join('doomed');
    await side.deleteDocument('doomed');
    c.append(3, 'more');
    assert.equal(
      bytesOf(await c.next()),
      '80000001' + Buffer.from('does not exist').toString('hex'),
    );
    assert.equal((await c.closed).code, 4404);
  });

  test('their next document key gets ERROR 1 and a close too, not a NACK', async () => {
    await side.createDocument('doomed-keys', Buffer.from('xyz'));
    const c = await join('doomed-keys');
    await side.deleteDocument('doomed-keys');
    c.send(setKeyMessage({ name: 'colour', value: 'red', lifetime: 1, newVersion: 1 }));
    assert.equal(
      bytesOf(await c.next()),
      '80000001' + Buffer.from('does not exist').toString('hex'),
    );
    assert.equal((await c.closed).code, 4404);
    assert.deepEqual(await side.getDocumentKeys('doomed-keys'), [], 'nothing was stored');
  });
});

const bytesOf = (m: Parameters<typeof encodeMessage>[0]) => encodeMessage(m).toString('hex');
