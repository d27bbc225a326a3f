// A hub restarted on the same SQLite file serves the same document and the same
// document keys; client keys (lifetime 0) live only in memory and are gone
// (docs/protocols/zwibbler.md#client-keys-live-in-memory-or-redis).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { KeyEntry, Message } from '../protocols/zwibbler/codec';
import { startHub, tempDir } from './hub-fixture';
import type { TestHub } from './hub-fixture';
import { ZwibblerClient } from './zwibbler-client';

const dir = tempDir('lanboard-restart-');
const dbFile = path.join(dir.dir, 'hub.db');
const hubs: TestHub[] = [];
const clients: ZwibblerClient[] = [];

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const h of hubs) await h.stop();
  dir.remove();
});

async function start(): Promise<string> {
  const hub = await startHub({ Database: 'sqlite', DbFile: dbFile });
  hubs.push(hub);
  return `${hub.wsUrl}/socket`;
}

async function join(...args: Parameters<typeof ZwibblerClient.join>): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(...args);
  clients.push(c);
  return c;
}

const keysView = (keys: readonly KeyEntry[]) =>
  keys
    .map((k) => ({
      name: Buffer.from(k.name).toString('hex'),
      value: Buffer.from(k.value).toString('hex'),
      version: k.version,
    }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

async function setKey(
  c: ZwibblerClient,
  requestId: number,
  lifetime: number,
  oldVersion: number,
  newVersion: number,
  name: Uint8Array,
  value: Uint8Array,
): Promise<void> {
  c.send({ type: 'set-key', requestId, lifetime, oldVersion, newVersion, name, value });
  assert.deepEqual(await c.next(), { type: 'set-key-ack-nack', accepted: true, requestId });
}

test('after a restart on the same SQLite file, a new client gets the whole document and only the persistent keys', async () => {
  const docId = 'restart-doc';
  const initial = Buffer.from('initial data;');
  const pieces = [
    Buffer.from('first append;'),
    Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28]),
    // Larger than the 100 KiB default chunk size, so the reload is split and rejoined.
    Buffer.alloc(300_000, 'x'),
    Buffer.from('last append'),
  ];
  const binaryName = Buffer.from([0xff, 0x00, 0x01]);
  const persistent: KeyEntry[] = [
    { name: Buffer.from('p'), value: Buffer.from('1'), version: 1 },
    { name: Buffer.from('q'), value: Buffer.from('second value'), version: 2 },
    { name: binaryName, value: Buffer.from([0x80, 0x00]), version: 9 },
  ];

  // First life: write through the protocol.
  let url = await start();
  const writer = await join(url, { docId, initialData: initial });
  assert.deepEqual(writer.messages[0], {
    type: 'append',
    layout: 3,
    generation: 0,
    offset: initial.length,
    data: Buffer.alloc(0),
  });
  let length = initial.length;
  for (const data of pieces) {
    writer.append(length, data);
    length += data.length;
    assert.deepEqual(await writer.next(), { type: 'ack-nack', status: 1, length });
  }
  await setKey(writer, 1, 1, 0, 1, Buffer.from('p'), Buffer.from('1'));
  await setKey(writer, 2, 1, 0, 1, Buffer.from('q'), Buffer.from('first value'));
  await setKey(writer, 3, 1, 1, 2, Buffer.from('q'), Buffer.from('second value'));
  await setKey(writer, 4, 7, 0, 9, binaryName, Buffer.from([0x80, 0x00]));
  await setKey(writer, 5, 0, 0, 1, Buffer.from('cursor'), Buffer.from('client key'));

  // A second client in the first life sees both kinds, so the client key really was set.
  const witness = await join(url, { docId, offset: length });
  const seen = await witness.next();
  assert.equal(seen.type, 'key-information');
  assert.deepEqual(
    keysView((seen as Extract<Message, { type: 'key-information' }>).keys),
    keysView([
      ...persistent,
      { name: Buffer.from('cursor'), value: Buffer.from('client key'), version: 1 },
    ]),
  );

  await writer.close();
  await witness.close();
  await hubs[0]!.stop();

  // Second life, same file.
  url = await start();
  const reader = await join(url, { docId, creationMode: 1 });
  const whole = Buffer.concat([initial, ...pieces]);
  const first = reader.messages[0]!;
  assert.equal(first.type, 'append');
  const load = first as Extract<Message, { type: 'append' }>;
  assert.equal(load.offset, 0);
  assert.equal(load.data.length, whole.length);
  assert.ok(Buffer.from(load.data).equals(whole), 'the whole document comes back byte for byte');

  const keys = await reader.next();
  assert.equal(keys.type, 'key-information');
  assert.deepEqual(
    keysView((keys as Extract<Message, { type: 'key-information' }>).keys),
    keysView(persistent),
  );
  assert.ok(await reader.quiet(300), 'exactly one KEY_INFORMATION and nothing else');
  assert.equal(reader.messages.length, 2);

  // The document goes on from where it was.
  reader.append(whole.length, 'after restart');
  assert.deepEqual(await reader.next(), {
    type: 'ack-nack',
    status: 1,
    length: whole.length + 'after restart'.length,
  });
  // Compare-and-set continues from the persisted version.
  await setKey(reader, 6, 1, 2, 3, Buffer.from('q'), Buffer.from('third value'));
});
