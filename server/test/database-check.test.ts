// The integrity check at start when it takes longer than DbCheckWaitSeconds
// (docs/operating.md#a-damaged-database): the hub serves meanwhile, and a
// damage the check finds later is as loud as one found before the start, and
// the file takes no more writes. (A damage found within the wait stops the
// start with exit 2: damaged-database.test.ts.)
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminCall, eventually } from './admin-client';
import { captureLog } from './captured-log';
import { addBallast, damageMiddle, databaseWithDocuments, documentContent } from './damaged-file';
import { startHub, tempDir } from './hub-fixture';
import { ZwibblerClient } from './zwibbler-client';

const dir = tempDir('lanboard-db-check-');
const clients: ZwibblerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  dir.remove();
});

interface Health {
  status: string;
  databaseCheck?: string;
  failedWrites?: { what: string; reason: string }[];
}

function hubOn(file: string, log = captureLog('info')) {
  return startHub(
    {
      Database: 'sqlite',
      DbFile: file,
      DataDir: dir.dir,
      DbCheckWaitSeconds: 0,
      BackupIntervalSeconds: 0,
    },
    { logger: log.logger },
  );
}

async function join(wsUrl: string, docId: string, creationMode = 0): Promise<ZwibblerClient> {
  const client = await ZwibblerClient.join(`${wsUrl}/socket`, { docId, creationMode });
  clients.push(client);
  return client;
}

test('a large file: the hub answers /healthz and stores a new document while the check at start still reads it', async () => {
  const file = path.join(dir.dir, 'large.db');
  await databaseWithDocuments(file, 10);
  addBallast(file, 1024); // about a second of quick_check on the test machine
  const log = captureLog('info');
  const hub = await hubOn(file, log);
  try {
    const health = await adminCall<Health>(hub.httpUrl, '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.databaseCheck, 'running', 'answered before the check ended');
    const writer = await join(hub.wsUrl, 'written-while-checking');
    assert.equal(writer.messages[0]?.type, 'append');
    writer.append(0, 'stroke');
    const ack = await writer.nextOf('ack-nack');
    assert.equal(ack.status, 1);

    await eventually(async () =>
      log.lines().some((l) => l.msg === 'the database check found no damage'),
    );
    const done = await adminCall<Health>(hub.httpUrl, '/healthz');
    assert.equal(done.status, 200);
    assert.equal(done.body.databaseCheck, undefined);
    assert.ok(log.lines().some((l) => /check goes on in the background/.test(l.msg)));
  } finally {
    await hub.stop();
  }
});

test('a damage the check finds while the hub serves: /healthz 503 with the reason, writes refused with 1011, reads still served', async () => {
  const file = path.join(dir.dir, 'damaged.db');
  await databaseWithDocuments(file, 2000);
  damageMiddle(file);
  const log = captureLog('info');
  const hub = await hubOn(file, log);
  try {
    const health = await eventually(async () => {
      const h = await adminCall<Health>(hub.httpUrl, '/healthz');
      return h.status === 503 ? h : undefined;
    });
    assert.equal(health.body.failedWrites?.[0]?.what, 'database file');
    assert.match(health.body.failedWrites?.[0]?.reason ?? '', /^damaged: /);
    const line = log.lines().find((l) => /found by the check at start/.test(l.msg));
    assert.ok(line, 'logged as an error');
    assert.equal(line.level, 50);
    assert.ok((line.connections as number) > 0, 'the stores connections were turned read-only');

    // A write is refused in the protocol's own words, and nothing is acknowledged.
    const writer = await join(hub.wsUrl, 'new-after-damage');
    const error = writer.messages[0] as { type: string; description?: Uint8Array };
    assert.equal(error.type, 'error');
    assert.equal(Buffer.from(error.description!).toString(), 'internal storage error');
    assert.equal((await writer.closed).code, 1011);
    const refused = await adminCall<Health>(hub.httpUrl, '/healthz');
    const documents = refused.body.failedWrites?.find((f) => f.what === 'Zwibbler documents');
    assert.match(documents?.reason ?? '', /readonly/, 'refused, not merely failed on a bad page');

    // What sits before the damage is still read.
    const reader = await join(hub.wsUrl, 'doc-0', 1);
    const load = reader.messages[0] as { type: string; data: Uint8Array };
    assert.equal(load.type, 'append');
    assert.deepEqual(Buffer.from(load.data), documentContent(0));
  } finally {
    await hub.stop();
  }
});
