// `lanboard backup`: a consistent copy of the database `lanboard serve` would
// use with the same options, taken while a hub runs on it or not
// (docs/operating.md#backups). In its own process it never stalls the hub.
import fs from 'node:fs';
import { backupArgs } from '../config/flags';
import { ConfigError, loadConfig } from '../config/load';
import { rotateBackups, scheduledBackupPath, writeBackup } from '../store/sqlite-backups';

export const BACKUP_USAGE = `Usage: lanboard backup [--to <file>] [options]

Copies the hub's SQLite database, consistently, whether a hub is running on
it or not. Without --to the copy goes into backups/ beside the database, as
lanboard-<time>.db, and the oldest there are deleted past BackupsKept (7 by
default). The copy is readable by this user only (0600).

Options:
  --to <file>         write the copy to this file instead (it must not exist)
  --config <file>     the settings file \`serve\` uses
  --db <file>         the SQLite file to copy
  --data-dir <dir>    the data folder \`serve\` uses
  -h, --help          this text

Restoring a backup: docs/operating.md.`;

/** `lanboard backup`: one line on stdout naming the copy. */
export async function backupCommand(args: string[]): Promise<void> {
  const { to, sources } = backupArgs(args, process.env);
  const loaded = loadConfig(sources);
  for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
  const { config } = loaded;
  if (config.Database === 'memory') {
    throw new ConfigError('Database=memory has nothing to back up: give --db <sqlite-file>');
  }
  if (config.Database === 'postgresql') {
    throw new ConfigError(
      'Database=postgresql: back the database up with pg_dump or your PostgreSQL service (docs/operating.md#postgresql); `lanboard backup` copies SQLite files',
    );
  }
  if (config.Database === 'mariadb') {
    throw new ConfigError(
      'Database=mariadb: back the database up with mariadb-dump (mysqldump) or your database service (docs/operating.md#mariadb-and-mysql); `lanboard backup` copies SQLite files',
    );
  }
  if (!fs.existsSync(config.DbFile)) {
    throw new ConfigError(`DbFile="${config.DbFile}" does not exist: nothing to back up`);
  }
  if (to !== undefined && fs.existsSync(to)) {
    throw new ConfigError(`--to ${to} exists already: choose a new file`);
  }
  const dest = to ?? scheduledBackupPath(config.DbFile, Date.now());
  let bytes: number;
  try {
    bytes = await writeBackup(config.DbFile, dest);
  } catch (err) {
    throw new ConfigError(
      `cannot back up DbFile="${config.DbFile}" to ${dest}: ${(err as Error).message}`,
    );
  }
  const removed = to === undefined ? rotateBackups(config.DbFile, config.BackupsKept) : [];
  const size = `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  let line = `lanboard: backed up ${config.DbFile} to ${dest} (${size})`;
  if (removed.length > 0)
    line += `; deleted ${removed.length} older (BackupsKept=${config.BackupsKept})`;
  process.stdout.write(`${line}\n`);
}
