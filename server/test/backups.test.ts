// Backups (docs/operating.md#backups) with the real CLI and real processes:
// `lanboard backup` while another process's hub writes, a hub started on the
// copy serving what was acknowledged before it; rotation by `lanboard backup`
// and by the hub's own schedule; and the restore the damaged-file message
// points at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { killAllHubs, runCli, spawnHub } from './child-hub';
import Database from 'better-sqlite3';
import { addBallast, damageMiddle, databaseWithDocuments, documentContent } from './damaged-file';
import { tempDir } from './hub-fixture';
import { ZwibblerClient } from './zwibbler-client';
import { backupFolder, listBackups } from '../store/sqlite-backups';

const dir = tempDir('lanboard-backup-cli-');
const clients: ZwibblerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllHubs();
  dir.remove();
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** A folder of its own for each test, with the hub's database path in it. */
function folder(name: string): { dataDir: string; db: string } {
  const dataDir = path.join(dir.dir, name);
  fs.mkdirSync(dataDir);
  return { dataDir, db: path.join(dataDir, 'lanboard.db') };
}

/** The document as a hub serves it: the initial APPEND's bytes. */
async function readDocument(wsUrl: string, docId: string): Promise<Buffer> {
  const reader = await ZwibblerClient.join(`${wsUrl}/socket`, { docId, creationMode: 1 });
  clients.push(reader);
  const load = reader.messages[0]!;
  assert.equal(load.type, 'append', `${docId} is served`);
  return Buffer.from((load as { data: Uint8Array }).data);
}

test('lanboard backup copies a database while a hub in another process writes to it, and a hub started on the copy serves it', async () => {
  const { dataDir, db } = folder('live');
  const hub = await spawnHub(['--db', db, '--data-dir', dataDir]);
  const client = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: 'live' });
  clients.push(client);

  // Appends with a few in flight until the backup is over; `written` is the document as sent.
  let written = Buffer.alloc(0);
  const ends: number[] = []; // the document's length after each append, in order
  let acked = 0;
  let sent = 0;
  let writing = true;
  const unexpected: unknown[] = [];
  let seen = client.messages.length;
  const send = () => {
    const data = Buffer.alloc(1 + ((sent * 97) % 2000), sent % 256);
    client.append(written.length, data);
    written = Buffer.concat([written, data]);
    ends.push(written.length);
    sent++;
  };
  client.ws.on('message', () => {
    for (; seen < client.messages.length; seen++) {
      const m = client.messages[seen]!;
      if (m.type === 'ack-nack' && m.status === 1) acked++;
      else unexpected.push(m);
    }
    if (writing && sent - acked < 4) send();
  });
  for (let i = 0; i < 4; i++) send();
  while (acked < 50) await new Promise((r) => setTimeout(r, 20));
  const ackedBefore = ends[acked - 1]!; // at least this much was committed before the copy began

  const to = path.join(dir.dir, 'live-copy.db');
  const result = await runCli(['backup', '--to', to, '--db', db, '--data-dir', dataDir]);
  writing = false;
  const sentDuring = written.length;
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    new RegExp(`^lanboard: backed up .+ to ${to} \\(\\d+\\.\\d MiB\\)\\n$`),
  );
  assert.equal(mode(to), 0o600);
  assert.equal(fs.existsSync(`${to}.partial`), false);
  await new Promise((r) => setTimeout(r, 500)); // the last acks
  assert.deepEqual(unexpected, [], 'the writer got only acks');
  assert.equal(acked, sent);
  assert.equal(client.ws.readyState, client.ws.OPEN);
  assert.equal((await hub.stop()).code, 0);

  // Restore: a hub on the copy serves a prefix of what was written, holding all acknowledged before.
  const restored = folder('restored');
  fs.copyFileSync(to, restored.db);
  const second = await spawnHub(['--db', restored.db, '--data-dir', restored.dataDir]);
  const document = await readDocument(second.wsUrl, 'live');
  assert.ok(document.length >= ackedBefore, `${document.length} >= ${ackedBefore}`);
  assert.ok(document.length <= sentDuring);
  assert.deepEqual(document, written.subarray(0, document.length));
  assert.equal((await second.stop()).code, 0);
});

test('lanboard backup without --to writes into backups/ and keeps the newest BackupsKept', async () => {
  const { dataDir, db } = folder('rotated');
  const hub = await spawnHub(['--db', db, '--data-dir', dataDir]);
  await hub.stop();
  const outputs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runCli(['backup', '--db', db, '--data-dir', dataDir], {
      LANBOARD_BACKUPS_KEPT: '2',
    });
    assert.equal(r.code, 0, r.stderr);
    outputs.push(r.stdout);
  }
  const made = outputs.map((o) => /to (\S+) \(/.exec(o)![1]!);
  assert.deepEqual(listBackups(db), made.slice(1));
  assert.match(outputs[2]!, /; deleted 1 older \(BackupsKept=2\)\n$/);
  assert.equal(mode(backupFolder(db)), 0o700);
  for (const f of made.slice(1)) assert.equal(mode(f), 0o600);
});

