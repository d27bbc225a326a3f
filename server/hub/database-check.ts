// The integrity check a hub runs on its SQLite file before opening it
// (docs/operating.md#a-damaged-database): a damaged file stops the start
// with one line saying how to recover, unless DbStartDamaged asks to start
// anyway; then /healthz says so for as long as the hub runs.
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import { listBackups } from '../store/sqlite-backups';
import { checkIntegrity, refuseWrites } from '../store/sqlite-integrity';
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

/** The check as the running hub sees it. */
export interface DatabaseCheck {
  /** True while the check goes on in the background (/healthz says so). */
  running(): boolean;
  /** The hub stops: a check that ends later changes nothing (a next hub checks again). */
  stop(): void;
}

const NO_CHECK: DatabaseCheck = { running: () => false, stop: () => undefined };

/**
 * Checks the SQLite file, waiting up to DbCheckWaitSeconds: a damage found by
 * then stops the start (DamagedDatabaseError) unless DbStartDamaged. A longer
 * check goes on while the hub starts and serves; a damage it finds later is
 * as loud (the fault on /healthz and the dashboard) and, unless
 * DbStartDamaged, the file takes no more writes.
 */
export async function checkDatabaseAtStart(
  config: HubConfig,
  log: Logger,
  faults: StorageFaults,
): Promise<DatabaseCheck> {
  // Only SQLite has a file of its own: Redis hubs keep everything in Redis
  // (workspaces too), and PostgreSQL checks its pages itself.
  if (config.Database !== 'sqlite') return NO_CHECK;
  const started = performance.now();
  let done = false;
  const check = checkIntegrity(config.DbFile).finally(() => (done = true));
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<typeof STILL_RUNNING>((resolve) => {
    timer = setTimeout(() => resolve(STILL_RUNNING), config.DbCheckWaitSeconds * 1000);
  });
  // 0: never wait, even for a check that would end at once.
  const early = config.DbCheckWaitSeconds > 0 ? await Promise.race([check, waited]) : STILL_RUNNING;
  clearTimeout(timer);
  if (early !== STILL_RUNNING) {
    if (early !== undefined) startDamaged(config, log, faults, early);
    return NO_CHECK;
  }
  log.warn(
    { file: config.DbFile, waitSeconds: config.DbCheckWaitSeconds },
    'the database check takes longer than DbCheckWaitSeconds: the hub starts, and the check goes on in the background',
  );
  let stopped = false;
  void check.then((problem) => {
    if (stopped) return;
    const ms = Math.round(performance.now() - started);
    if (problem === undefined)
      log.info({ file: config.DbFile, ms }, 'the database check found no damage');
    else damagedWhileServing(config, log, faults, problem);
  });
  return { running: () => !done && !stopped, stop: () => (stopped = true) };
}

const STILL_RUNNING = Symbol('still running');

function startDamaged(config: HubConfig, log: Logger, faults: StorageFaults, problem: string) {
  if (!config.DbStartDamaged) throw new DamagedDatabaseError(config.DbFile, problem);
  log.error(
    { file: config.DbFile, problem },
    'the database is damaged; starting anyway as DbStartDamaged asks: restore a backup soon',
  );
  faults.report(DAMAGED_DATABASE, `damaged: ${problem}`);
}

function damagedWhileServing(
  config: HubConfig,
  log: Logger,
  faults: StorageFaults,
  problem: string,
): void {
  faults.report(DAMAGED_DATABASE, `damaged: ${problem}`);
  const newestBackup = listBackups(config.DbFile).at(-1);
  if (config.DbStartDamaged) {
    log.error(
      { file: config.DbFile, problem, newestBackup },
      'the database is damaged; serving it anyway as DbStartDamaged asks: restore a backup soon',
    );
    return;
  }
  const connections = refuseWrites(config.DbFile);
  log.error(
    { file: config.DbFile, problem, newestBackup, connections },
    'the database is damaged (found by the check at start while the hub served): it takes no more writes; stop the hub and restore a backup (see "Restoring a backup" in docs/operating.md)',
  );
}
