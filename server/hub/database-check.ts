// The integrity check a hub runs on its SQLite file before opening it
// (docs/operating.md#a-damaged-database): a damaged file stops the start
// with one line saying how to recover, unless DbStartDamaged asks to start
// anyway; then /healthz says so for as long as the hub runs.
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import { listBackups } from '../store/sqlite-backups';
import { checkIntegrity } from '../store/sqlite-integrity';
import type { StorageFaults } from './storage-faults';

export class DamagedDatabaseError extends ConfigError {
  /** The newest scheduled backup beside it, if any: what to restore. */
  readonly newestBackup: string | undefined;

  constructor(
    readonly file: string,
    problem: string,
  ) {
    const newest = listBackups(file).at(-1);
    super(
      `${file} is damaged (${problem}); stop here and restore a backup ` +
        `(${newest ? `the newest is ${newest}` : 'none is in its backups folder'}; ` +
        `see "Restoring a backup" in docs/operating.md), ` +
        'or start anyway with --start-damaged (DbStartDamaged=1)',
    );
    this.name = 'DamagedDatabaseError';
    this.newestBackup = newest;
  }
}

/** The fault a hub started on a damaged file keeps open (it never clears itself). */
export const DAMAGED_DATABASE = 'database file';

export function checkDatabaseAtStart(config: HubConfig, log: Logger, faults: StorageFaults): void {
  // Only SQLite has a file of its own: Redis hubs keep everything in Redis
  // (workspaces too), and PostgreSQL checks its pages itself.
  if (config.Database !== 'sqlite') return;
  const problem = checkIntegrity(config.DbFile);
  if (problem === undefined) return;
  if (!config.DbStartDamaged) throw new DamagedDatabaseError(config.DbFile, problem);
  log.error(
    { file: config.DbFile, problem },
    'the database is damaged; starting anyway as DbStartDamaged asks: restore a backup soon',
  );
  faults.report(DAMAGED_DATABASE, `damaged: ${problem}`);
}
