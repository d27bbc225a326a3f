// A damaged SQLite file at start (docs/operating.md#a-damaged-database): the
// real CLI refuses it with exit 2 and one line saying how to recover, and
// starts on it only when asked to (--start-damaged), with /healthz 503 saying
// why while it serves what it can still read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminCall } from './admin-client';
import { killAllHubs, runCli, spawnHub } from './child-hub';
import { tempDir } from './hub-fixture';
import { damageMiddle, databaseWithDocuments, documentContent } from './damaged-file';
import { ZwibblerClient } from './zwibbler-client';

const dir = tempDir('lanboard-damaged-');
after(async () => {
  await killAllHubs();
  dir.remove();
});

const DOCUMENTS = 2000;

test('a damaged database is refused at start with exit 2 and how to recover; --start-damaged starts it, and /healthz says 503 why', async () => {
  const file = path.join(dir.dir, 'lanboard.db');
  await databaseWithDocuments(file, DOCUMENTS);
  assert.ok(!fs.existsSync(`${file}-wal`) || fs.statSync(`${file}-wal`).size === 0);
  damageMiddle(file);

  const refused = await runCli([
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--no-mdns',
    '--data-dir',
    dir.dir,
    '--db',
    file,
  ]);
  assert.equal(refused.code, 2, refused.stderr);
  const lines = refused.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${refused.stderr}`);
  assert.match(
    lines[0]!,
    new RegExp(
      `^lanboard: ${file.replace(/[.]/g, '\\.')} is damaged \\(.+\\); stop here and restore a backup \\(none is in its backups folder; see "Restoring a backup" in docs/operating\\.md\\), or start anyway with --start-damaged \\(DbStartDamaged=1\\)$`,
    ),
  );
  assert.doesNotMatch(refused.stdout, /hub listening/);

  const hub = await spawnHub(['--data-dir', dir.dir, '--db', file, '--start-damaged'], {
    LANBOARD_NEW_CONNECTIONS_PER_SECOND: '1000000',
  });
  assert.match(hub.stdout(), /"the database is damaged; starting anyway/);
  const health = await adminCall<{
    status: string;
    failedWrites?: { what: string; reason: string }[];
  }>(hub.httpUrl, '/healthz');
  assert.equal(health.status, 503);
  assert.equal(health.body.status, 'error');
  assert.equal(health.body.failedWrites?.[0]?.what, 'database file');
  assert.match(health.body.failedWrites?.[0]?.reason ?? '', /^damaged: /);

  // What sits before the damage is still served.
  const reader = await ZwibblerClient.join(`${hub.wsUrl}/socket`, {
    docId: 'doc-0',
    creationMode: 1,
  });
  const load = reader.messages[0]!;
  assert.equal(load.type, 'append');
  assert.deepEqual(Buffer.from((load as { data: Uint8Array }).data), documentContent(0));
  await reader.close();

  // A document on a damaged page fails its join loudly, and /healthz says the store failed.
  let failed: ZwibblerClient | undefined;
  for (let i = 0; i < DOCUMENTS && !failed; i++) {
    const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, {
      docId: `doc-${i}`,
      creationMode: 1,
    });
    if (c.messages[0]?.type === 'error') failed = c;
    else await c.close();
  }
  assert.ok(failed, 'a document on the damaged pages');
  const error = failed.messages[0] as { type: 'error'; description: Uint8Array };
  assert.equal(Buffer.from(error.description).toString(), 'internal storage error');
  assert.equal((await failed.closed).code, 1011);
  const afterJoin = await adminCall<{ failedWrites?: { what: string; reason: string }[] }>(
    hub.httpUrl,
    '/healthz',
  );
  assert.equal(afterJoin.status, 503);
  const store = afterJoin.body.failedWrites?.find((f) => f.what === 'Zwibbler documents');
  assert.match(store?.reason ?? '', /malformed|corrupt/i);
  assert.equal((await hub.stop()).code, 0);
});

test('a sound database passes the check and starts as usual', async () => {
  const file = path.join(dir.dir, 'sound.db');
  await databaseWithDocuments(file, DOCUMENTS);
  const hub = await spawnHub(['--data-dir', dir.dir, '--db', file]);
  const health = await adminCall<{ status: string }>(hub.httpUrl, '/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.equal((await hub.stop()).code, 0);
});