test('a running hub backs its database up every BackupIntervalSeconds and keeps BackupsKept', async () => {
  const { dataDir, db } = folder('scheduled');
  const hub = await spawnHub(['--db', db, '--data-dir', dataDir], {
    LANBOARD_BACKUP_INTERVAL_SECONDS: '1',
    LANBOARD_BACKUPS_KEPT: '2',
  });
  const backedUp = () => hub.stdout().split('"database backed up"').length - 1;
  while (backedUp() < 3) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await hub.stop()).code, 0);
  assert.equal(listBackups(db).length, 2, 'older ones were deleted');
});

test('while a scheduled backup copies a large database, the hub answers /healthz and acknowledges appends; the backup holds what was stored before it', async () => {
  const { dataDir, db } = folder('large');
  await databaseWithDocuments(db, 10);
  addBallast(db, 512);
  const hub = await spawnHub(['--db', db, '--data-dir', dataDir], {
    LANBOARD_BACKUP_INTERVAL_SECONDS: '1',
    LANBOARD_DB_CHECK_WAIT_SECONDS: '0',
  });
  const backedUp = () => hub.stdout().includes('"database backed up"');
  const partial = () =>
    fs.existsSync(backupFolder(db)) &&
    fs.readdirSync(backupFolder(db)).some((n) => n.endsWith('.partial'));
  while (!partial()) await new Promise((r) => setTimeout(r, 20));
  assert.equal(backedUp(), false, 'the backup is under way');

  // Answers while it copies: an HTTP round trip, and an append acknowledged.
  const health = await fetch(`${hub.httpUrl}/healthz`);
  assert.ok(health.status === 200, `healthz ${health.status}`);
  const writer = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: 'during' });
  clients.push(writer);
  writer.append(0, 'written while the backup ran');
  assert.equal((await writer.nextOf('ack-nack')).status, 1);
  assert.equal(backedUp(), false, 'answered before the backup finished');
  assert.ok(partial(), 'the copy was still being written');

  while (!backedUp()) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await hub.stop()).code, 0);
  const [copy] = listBackups(db);
  assert.ok(copy, 'one backup');
  const restored = folder('large-restored');
  fs.copyFileSync(copy, restored.db);
  const ballast = new Database(restored.db, { readonly: true });
  assert.deepEqual(ballast.prepare('SELECT count(*) AS n FROM ballast').get(), { n: 512 });
  ballast.close();
  const second = await spawnHub(['--db', restored.db, '--data-dir', restored.dataDir]);
  assert.deepEqual(await readDocument(second.wsUrl, 'doc-3'), documentContent(3));
  assert.equal((await second.stop()).code, 0);
});

test('lanboard backup refuses to overwrite a file, and says when there is no database', async () => {
  const { dataDir, db } = folder('refusals');
  const missing = await runCli(['backup', '--db', db, '--data-dir', dataDir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^lanboard: DbFile=".+" does not exist: nothing to back up\n$/);
  fs.writeFileSync(db, '');
  const taken = path.join(dataDir, 'taken.db');
  fs.writeFileSync(taken, 'mine');
  const refused = await runCli(['backup', '--to', taken, '--db', db, '--data-dir', dataDir]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--to .+taken\.db exists already: choose a new file\n$/);
  assert.equal(fs.readFileSync(taken, 'utf8'), 'mine');
});

test('a damaged database names its newest backup, and restoring that backup as docs/operating.md says serves the documents', async () => {
  const { dataDir, db } = folder('restore');
  const hub = await spawnHub(['--db', db, '--data-dir', dataDir]);
  for (let i = 0; i < 300; i++) {
    const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, {
      docId: `doc-${i}`,
      initialData: `contents of ${i} `.repeat(20),
    });
    await c.close();
  }
  const backup = await runCli(['backup', '--db', db, '--data-dir', dataDir]);
  assert.equal(backup.code, 0, backup.stderr);
  const newest = listBackups(db).at(-1)!;
  assert.equal((await hub.stop()).code, 0);

  damageMiddle(db);
  const refused = await runCli([
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--no-mdns',
    '--db',
    db,
    '--data-dir',
    dataDir,
  ]);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(`the newest is ${newest};`), refused.stderr);

  // The restore: the damaged file and its -wal and -shm aside, the backup in its place.
  for (const f of [db, `${db}-wal`, `${db}-shm`]) {
    if (fs.existsSync(f)) fs.renameSync(f, `${f}.damaged`);
  }
  fs.copyFileSync(newest, db);
  const restored = await spawnHub(['--db', db, '--data-dir', dataDir]);
  for (const i of [0, 150, 299]) {
    assert.equal(
      (await readDocument(restored.wsUrl, `doc-${i}`)).toString(),
      `contents of ${i} `.repeat(20),
    );
  }
  assert.equal((await restored.stop()).code, 0);
});
