// The data folder is the hub user's alone (docs/operating.md#where-data-lives):
// the folder 0700; the database, its -wal and -shm, the admin token and the
// signaling key 0600, when the hub creates them and again at every start.
// Tests run as root, who reads anything, so modes are checked with stat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { adminCall } from './admin-client';
import { killAllHubs, spawnHub } from './child-hub';
import { tempDir } from './hub-fixture';

const dirs: { remove(): void }[] = [];
after(async () => {
  await killAllHubs();
  for (const d of dirs) d.remove();
});

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

function dataDir(): string {
  const d = tempDir('lanboard-modes-');
  dirs.push(d);
  return path.join(d.dir, 'data');
}

test(
  'a new data folder is 0700, and the database, its WAL and SHM and the admin token 0600',
  { skip: process.platform === 'win32' && 'modes do not apply on Windows' },
  async () => {
    const dir = dataDir();
    // What a usual umask would give them otherwise: 0755 folders, 0644 files.
    const umask = process.umask(0o022);
    try {
      const hub = await spawnHub(['--data-dir', dir]);
      // The admin token is made on first use: a refused call is one.
      assert.equal((await adminCall(hub.httpUrl, 'snapshot', { token: 'wrong' })).status, 401);
      const db = path.join(dir, 'lanboard.db');
      assert.deepEqual(
        {
          folder: modeOf(dir),
          db: modeOf(db),
          wal: modeOf(`${db}-wal`),
          shm: modeOf(`${db}-shm`),
          token: modeOf(path.join(dir, 'admin-token')),
        },
        { folder: '700', db: '600', wal: '600', shm: '600', token: '600' },
      );
      await hub.stop();
    } finally {
      process.umask(umask);
    }
  },
);

test(
  'a start narrows what an older release left readable: the folder, the database files and the secrets',
  { skip: process.platform === 'win32' && 'modes do not apply on Windows' },
  async () => {
    const dir = dataDir();
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const db = path.join(dir, 'lanboard.db');
    // Another connection keeps the -wal and -shm there while the hub starts.
    const other = new Database(db);
    other.pragma('journal_mode = WAL');
    other.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const secrets = ['admin-token', 'rtc-token.key'].map((f) => path.join(dir, f));
    for (const f of secrets) fs.writeFileSync(f, 'an-old-secret-of-enough-length\n');
    for (const f of [db, `${db}-wal`, `${db}-shm`, ...secrets]) fs.chmodSync(f, 0o644);

    const hub = await spawnHub(['--data-dir', dir]);
    try {
      const modes = Object.fromEntries(
        [db, `${db}-wal`, `${db}-shm`, ...secrets].map((f) => [path.basename(f), modeOf(f)]),
      );
      assert.deepEqual(
        { folder: modeOf(dir), ...modes },
        {
          folder: '700',
          'lanboard.db': '600',
          'lanboard.db-wal': '600',
          'lanboard.db-shm': '600',
          'admin-token': '600',
          'rtc-token.key': '600',
        },
      );
      // Narrowed, not replaced: the old token still opens the admin API.
      const reply = await adminCall(hub.httpUrl, 'snapshot', {
        token: 'an-old-secret-of-enough-length',
      });
      assert.equal(reply.status, 200);
    } finally {
      other.close();
      await hub.stop();
    }
  },
);
