// `lanboard import --from y-leveldb <folder>`: y-websocket's documents
// (YPERSISTENCE) into the Yjs rooms `lanboard serve` would use with the same
// flags. One summary line on stdout, the skipped rooms with --verbose.
import type { HubConfig } from '../config/schema';
import { isClassCode } from '../classroom/codes';
import { roomNameProblem } from '../protocols/yjs/room-names';
import { openYjsStore } from '../store/open-store';
import { importYLeveldbFolder, inspectYLeveldbFolder } from '../store/y-leveldb-import';
import { openImportTarget, plural } from './import-target';

export async function importYLeveldb(
  folder: string,
  config: HubConfig,
  verbose: boolean,
): Promise<void> {
  // Check the source before the target (a file and its folder, or tables) is created.
  await inspectYLeveldbFolder(folder);
  const target = await openImportTarget(config, openYjsStore);
  let report;
  try {
    report = await importYLeveldbFolder(folder, target.store, {
      maxRoomBytes: config.YjsMaxRoomBytes,
      nameProblem,
    });
  } finally {
    await target.close();
  }
  for (const note of report.notes) process.stderr.write(`lanboard: note: ${note}\n`);
  const rooms = report.created + report.merged;
  let line =
    `lanboard: imported ${plural(rooms, 'document')} (${report.created} new, ${report.merged} merged into existing rooms) ` +
    `from ${folder} into ${target.where}`;
  if (report.unchanged > 0) line += `; ${report.unchanged} already up to date`;
  const skipped = report.skipped.length;
  if (skipped > 0) line += `; skipped ${skipped}${verbose ? ':' : ' (run with --verbose to list)'}`;
  process.stdout.write(`${line}\n`);
  if (verbose) {
    for (const s of report.skipped) {
      process.stdout.write(`  document ${JSON.stringify(s.room)}: ${s.reason}\n`);
    }
  }
}

/** Why Lanboard would not serve a room of this name (import-y-leveldb keeps rooms' names). */
function nameProblem(room: string): string | undefined {
  const problem = roomNameProblem(room);
  if (problem !== undefined) return `Lanboard cannot serve it: ${problem}`;
  if (isClassCode(room)) {
    return 'it is named like a class code, which Lanboard keeps for class boards';
  }
  return undefined;
}
