// Joins of a live document are answered from its in-memory copy, not a store
// read per join: on one hub on SQLite, within MaxLiveDocumentBytes, and with
// several hubs on a real redis-server, where appends and deletes of other hubs
// arrive on the bus. The hub's own /metrics count the store's loads.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { manage } from '../../test/manage';
import { parsePrometheusText } from '../../test/prometheus-text';
import { startHub, tempDir } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { startRedis } from '../../test/redis-server';
import type { TestRedis } from '../../test/redis-server';
import { ZwibblerClient } from '../../test/zwibbler-client';
import type { InitOptions } from '../../test/zwibbler-client';
import { CloseCode } from '../../transport/close-codes';
import { AckStatus, ErrorCode } from './codec';
import type { Message } from './codec';

const closers: (() => unknown)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function join(hub: TestHub, init: InitOptions): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.open(`${hub.wsUrl}/socket`);
  closers.push(() => c.close());
  c.send({
    type: 'init',
    version: 3,
    maxMessageSize: init.maxMessageSize ?? 0,
    creationMode: init.creationMode ?? 0,
    generation: 0,
    offset: init.offset ?? 0,
    docId: Buffer.from(init.docId),
    initialData: Buffer.from(init.initialData ?? ''),
  });
  return c;
}

/** The initial APPEND a joiner got: its offset and bytes as text. */
async function initial(c: ZwibblerClient): Promise<{ offset: number; text: string }> {
  const m = await c.nextOf('append');
  return { offset: m.offset, text: Buffer.from(m.data).toString() };
}

/** Appends at `offset` and returns the ack's status and length. */
async function append(c: ZwibblerClient, offset: number, text: string) {
  c.append(offset, text);
  const ack = await c.nextOf('ack-nack');
  return { status: ack.status, length: ack.length };
}

async function storeLoads(hub: TestHub): Promise<number> {
  const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
  const sample = parsePrometheusText(text).samples.find(
    (s) =>
      s.name === 'lanboard_store_operation_seconds_count' && s.labels.operation === 'loadDocument',
  );
  return sample?.value ?? 0;
}

