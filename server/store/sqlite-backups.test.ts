// Backups beside the database (docs/operating.md#backups): one before every
// schema migration of a file that holds data, whole and 0600; none for a new
// file or one already up to date; rotation keeps the newest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../test/hub-fixture';
import {
  backupFolder,
  listBackups,
  rotateBackups,
  scheduledBackupPath,
  writeBackup,
} from './sqlite-backups';
import { MIGRATIONS, openDatabase } from './sqlite-migrations';

const dir = tempDir('lanboard-backups-');
after(() => dir.remove());

const mode = (file: string) => fs.statSync(file).mode & 0o777;

test('a database on an older schema is backed up, whole and 0600, before it is migrated', () => {
  const file = path.join(dir.dir, 'old.db');
  const old = new Database(file);
  for (const sql of MIGRATIONS.slice(0, 4)) old.exec(sql);
  old.pragma('user_version = 4');
  old.prepare("INSERT INTO tokens VALUES ('t-1', 'doc', 'user', 'rw', 0, 0)").run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  db.close();

  const folder = backupFolder(file);
  const names = fs.readdirSync(folder);
  assert.equal(names.length, 1);
  assert.match(names[0]!, new RegExp(`^old-.+-before-schema-${MIGRATIONS.length}\\.db$`));
  const backup = path.join(folder, names[0]!);
  assert.equal(mode(backup), 0o600);
  assert.equal(mode(folder), 0o700);
  const copy = new Database(backup, { readonly: true });
  assert.equal(copy.pragma('user_version', { simple: true }), 4, 'the copy is of the old schema');
  assert.deepEqual(copy.prepare('SELECT token FROM tokens').all(), [{ token: 't-1' }]);
  copy.close();
  assert.deepEqual(listBackups(file), [], 'it is not one of the rotated ones');
});

test('a new file and one already migrated are not backed up', () => {
  fs.mkdirSync(path.join(dir.dir, 'new'));
  const file = path.join(dir.dir, 'new', 'new.db');
  openDatabase(file).close();
  openDatabase(file).close();
  assert.equal(fs.existsSync(backupFolder(file)), false);
});

test('rotation deletes the oldest scheduled backups past the number kept', async () => {
  const file = path.join(dir.dir, 'rotated.db');
  openDatabase(file).close();
  const start = Date.UTC(2026, 11, 1);
  const made: string[] = [];
  for (const day of [0, 1, 2, 3]) {
    const dest = scheduledBackupPath(file, start + day * 86_400_000);
    await writeBackup(file, dest);
    made.push(dest);
  }
  assert.deepEqual(listBackups(file), made);
  assert.deepEqual(rotateBackups(file, 2), made.slice(0, 2));
  assert.deepEqual(listBackups(file), made.slice(2));
  for (const f of made.slice(2)) assert.equal(mode(f), 0o600);
});
