// `lanboard import`: copies a zwibbler.db written by the Go reference server
// (zwibserve's SQLite backend) into any DocumentStore. The source is opened
// read-only and streamed row by row; nothing in the target is ever overwritten.
//
// What the reference wrote, per column (Go value → SQLite storage class):
// - ZwibblerDocs.data: []byte → BLOB, or NULL when a document was created with
//   nil initial data.
// - ZwibblerKeys.name/value: Go string → TEXT holding the raw bytes, which need
//   not be valid UTF-8. Reading them as JS strings would be lossy, so they are
//   read as CAST(… AS BLOB): the stored bytes, whatever the storage class.
// - IDs, user IDs and permissions: Go string → TEXT; expiration: Unix seconds.
// Databases last opened by older releases may lack ZwibblerKeys (before
// 2020-04) or ZwibblerTokens (before 2022-06); those count as empty.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { SqliteDatabase } from './sqlite-driver';
import { ImportError } from './import-error';
import type { DocumentKey, DocumentStore, Token } from './types';

export { ImportError };

export interface SkippedItem {
  kind: 'document' | 'key' | 'token';
  /** Document ID, or token ID for tokens (a credential: redact before printing). */
  id: string;
  /** For keys: the key name (bytes that are not UTF-8 are shown as U+FFFD). */
  name?: string;
  reason: string;
}

export interface ImportReport {
  documents: number;
  keys: number;
  tokens: number;
  skipped: SkippedItem[];
  /** Facts about the source worth telling the user (an older schema, say). */
  notes: string[];
}

export interface ImportOptions {
  /** Unix ms used to decide which tokens have expired. Date.now() by default. */
  now?: number;
}

export interface ZwibserveSummary {
  documents: number;
  keys: number;
  tokens: number;
  /** Optional tables this database does not have. */
  missingTables: string[];
}

type Row = Record<string, unknown>;

const REQUIRED_COLUMNS: Record<string, string[]> = {
  ZwibblerDocs: ['docid', 'data'],
  ZwibblerKeys: ['docid', 'name', 'value', 'version'],
  ZwibblerTokens: ['tokenid', 'docid', 'userid', 'permissions', 'expiration'],
};
const OPTIONAL_TABLES = new Set(['ZwibblerKeys', 'ZwibblerTokens']);
const MAX_U32 = 0xffff_ffff;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

interface Source {
  db: Database.Database;
  /** Selects a column's stored bytes (`CAST(x AS BLOB)` in a UTF-8 database). */
  bytes: (column: string) => string;
  missing: Set<string>;
}

