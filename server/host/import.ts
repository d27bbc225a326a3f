// `lanboard import <zwibbler.db>`: a zwibserve SQLite database into the one
// `lanboard serve` would use with the same flags. One summary line on stdout;
// nothing already there is overwritten. `--from y-leveldb <folder>` imports
// y-websocket's documents instead (import-y-leveldb.ts).
import fs from 'node:fs';
import path from 'node:path';
import { importArgs } from '../config/flags';
import { ConfigError } from '../config/load';
import { openStore } from '../store/open-store';
import { importYLeveldb } from './import-y-leveldb';
import { openImportTarget, plural, targetConfig } from './import-target';
import { importZwibserveDatabase, inspectZwibserveDatabase } from '../store/zwibserve-import';
import type { SkippedItem } from '../store/zwibserve-import';

export const IMPORT_USAGE = `Usage: lanboard import <zwibbler.db> [options]
       lanboard import --from y-leveldb <folder> [options]

Copies the documents, keys and unexpired tokens of a zwibserve SQLite database
into the database \`lanboard serve\` would use with the same options: its
SQLite file, or its PostgreSQL or MariaDB database (Database=postgresql or
mariadb). Nothing already there is overwritten (what is skipped is reported), so running it
twice is harmless, and a hub may be running on that database meanwhile.

With --from y-leveldb, reads the folder y-websocket kept its documents in
(YPERSISTENCE) and makes each document a Yjs room of the same name. A room
that already exists gets what the import adds to it; one that already holds
everything is left alone. Stop y-websocket first: LevelDB allows one program.

Options:
  --from <kind>       zwibserve (a zwibbler.db, the default) or y-leveldb
  --config <file>     the settings file \`serve\` uses
  --db <file>         the SQLite file to fill (its folder must exist)
  --data-dir <dir>    the data folder \`serve\` uses
  --verbose           list every skipped document, key and token
  -h, --help          this text

Moving from zwibbler-service or y-websocket: docs/operating.md.`;

/** `lanboard import`: one summary line on stdout, the skipped items with --verbose. */
export async function importCommand(args: string[]): Promise<void> {
  const { from, source, verbose, sources } = importArgs(args, process.env);
  const config = targetConfig(sources);
  if (from === 'y-leveldb') return importYLeveldb(source, config, verbose);
  if (config.Database !== 'postgresql' && sameFile(source, path.resolve(config.DbFile))) {
    throw new ConfigError(
      `${source} is the zwibserve database itself: import it into another file`,
    );
  }
  // Check the source before the target (a file and its folder, or tables) is created.
  inspectZwibserveDatabase(source);
  const target = await openImportTarget(config, openStore);
  let report;
  try {
    report = await importZwibserveDatabase(source, target.store);
  } finally {
    await target.close();
  }
  for (const note of report.notes) process.stderr.write(`lanboard: note: ${note}\n`);
  let line =
    `lanboard: imported ${plural(report.documents, 'document')}, ${plural(report.keys, 'key')}, ` +
    `${plural(report.tokens, 'token')} from ${source} into ${target.where}`;
  const skipped = report.skipped.length;
  if (skipped > 0) line += `; skipped ${skipped}${verbose ? ':' : ' (run with --verbose to list)'}`;
  process.stdout.write(`${line}\n`);
  if (verbose) for (const item of report.skipped) process.stdout.write(`  ${describe(item)}\n`);
}

function describe(item: SkippedItem): string {
  switch (item.kind) {
    case 'document':
      return `document ${JSON.stringify(item.id)}: ${item.reason}`;
    case 'key':
      return `key ${JSON.stringify(item.name)} of document ${JSON.stringify(item.id)}: ${item.reason}`;
    case 'token':
      // A token ID is a credential: show only enough to recognise it.
      return `token ${item.id.length > 8 ? `${item.id.slice(0, 4)}…` : '…'}: ${item.reason}`;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return a === b;
  }
}
