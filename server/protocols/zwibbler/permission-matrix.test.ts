// The permission matrix: for tokens with r, rw, rwa and for no token (open mode),
// the exact reply to an append, a key, an admin: key and a broadcast
// (docs/protocols/zwibbler.md#permission-letters). Readers may neither set keys
// nor broadcast, which the reference allowed
// (docs/protocols/zwibbler.md#readers-may-not-broadcast-or-set-keys).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { manage as manageHub } from '../../test/manage';
import { ZwibblerClient } from '../../test/zwibbler-client';
import type { Message } from './codec';

let t: TestHub;
let url: string;
const clients: ZwibblerClient[] = [];

async function join(docId: string) {
  const c = await ZwibblerClient.join(url, { docId });
  clients.push(c);
  return c;
}

const manage = (params: Record<string, string>) => manageHub(t.httpUrl, params);

before(async () => {
  t = await startHub({ SecretUser: 'admin', SecretPassword: 'secret' });
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

interface Row {
  who: string;
  /** Token permissions; undefined joins with the plain document ID. */
  permissions: string | undefined;
  append: Message;
  key: boolean;
  adminKey: boolean;
  broadcastDelivered: boolean;
}

const rows: Row[] = [
  {
    who: 'token r',
    permissions: 'r',
    append: { type: 'ack-nack', status: 2, length: 4 },
    key: false,
    adminKey: false,
    broadcastDelivered: false,
  },
  {
    who: 'token rw',
    permissions: 'rw',
    append: { type: 'ack-nack', status: 1, length: 5 },
    key: true,
    adminKey: false,
    broadcastDelivered: true,
  },
  {
    who: 'token rwa',
    permissions: 'rwa',
    append: { type: 'ack-nack', status: 1, length: 5 },
    key: true,
    adminKey: true,
    broadcastDelivered: true,
  },
  {
    who: 'no token (open mode)',
    permissions: undefined,
    append: { type: 'ack-nack', status: 1, length: 5 },
    key: true,
    adminKey: false,
    broadcastDelivered: true,
  },
];

describe('permission matrix', () => {
  for (const [i, row] of rows.entries()) {
    test(`${row.who}: append, key, admin: key, broadcast`, async () => {
      // Each row on its own 4-byte document, watched by an observer.
      const doc = `matrix-${i}`;
      await manage({ method: 'createDocument', documentID: doc, contents: 'seed' });
      const token = `token-${i}`;
      if (row.permissions !== undefined) {
        await manage({
          method: 'addToken',
          token,
          documentID: doc,
          userID: `matrix-${i}`,
          permissions: row.permissions,
          expiration: 'Sat, 01 Jan 2050 00:00:00 GMT',
        });
      }
      const observer = await join(doc);
      const c = await join(row.permissions === undefined ? doc : token);

      c.append(4, 'x');
      assert.deepEqual(await c.next(), row.append);
      if (row.append.type === 'ack-nack' && row.append.status === 1) {
        assert.equal((await observer.nextOf('append')).offset, 4);
      }

      c.send({
        type: 'set-key',
        requestId: 7,
        lifetime: 0,
        oldVersion: 0,
        newVersion: 1,
        name: Buffer.from('k'),
        value: Buffer.from('v'),
      });
      assert.deepEqual(await c.next(), {
        type: 'set-key-ack-nack',
        accepted: row.key,
        requestId: 7,
      });

      c.send({
        type: 'set-key',
        requestId: 8,
        lifetime: 1,
        oldVersion: 0,
        newVersion: 1,
        name: Buffer.from('admin:lock'),
        value: Buffer.from('1'),
      });
      assert.deepEqual(await c.next(), {
        type: 'set-key-ack-nack',
        accepted: row.adminKey,
        requestId: 8,
      });

      c.send({ type: 'broadcast', data: Buffer.from('pointer') });
      if (row.broadcastDelivered) {
        const b = await observer.nextOf('broadcast');
        assert.equal(Buffer.from(b.data).toString(), 'pointer');
      } else {
        // The client's messages are handled in order: this ack means the broadcast was handled.
        c.append(4, 'y');
        assert.deepEqual(await c.next(), row.append);
        assert.ok(await observer.quiet(200), "the reader's broadcast reached no one");
      }
      assert.ok(await c.quiet(100), 'no reply of any kind to a broadcast');
    });
  }
});