/** Opens and checks the file; throws ImportError with the file's name when it is not a zwibserve database. */
function openSource(file: string): Source {
  if (!fs.existsSync(file)) throw new ImportError(`${file} does not exist`);
  if (fs.statSync(file).isDirectory()) throw new ImportError(`${file} is a directory`);
  let db: Database.Database;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ImportError(`cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map(
          (r) => String(r.name).toLowerCase(),
        ),
      );
    } catch (err) {
      throw new ImportError(`${file} is not a SQLite database: ${(err as Error).message}`);
    }
    const missing = new Set<string>();
    for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
      if (!tables.has(table.toLowerCase())) {
        if (OPTIONAL_TABLES.has(table)) {
          missing.add(table);
          continue;
        }
        throw new ImportError(`${file} is not a zwibserve database: no ${table} table`);
      }
      const have = new Set(
        (db.pragma(`table_info(${table})`) as Row[]).map((c) => String(c.name).toLowerCase()),
      );
      const absent = columns.filter((c) => !have.has(c));
      if (absent.length > 0) {
        throw new ImportError(
          `${file} is not a zwibserve database: table ${table} has no column ${absent.join(', ')}`,
        );
      }
    }
    // go-sqlite3 always writes UTF-8. In a UTF-16 file CAST would give UTF-16
    // bytes, so there the text is read as text and encoded back to UTF-8.
    const isUtf8 = db.pragma('encoding', { simple: true }) === 'UTF-8';
    return { db, missing, bytes: (c) => (isUtf8 ? `CAST(${c} AS BLOB)` : c) };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Checks that `file` is a zwibserve database and counts its rows, without importing. */
export function inspectZwibserveDatabase(file: string): ZwibserveSummary {
  const source = openSource(file);
  try {
    const count = (table: string): number =>
      source.missing.has(table)
        ? 0
        : (source.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
    return {
      documents: count('ZwibblerDocs'),
      keys: count('ZwibblerKeys'),
      tokens: count('ZwibblerTokens'),
      missingTables: [...source.missing],
    };
  } finally {
    source.db.close();
  }
}

/**
 * Imports every document (with its keys) and every unexpired token from the
 * zwibserve SQLite file into `target`. A document or token the target already
 * has is skipped and reported, so running it again imports nothing new.
 */
export async function importZwibserveDatabase(
  sourceFile: string,
  target: DocumentStore,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const now = options.now ?? Date.now();
  const source = openSource(sourceFile);
  const report: ImportReport = { documents: 0, keys: 0, tokens: 0, skipped: [], notes: [] };
  for (const table of source.missing) {
    report.notes.push(`${sourceFile} has no ${table} table (an older zwibserve): none imported`);
  }
  const { db, bytes } = source;
  try {
    const keysOf = source.missing.has('ZwibblerKeys')
      ? undefined
      : db.prepare(
          `SELECT ${bytes('name')} AS name, ${bytes('value')} AS value, version
           FROM ZwibblerKeys WHERE docID = ? ORDER BY rowid`,
        );
    /** Documents the target already had with other contents: their tokens are not imported. */
    const differing = new Set<string>();

    const docs = db.prepare(
      `SELECT ${bytes('docid')} AS id, ${bytes('data')} AS data FROM ZwibblerDocs ORDER BY rowid`,
    );
    for (const row of docs.iterate() as IterableIterator<Row>) {
      const id = text(row.id);
      if (id === undefined) {
        report.skipped.push({
          kind: 'document',
          id: shown(row.id),
          reason: 'its ID is not valid UTF-8, which Lanboard cannot serve',
        });
        continue;
      }
      const data = toBytes(row.data);
      if (await target.createDocument(id, data)) {
        report.documents++;
        if (keysOf) await importKeys(id, keysOf.iterate(id) as IterableIterator<Row>);
        continue;
      }
      const identical = await sameContents(target, id, data);
      if (!identical) differing.add(id);
      report.skipped.push({
        kind: 'document',
        id,
        reason: identical
          ? 'already in the target with the same contents (imported before); left as it is'
          : 'a different document with this ID is already in the target; left unchanged, with its keys',
      });
    }

    async function importKeys(docId: string, rows: IterableIterator<Row>): Promise<void> {
      for (const row of rows) {
        const name = toBytes(row.name);
        const version = row.version;
        if (typeof version !== 'number' || !Number.isInteger(version)) {
          skipKey(docId, name, `its version ${String(version)} is not a whole number`);
          continue;
        }
        if (version < 0 || version > MAX_U32) {
          skipKey(docId, name, `its version ${version} does not fit the protocol's 32 bits`);
          continue;
        }
        const key: DocumentKey = { name, value: toBytes(row.value), version };
        const result = await target.setDocumentKey(docId, 0, key);
        if (result === 'ok') report.keys++;
        else skipKey(docId, name, `the target answered "${result}"`);
      }
    }

    function skipKey(docId: string, name: Uint8Array, reason: string): void {
      report.skipped.push({ kind: 'key', id: docId, name: lossy.decode(name), reason });
    }

    if (!source.missing.has('ZwibblerKeys')) {
      // Keys whose document row is gone (possible only with foreign keys off).
      const orphans = db.prepare(
        `SELECT ${bytes('k.docID')} AS docId, ${bytes('k.name')} AS name FROM ZwibblerKeys k
         WHERE NOT EXISTS (SELECT 1 FROM ZwibblerDocs d WHERE d.docid = k.docID) ORDER BY k.rowid`,
      );
      for (const row of orphans.iterate() as IterableIterator<Row>) {
        report.skipped.push({
          kind: 'key',
          id: shown(row.docId),
          name: lossy.decode(toBytes(row.name)),
          reason: 'its document is not in the zwibserve database',
        });
      }
    }

    if (!source.missing.has('ZwibblerTokens')) {
      const docInSource = db.prepare('SELECT 1 FROM ZwibblerDocs WHERE docid = ?').pluck();
      const tokens = db.prepare(
        `SELECT ${bytes('tokenID')} AS token, ${bytes('docID')} AS documentId,
                ${bytes('userID')} AS userId, ${bytes('permissions')} AS permissions, expiration
         FROM ZwibblerTokens ORDER BY rowid`,
      );
      for (const row of tokens.iterate() as IterableIterator<Row>) {
        const skip = (id: string, reason: string) =>
          report.skipped.push({ kind: 'token', id, reason });
        const tokenId = text(row.token);
        if (tokenId === undefined || tokenId === '') {
          skip(shown(row.token), 'its ID is empty or not valid UTF-8');
          continue;
        }
        const fields = {
          documentId: text(row.documentId),
          userId: text(row.userId ?? ''),
          permissions: text(row.permissions ?? ''),
        };
        const bad = Object.entries(fields).find(([, v]) => v === undefined);
        if (bad) {
          skip(tokenId, `its ${bad[0]} is ${row[bad[0]] == null ? 'missing' : 'not valid UTF-8'}`);
          continue;
        }
        const token: Token = {
          token: tokenId,
          documentId: fields.documentId!,
          userId: fields.userId!,
          permissions: fields.permissions!,
          expiresAt: 0,
        };
        const whose = `(user "${token.userId}", document "${token.documentId}")`;
        const expiration = row.expiration;
        if (typeof expiration !== 'number' || !Number.isFinite(expiration)) {
          skip(tokenId, `its expiration ${String(expiration)} is not a number ${whose}`);
          continue;
        }
        // The reference accepts a token while expiration (s) > now (s), i.e. while now (ms) < expiration × 1000.
        token.expiresAt = Math.min(Math.round(expiration * 1000), Number.MAX_SAFE_INTEGER);
        if (token.expiresAt <= now) {
          skip(tokenId, `expired at ${isoTime(token.expiresAt)} ${whose}`);
          continue;
        }
        if (differing.has(token.documentId)) {
          skip(tokenId, `its document was not imported: the target has a different one ${whose}`);
          continue;
        }
        // The reference allows a token for a document that does not exist yet; but
        // if the target has one with that ID, the token would open someone else's.
        if (
          docInSource.get(token.documentId) === undefined &&
          (await target.documentLength(token.documentId)) !== null
        ) {
          skip(
            tokenId,
            `its document is not in the zwibserve database but one with that ID is in the target ${whose}`,
          );
          continue;
        }
        const result = await target.addToken(token, new Uint8Array());
        if (result === 'ok') report.tokens++;
        else skip(tokenId, `already in the target; left unchanged ${whose}`);
      }
    }
    return report;
  } finally {
    db.close();
  }
}

async function sameContents(target: DocumentStore, id: string, data: Uint8Array): Promise<boolean> {
  if ((await target.documentLength(id)) !== data.length) return false;
  if (data.length === 0) return true;
  const loaded = await target.loadDocument(id, 'never-create', new Uint8Array(), 0);
  return loaded.status === 'ok' && Buffer.from(loaded.tail).equals(data);
}

/** A column's bytes: BLOB as is, TEXT (a UTF-16 file) as UTF-8, NULL as empty. */
function toBytes(v: unknown): Buffer {
  if (v === null || v === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(String(v), 'utf8');
}

/** A column as a string, or undefined when it is NULL or not valid UTF-8. */
function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Buffer.isBuffer(v)) {
    try {
      return utf8.decode(v);
    } catch {
      return undefined;
    }
  }
  return String(v);
}

/** For reports: a column that may be NULL or not UTF-8. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  return Buffer.isBuffer(v) ? lossy.decode(v) : String(v);
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}
