// `lanboard import --from y-leveldb`: the documents y-websocket kept in a
// LevelDB folder (`YPERSISTENCE`, the y-leveldb package) become Yjs rooms of
// the same names. Each document's updates are merged into one update, and a
// room is written in one commit, so a room is imported whole or not at all.
// A room that already exists gets what the import adds to it (Yjs updates
// merge without loss; one that already holds everything is left alone).
//
// classic-level is a native module loaded with a dynamic import, so a hub
// that never runs this command never loads it.
import fs from 'node:fs';
import path from 'node:path';
import type { ClassicLevel } from 'classic-level';
import * as Y from 'yjs';
import { ImportError } from './import-error';
import { parseLevelKey } from './y-leveldb-keys';
import type { YjsStore } from './yjs-store';

export interface YLeveldbSummary {
  documents: number;
  updates: number;
  /** setMeta values: not imported (y-websocket writes none). */
  metas: number;
  /** Keys y-leveldb does not write. */
  unknownKeys: number;
}

export interface YLeveldbReport {
  /** Rooms that did not exist. */
  created: number;
  /** Rooms that existed and got what the import adds. */
  merged: number;
  /** Rooms that already held everything (imported before): nothing written. */
  unchanged: number;
  skipped: { room: string; reason: string }[];
  notes: string[];
}

export interface YLeveldbImportOptions {
  /** The hub's YjsMaxRoomBytes: a larger room could take no more edits. */
  maxRoomBytes: number;
  /** Why Lanboard could not serve a room of this name, or undefined. */
  nameProblem(room: string): string | undefined;
}

/** Raw updates of one document kept in memory at most, as a multiple of maxRoomBytes. */
const MAX_RAW_FACTOR = 4;

type Level = ClassicLevel<Buffer, Buffer>;

/**
 * Opens the folder for reading. Whatever is not a LevelDB is refused before
 * LevelDB touches it (opening writes LOCK and LOG files into the folder).
 */
async function openFolder(folder: string): Promise<Level> {
  let entries: string[];
  try {
    if (!fs.statSync(folder).isDirectory()) {
      throw new ImportError(`${folder} is a file: give y-websocket's YPERSISTENCE folder`);
    }
    entries = fs.readdirSync(folder);
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(
      code === 'ENOENT' ? `${folder} does not exist` : `cannot read ${folder}: ${code}`,
    );
  }
  if (entries.length === 0) {
    throw new ImportError(`${folder} is empty: give y-websocket's YPERSISTENCE folder`);
  }
  const current = entries.includes('CURRENT')
    ? fs.readFileSync(path.join(folder, 'CURRENT'), 'latin1')
    : '';
  const manifest = /^(MANIFEST-\d+)\n$/.exec(current)?.[1];
  if (manifest === undefined || !entries.includes(manifest)) {
    throw new ImportError(`${folder} is not a LevelDB folder: no valid CURRENT file`);
  }
  const { ClassicLevel } = await import('classic-level');
  const db: Level = new ClassicLevel<Buffer, Buffer>(folder, {
    createIfMissing: false,
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new ImportError(
        `${folder} is open in another program (LevelDB allows one): stop y-websocket first`,
      );
    }
    throw new ImportError(
      `${folder} cannot be read as a LevelDB: ${cause?.message ?? (err as Error).message}`,
    );
  }
  return db;
}

/** One document's updates in key order (y-leveldb keeps each document's keys together). */
interface Pending {
  room: string;
  updates: Buffer[];
  bytes: number;
  /** Set when the document is skipped: its updates are no longer kept. */
  skip?: string;
}

/**
 * Walks every key once, handing each document's updates to `onDocument` as
 * soon as the next document begins. Returns the counts.
 */