const waitFor = async (check: () => Promise<boolean> | boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('joins of a live document on one hub (SQLite)', () => {
  let hub: TestHub;
  before(async () => {
    const dir = tempDir();
    hub = await startHub({ Database: 'sqlite', DbFile: path.join(dir.dir, 'hub.db') });
    closers.push(async () => {
      await hub.stop();
      dir.remove();
    });
  });

  test('joiners get every committed byte and no store read; none gets a refused append', async () => {
    const writer = await join(hub, { docId: 'hot', initialData: 'start;' });
    assert.deepEqual(await initial(writer), { offset: 6, text: '' });
    const loadsWhenLive = await storeLoads(hub);
    assert.equal((await append(writer, 6, 'one;')).length, 10);
    // Stale: NACKed with the true length, and never served to anyone.
    assert.deepEqual(await append(writer, 6, 'STALE;'), { status: AckStatus.Conflict, length: 10 });
    assert.equal((await append(writer, 10, 'two;')).length, 14);

    for (let i = 0; i < 5; i++) {
      const reader = await join(hub, { docId: 'hot' });
      assert.deepEqual(await initial(reader), { offset: 0, text: 'start;one;two;' });
    }
    // A client resuming from what it has gets the rest, from the same copy.
    const resumed = await join(hub, { docId: 'hot', offset: 10 });
    assert.deepEqual(await initial(resumed), { offset: 10, text: 'two;' });
    assert.equal(
      await storeLoads(hub),
      loadsWhenLive,
      'a join of the live document read the store',
    );

    // A joiner also gets what is appended after it joined, once.
    const late = await join(hub, { docId: 'hot' });
    await initial(late);
    assert.equal((await append(writer, 14, 'three;')).length, 20);
    const next = await late.nextOf('append');
    assert.deepEqual([next.offset, Buffer.from(next.data).toString()], [14, 'three;']);

    // An offset past the end is refused as the store would refuse it.
    const ahead = await join(hub, { docId: 'hot', offset: 999 });
    assert.equal((await ahead.nextOf('error')).code, ErrorCode.InvalidOffset);
    assert.equal((await ahead.closed).code, CloseCode.InvalidOffset);
  });

  test('the copy goes with the last client: the next join reads the store again', async () => {
    const a = await join(hub, { docId: 'leaving', initialData: 'abc' });
    await initial(a);
    const b = await join(hub, { docId: 'leaving' });
    await initial(b);
    await a.close();
    await b.close();
    const before = await storeLoads(hub);
    await waitFor(async () => {
      const c = await join(hub, { docId: 'leaving' });
      const got = await initial(c);
      assert.equal(got.text, 'abc');
      await c.close();
      return (await storeLoads(hub)) > before;
    }, 'a join after the last leave to read the store');
  });
});

describe('MaxLiveDocumentBytes', () => {
  test('a document whose copy does not fit is served from the store, correctly', async () => {
    const hub = await startHub({ MaxLiveDocumentBytes: 0 });
    closers.push(() => hub.stop());
    const writer = await join(hub, { docId: 'big', initialData: 'x'.repeat(2000) });
    await initial(writer);
    await append(writer, 2000, 'tail');
    const before = await storeLoads(hub);
    for (let i = 0; i < 3; i++) {
      const reader = await join(hub, { docId: 'big' });
      assert.equal((await initial(reader)).text, `${'x'.repeat(2000)}tail`);
    }
    assert.equal(await storeLoads(hub), before + 3);
  });
});

describe('joins of a live document with several hubs on Redis', () => {
  let redis: TestRedis;
  const hubs: TestHub[] = [];
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      hubs.push(
        await startHub({
          Database: 'redis',
          DbServer: redis.server,
          SecretUser: 'admin',
          SecretPassword: 'secret',
        }),
      );
    }
    closers.push(async () => {
      for (const hub of hubs) await hub.stop();
      await redis.stop();
    });
  });

  test("a joiner gets another hub's appends once they arrived on the bus, without a store read", async () => {
    const [here, there] = [hubs[0]!, hubs[1]!];
    const holder = await join(here, { docId: 'shared', initialData: 'a;' });
    await initial(holder);
    const writer = await join(there, { docId: 'shared' });
    assert.equal((await initial(writer)).text, 'a;');
    const loadsHere = await storeLoads(here);
    let end = 2;
    for (const piece of ['b;', 'c;', 'd;']) {
      end = (await append(writer, end, piece)).length;
      const seen: Message = await holder.nextOf('append');
      assert.equal(Buffer.from((seen as { data: Uint8Array }).data).toString(), piece);
    }
    const joiner = await join(here, { docId: 'shared' });
    assert.deepEqual(await initial(joiner), { offset: 0, text: 'a;b;c;d;' });
    assert.equal(await storeLoads(here), loadsHere);
    // And it follows later appends of the other hub.
    await append(writer, end, 'e;');
    assert.equal(Buffer.from((await joiner.nextOf('append')).data).toString(), 'e;');
  });

  test('a document deleted on a hub where it is not live: the others close its clients and drop the copy', async () => {
    const [here, there] = [hubs[0]!, hubs[1]!];
    const holder = await join(here, { docId: 'doomed', initialData: 'old' });
    await initial(holder);
    await manage(there.httpUrl, { method: 'deleteDocument', documentID: 'doomed' });
    const error = await holder.nextOf('error');
    assert.equal(error.code, ErrorCode.DoesNotExist);
    await holder.closed;
    // A new document of that name starts empty: nothing of the old one is served.
    const fresh = await join(here, { docId: 'doomed', initialData: 'new' });
    assert.deepEqual(await initial(fresh), { offset: 3, text: '' });
    const reader = await join(here, { docId: 'doomed' });
    assert.equal((await initial(reader)).text, 'new');
  });
});