async function readDocuments(
  db: Level,
  onDocument: (doc: Pending) => Promise<void>,
  start: (room: string) => Pending,
  maxRawBytes: number,
): Promise<YLeveldbSummary & { listedOnly: string[] }> {
  const summary = { documents: 0, updates: 0, metas: 0, unknownKeys: 0 };
  const withUpdates = new Set<string>();
  const listed: string[] = [];
  let current: Pending | undefined;
  for await (const [key, value] of db.iterator()) {
    const k = parseLevelKey(key);
    if (k.kind === 'update') {
      summary.updates++;
      if (current?.room !== k.doc) {
        if (current) await onDocument(current);
        current = start(k.doc);
        withUpdates.add(k.doc);
        summary.documents++;
      }
      if (current.skip) continue;
      current.bytes += value.length;
      if (current.bytes > maxRawBytes) {
        current.skip = `its updates pass ${maxRawBytes} bytes before merging`;
        current.updates = [];
      } else current.updates.push(value);
    } else if (k.kind === 'meta') summary.metas++;
    else if (k.kind === 'state-vector') listed.push(k.doc);
    else summary.unknownKeys++;
  }
  if (current) await onDocument(current);
  return { ...summary, listedOnly: listed.filter((d) => !withUpdates.has(d)) };
}

/** Checks the folder and counts its documents, without importing. */
export async function inspectYLeveldbFolder(folder: string): Promise<YLeveldbSummary> {
  const db = await openFolder(folder);
  try {
    const s = await readDocuments(
      db,
      async () => {},
      (room) => ({ room, updates: [], bytes: 0, skip: 'counting only' }),
      0,
    );
    if (s.documents === 0) {
      throw new ImportError(
        s.unknownKeys > 0
          ? `${folder} is a LevelDB but not y-leveldb's: none of its ${s.unknownKeys} keys is a document update`
          : `${folder} holds no Yjs documents`,
      );
    }
    return {
      documents: s.documents,
      updates: s.updates,
      metas: s.metas,
      unknownKeys: s.unknownKeys,
    };
  } finally {
    await db.close();
  }
}

/** Imports every document of the y-leveldb folder into `target`, one room each. */
export async function importYLeveldbFolder(
  folder: string,
  target: YjsStore,
  options: YLeveldbImportOptions,
): Promise<YLeveldbReport> {
  const report: YLeveldbReport = { created: 0, merged: 0, unchanged: 0, skipped: [], notes: [] };
  const db = await openFolder(folder);
  try {
    const s = await readDocuments(
      db,
      async (doc) => {
        if (doc.skip) report.skipped.push({ room: doc.room, reason: doc.skip });
        else await importDocument(doc, target, options, report);
      },
      (room) => ({ room, updates: [], bytes: 0, skip: options.nameProblem(room) }),
      options.maxRoomBytes * MAX_RAW_FACTOR,
    );
    for (const room of s.listedOnly) {
      report.skipped.push({ room, reason: 'listed by y-leveldb but it has no updates' });
    }
    if (s.metas > 0) {
      report.notes.push(`${s.metas} metadata values (y-leveldb's setMeta) are not imported`);
    }
    if (s.unknownKeys > 0) {
      report.notes.push(`${s.unknownKeys} keys that y-leveldb does not write were left out`);
    }
    return report;
  } finally {
    await db.close();
  }
}

async function importDocument(
  doc: Pending,
  target: YjsStore,
  options: YLeveldbImportOptions,
  report: YLeveldbReport,
): Promise<void> {
  const skip = (reason: string): void => {
    report.skipped.push({ room: doc.room, reason });
  };
  let merged: Uint8Array;
  try {
    merged = Y.mergeUpdates(doc.updates);
    // The hub applies it when the room loads: find out now if it cannot.
    Y.applyUpdate(new Y.Doc(), merged);
  } catch (err) {
    return skip(`its updates are not valid Yjs updates (${(err as Error).message})`);
  }
  const existing = await target.load(doc.room);
  let add = merged;
  if (existing.updates.length > 0) {
    const state = new Y.Doc();
    state.transact(() => {
      for (const u of existing.updates) Y.applyUpdate(state, u);
    });
    const before = Y.encodeStateVector(state);
    let changed = false;
    state.on('update', () => (changed = true));
    Y.applyUpdate(state, merged);
    if (!changed) {
      report.unchanged++;
      return;
    }
    add = Y.diffUpdate(merged, before);
  }
  if (existing.bytes + add.length > options.maxRoomBytes) {
    return skip(
      `it would take ${existing.bytes + add.length} bytes, over YjsMaxRoomBytes (${options.maxRoomBytes}); raise it and import again`,
    );
  }
  await target.append(doc.room, [add]);
  if (existing.updates.length > 0) report.merged++;
  else report.created++;
}
