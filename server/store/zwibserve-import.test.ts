// `lanboard import`: a zwibbler.db in the reference's exact SQLite schema
// (zwibserve sqlitedb.go), built here row by row the way go-sqlite3 stores
// Go values, is imported into a real SqliteStore and served by a real hub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startHub, tempDir } from '../test/hub-fixture';
import { killAllHubs, runCli, spawnHub } from '../test/child-hub';
import { SQL_SERVERS, sqlEnv } from '../test/sql-servers';
import { ZwibblerClient } from '../test/zwibbler-client';
import { MemoryStore } from './memory-store';
import { SqliteStore } from './sqlite-store';
import type { DocumentKey, DocumentStore } from './types';
import { ImportError, importZwibserveDatabase, inspectZwibserveDatabase } from './zwibserve-import';

const tmp = tempDir('lanboard-import-');
const clients: ZwibblerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllHubs();
  tmp.remove();
});

let counter = 0;
const file = (name: string) => path.join(tmp.dir, `${++counter}-${name}`);

// The reference's schema, table for table and column for column.
const ZWIBSERVE_DOCS = `CREATE TABLE IF NOT EXISTS ZwibblerDocs (
  docid TEXT PRIMARY KEY,
  lastAccess INTEGER,
  data BLOB
);`;
const ZWIBSERVE_KEYS_AND_TOKENS = `
CREATE TABLE IF NOT EXISTS ZwibblerKeys (
  docID TEXT,
  name TEXT,
  value TEXT,
  version NUMBER,
  UNIQUE(docID, name),
  FOREIGN KEY (docID) REFERENCES ZwibblerDocs(docID) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS ZwibblerTokens (
  tokenID TEXT UNIQUE,
  docID TEXT,
  userID TEXT,
  permissions TEXT,
  expiration INTEGER
);
CREATE INDEX IF NOT EXISTS ZwibblerTokenUserIndex ON ZwibblerTokens(userID);`;

const nowSec = Math.floor(Date.now() / 1000);
const HOUR = 3600;

/** Bytes that are not UTF-8 (a lone 0xFF, a truncated sequence, a NUL). */
const BOARD = Buffer.concat([
  Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
  Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)),
]);
const TEXT_DOC = Buffer.from([0x5b, 0xff, 0x7b, 0x22, 0x5d]);
const BIN_VALUE = Buffer.from([0xff, 0x00, 0xc0, 0xaf]);

const DOCS: Record<string, Buffer> = {
  board: BOARD,
  empty: Buffer.alloc(0),
  nulldoc: Buffer.alloc(0),
  textdoc: TEXT_DOC,
  other: Buffer.from('[{"plain":"json"}]'),
};
const BOARD_KEYS: DocumentKey[] = [
  { name: Buffer.from('title'), value: Buffer.from('Fractions ½'), version: 3 },
  { name: Buffer.from('bin'), value: BIN_VALUE, version: 7 },
];
const TOKENS = {
  valid: {
    token: 'tok-valid-rw',
    documentId: 'board',
    userId: 'teacher',
    permissions: 'rw',
    exp: nowSec + HOUR,
  },
  expired: {
    token: 'tok-expired',
    documentId: 'board',
    userId: 'old',
    permissions: 'rw',
    exp: nowSec - 60,
  },
  noDoc: {
    token: 'tok-no-document',
    documentId: 'future-doc',
    userId: 'student',
    permissions: 'r',
    exp: nowSec + 2 * HOUR,
  },
  other: {
    token: 'tok-other-r',
    documentId: 'other',
    userId: 'student',
    permissions: 'r',
    exp: nowSec + 3 * HOUR,
  },
};

/**
 * A zwibbler.db as the reference leaves it: WAL, foreign keys on, document data
 * bound as []byte (BLOB; NULL for nil), key names and values bound as Go
 * strings (TEXT holding raw bytes), expiration in Unix seconds.
 */
function buildReferenceDb(target = file('zwibbler.db')): string {
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(ZWIBSERVE_DOCS + ZWIBSERVE_KEYS_AND_TOKENS);
  const doc = db.prepare('INSERT INTO ZwibblerDocs (docid, lastAccess, data) VALUES (?, ?, ?)');
  doc.run('board', nowSec - 100, BOARD);
  doc.run('empty', nowSec - 100, Buffer.alloc(0));
  doc.run('nulldoc', nowSec - 100, null);
  // A row whose data is TEXT rather than BLOB, holding bytes that are not UTF-8.
  db.prepare(
    'INSERT INTO ZwibblerDocs (docid, lastAccess, data) VALUES (?, ?, CAST(? AS TEXT))',
  ).run('textdoc', nowSec, TEXT_DOC);
  doc.run('other', nowSec, DOCS.other);
  // Go's string for key values: TEXT, whatever the bytes.
  const key = db.prepare(
    'INSERT INTO ZwibblerKeys (docID, name, value, version) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), ?)',
  );
  for (const k of BOARD_KEYS) key.run('board', k.name, k.value, k.version);
  const token = db.prepare(
    'INSERT INTO ZwibblerTokens (tokenID, docID, userID, permissions, expiration) VALUES (?, ?, ?, ?, ?)',
  );
  for (const t of Object.values(TOKENS)) {
    token.run(t.token, t.documentId, t.userId, t.permissions, t.exp);
  }
  const types = db
    .prepare(
      "SELECT typeof(data) AS d FROM ZwibblerDocs WHERE docid IN ('board', 'nulldoc', 'textdoc') ORDER BY rowid",
    )
    .pluck()
    .all();
  assert.deepEqual(types, ['blob', 'null', 'text'], 'the fixture stores what the reference does');
  assert.deepEqual(db.prepare('SELECT DISTINCT typeof(value) FROM ZwibblerKeys').pluck().all(), [
    'text',
  ]);
  db.close();
  return target;
}

async function bytesOf(store: DocumentStore, id: string): Promise<Buffer | null> {
  const loaded = await store.loadDocument(id, 'never-create', new Uint8Array(), 0);
  return loaded.status === 'ok' ? Buffer.from(loaded.tail) : null;
}

const keysView = (keys: DocumentKey[]) =>
  keys.map((k) => ({
    name: Buffer.from(k.name).toString('hex'),
    value: Buffer.from(k.value).toString('hex'),
    version: k.version,
  }));

async function join(url: string, docId: string): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(url, { docId });
  clients.push(c);
  return c;
}

describe('importZwibserveDatabase into a real SqliteStore', () => {
  const source = buildReferenceDb();
  const dbFile = file('lanboard.db');

  test('documents byte for byte, keys with versions, unexpired tokens; expired ones reported', async () => {
    const before = fs.readFileSync(source);
    const store = new SqliteStore(dbFile);
    try {
      const report = await importZwibserveDatabase(source, store);
      assert.equal(report.documents, 5);
      assert.equal(report.keys, 2);
      assert.equal(report.tokens, 3);
      assert.deepEqual(report.notes, []);
      assert.equal(report.skipped.length, 1);
      assert.equal(report.skipped[0]!.kind, 'token');
      assert.equal(report.skipped[0]!.id, 'tok-expired');
      assert.match(report.skipped[0]!.reason, /^expired at \d{4}-/);

      for (const [id, bytes] of Object.entries(DOCS)) {
        assert.deepEqual(await bytesOf(store, id), bytes, `document ${id}`);
        assert.equal(await store.documentLength(id), bytes.length);
      }
      assert.deepEqual(keysView(await store.getDocumentKeys('board')), keysView(BOARD_KEYS));
      for (const id of ['empty', 'nulldoc', 'textdoc', 'other']) {
        assert.deepEqual(await store.getDocumentKeys(id), [], `no keys on ${id}`);
      }

      const now = Date.now();
      for (const t of [TOKENS.valid, TOKENS.noDoc, TOKENS.other]) {
        assert.deepEqual(await store.getToken(t.token, now), {
          token: t.token,
          documentId: t.documentId,
          userId: t.userId,
          permissions: t.permissions,
          expiresAt: t.exp * 1000,
        });
      }
      // Not even stored: asked at time 0, a stored expired token would still show.
      assert.equal(await store.getToken(TOKENS.expired.token, 0), null);
      // The reference allows a token for a document that does not exist yet.
      assert.equal(await store.documentLength('future-doc'), null);
    } finally {
      await store.close();
    }
    assert.deepEqual(fs.readFileSync(source), before, 'the source is only read');
  });

  test('a real hub on the imported file serves the token, its document and its keys', async () => {
    const hub = await startHub({ Database: 'sqlite', DbFile: dbFile });
    try {
      const url = `${hub.wsUrl}/socket`;
      const c = await join(url, TOKENS.valid.token);
      assert.deepEqual(c.messages[0], {
        type: 'append',
        layout: 3,
        generation: 0,
        offset: 0,
        data: BOARD,
      });
      const info = await c.nextOf('key-information');
      assert.deepEqual(keysView(info.keys), keysView(BOARD_KEYS));
      const [client] = hub.hub.registry.clients({ userId: 'teacher' });
      assert.equal(client?.room, 'board');
      assert.deepEqual(client?.permissions, { read: true, write: true, admin: false });

      // The imported rw token writes, as it did on the reference.
      c.append(BOARD.length, 'more');
      assert.deepEqual(await c.nextOf('ack-nack'), {
        type: 'ack-nack',
        status: 1,
        length: BOARD.length + 4,
      });

      for (const id of ['textdoc', 'other']) {
        const plain = await join(url, id);
        assert.deepEqual(plain.messages[0], {
          type: 'append',
          layout: 3,
          generation: 0,
          offset: 0,
          data: DOCS[id],
        });
      }
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await hub.stop();
    }
  });

  test('importing again imports nothing new and changes nothing', async () => {
    const store = new SqliteStore(dbFile);
    try {
      const beforeKeys = keysView(await store.getDocumentKeys('board'));
      const beforeLength = await store.documentLength('board');
      const report = await importZwibserveDatabase(source, store);
      assert.deepEqual([report.documents, report.keys, report.tokens], [0, 0, 0]);
      const docs = report.skipped.filter((s) => s.kind === 'document');
      assert.deepEqual(docs.map((s) => s.id).sort(), Object.keys(DOCS).sort());
      // board grew on the hub above, so it now differs from the source; the rest are identical.
      for (const s of docs) {
        assert.match(s.reason, s.id === 'board' ? /different document/ : /same contents/, s.id);
      }
      const tokens = report.skipped.filter((s) => s.kind === 'token');
      assert.deepEqual(
        tokens.map((s) => s.id).sort(),
        Object.values(TOKENS)
          .map((t) => t.token)
          .sort(),
      );
      assert.equal(report.skipped.length, docs.length + tokens.length);
      assert.equal(await store.documentLength('board'), beforeLength);
      assert.deepEqual(keysView(await store.getDocumentKeys('board')), beforeKeys);
      assert.equal((await store.getToken(TOKENS.valid.token, Date.now()))?.permissions, 'rw');
    } finally {
      await store.close();
    }
  });

  test('a run cut short after the documents resumes: identical documents keep their tokens', async () => {
    const store = new MemoryStore();
    for (const [id, bytes] of Object.entries(DOCS)) await store.createDocument(id, bytes);
    const report = await importZwibserveDatabase(source, store);
    assert.equal(report.documents, 0);
    assert.equal(report.tokens, 3, 'tokens of identical documents are imported');
    assert.ok(
      report.skipped
        .filter((s) => s.kind === 'document')
        .every((s) => /same contents/.test(s.reason)),
    );
  });
});

describe('never overwrites', () => {
  test('a document, a token or a foreign document ID already in the target is skipped and reported', async () => {
    const source = buildReferenceDb();
    const dbFile = file('existing.db');
    const store = new SqliteStore(dbFile);
    try {
      const mine = Buffer.from('lanboard board');
      const myKey = { name: Buffer.from('title'), value: Buffer.from('mine'), version: 1 };
      await store.createDocument('board', mine);
      await store.setDocumentKey('board', 0, myKey);
      await store.createDocument('future-doc', Buffer.from('lanboard future'));
      const myToken = {
        token: TOKENS.other.token,
        documentId: 'elsewhere',
        userId: 'someone',
        permissions: 'r',
        expiresAt: Date.now() + 60_000,
      };
      await store.addToken(myToken, new Uint8Array());

      const report = await importZwibserveDatabase(source, store);
      assert.equal(report.documents, 4);
      assert.equal(report.keys, 0, "board's keys are not merged into the existing board");
      assert.equal(report.tokens, 0);
      const reasons = Object.fromEntries(
        report.skipped.map((s) => [`${s.kind} ${s.id}`, s.reason]),
      );
      assert.deepEqual(Object.keys(reasons).sort(), [
        'document board',
        'token tok-expired',
        'token tok-no-document',
        'token tok-other-r',
        'token tok-valid-rw',
      ]);
      assert.match(reasons['document board']!, /different document with this ID/);
      assert.match(reasons['token tok-valid-rw']!, /target has a different one/);
      assert.match(reasons['token tok-no-document']!, /one with that ID is in the target/);
      assert.match(reasons['token tok-other-r']!, /already in the target/);

      assert.deepEqual(await bytesOf(store, 'board'), mine);
      assert.deepEqual(keysView(await store.getDocumentKeys('board')), keysView([myKey]));
      assert.deepEqual(await bytesOf(store, 'future-doc'), Buffer.from('lanboard future'));
      assert.deepEqual(await store.getToken(myToken.token, Date.now()), myToken);
      assert.equal(await store.getToken(TOKENS.valid.token, 0), null);
      assert.equal(await store.getToken(TOKENS.noDoc.token, 0), null);
      assert.deepEqual(await bytesOf(store, 'textdoc'), TEXT_DOC, 'the others are imported');
    } finally {
      await store.close();
    }
  });
});

describe('sources that are not (quite) zwibserve databases', () => {
  test('a Lanboard database, a text file, a missing file: ImportError naming the file', async () => {
    const lanboardDb = file('lanboard.db');
    await new SqliteStore(lanboardDb).close();
    const textFile = file('notes.db');
    fs.writeFileSync(textFile, 'these are my notes, not a database\n'.repeat(20));
    const missing = file('missing.db');
    const target = new MemoryStore();
    const cases: [string, RegExp][] = [
      [lanboardDb, /lanboard\.db is not a zwibserve database: no ZwibblerDocs table$/],
      [textFile, /notes\.db is not a SQLite database/],
      [missing, /missing\.db does not exist$/],
      [tmp.dir, /is a directory$/],
    ];
    for (const [f, message] of cases) {
      await assert.rejects(importZwibserveDatabase(f, target), (err: Error) => {
        assert.ok(err instanceof ImportError, err.message);
        assert.ok(err.message.startsWith(f), err.message);
        assert.match(err.message, message);
        return true;
      });
      assert.throws(() => inspectZwibserveDatabase(f), ImportError);
    }
    assert.equal(fs.existsSync(missing), false, 'a missing source is not created');
  });

  test('a table without one of the reference columns is named in the error', async () => {
    const f = file('odd.db');
    const db = new Database(f);
    db.exec(ZWIBSERVE_DOCS);
    db.exec('CREATE TABLE ZwibblerKeys (docID TEXT, name TEXT, value TEXT)');
    db.close();
    await assert.rejects(importZwibserveDatabase(f, new MemoryStore()), {
      name: 'ImportError',
      message: `${f} is not a zwibserve database: table ZwibblerKeys has no column version`,
    });
  });

  test('a database from before keys and tokens existed imports its documents, with a note', async () => {
    const f = file('2020.db');
    const db = new Database(f);
    db.exec(ZWIBSERVE_DOCS);
    db.prepare('INSERT INTO ZwibblerDocs VALUES (?, ?, ?)').run('old', nowSec, BOARD);
    db.close();
    assert.deepEqual(inspectZwibserveDatabase(f), {
      documents: 1,
      keys: 0,
      tokens: 0,
      missingTables: ['ZwibblerKeys', 'ZwibblerTokens'],
    });
    const store = new MemoryStore();
    const report = await importZwibserveDatabase(f, store);
    assert.deepEqual([report.documents, report.keys, report.tokens], [1, 0, 0]);
    assert.equal(report.notes.length, 2);
    assert.match(report.notes[0]!, /no ZwibblerKeys table/);
    assert.deepEqual(await bytesOf(store, 'old'), BOARD);
  });

  test('rows Lanboard cannot serve are skipped with a reason, the rest imported', async () => {
    const f = file('odd-rows.db');
    const db = new Database(f);
    db.pragma('foreign_keys = OFF'); // as a file edited by hand could have it
    db.exec(ZWIBSERVE_DOCS + ZWIBSERVE_KEYS_AND_TOKENS);
    const doc = db.prepare('INSERT INTO ZwibblerDocs VALUES (CAST(? AS TEXT), ?, ?)');
    doc.run(Buffer.from([0x64, 0xff]), nowSec, Buffer.from('x'));
    doc.run(Buffer.from('fine'), nowSec, Buffer.from('ok'));
    const key = db.prepare('INSERT INTO ZwibblerKeys VALUES (?, ?, ?, ?)');
    key.run('fine', 'big', 'v', 2 ** 32);
    key.run('fine', 'neg', 'v', -1);
    key.run('fine', 'frac', 'v', 1.5);
    key.run('fine', 'good', null, 0);
    key.run('gone', 'orphan', 'v', 1);
    const token = db.prepare('INSERT INTO ZwibblerTokens VALUES (?, ?, ?, ?, ?)');
    token.run('tok-no-expiry', 'fine', 'u', 'rw', null);
    token.run('tok-no-doc-id', null, 'u', 'rw', nowSec + HOUR);
    token.run('tok-null-user', 'fine', null, null, nowSec + HOUR);
    db.close();

    const store = new MemoryStore();
    const report = await importZwibserveDatabase(f, store);
    assert.deepEqual([report.documents, report.keys, report.tokens], [1, 1, 1]);
    const view = report.skipped.map((s) => `${s.kind} ${s.id}${s.name ? `/${s.name}` : ''}`);
    assert.deepEqual(view, [
      'document d\ufffd',
      'key fine/big',
      'key fine/neg',
      'key fine/frac',
      'key gone/orphan',
      'token tok-no-expiry',
      'token tok-no-doc-id',
    ]);
    const reason = (i: number) => report.skipped[i]!.reason;
    assert.match(reason(0), /not valid UTF-8/);
    assert.match(reason(1), /4294967296 does not fit/);
    assert.match(reason(2), /-1 does not fit/);
    assert.match(reason(3), /1\.5 is not a whole number/);
    assert.match(reason(4), /document is not in the zwibserve database/);
    assert.match(reason(5), /expiration null is not a number/);
    assert.match(reason(6), /documentId is missing/);
    assert.deepEqual(keysView(await store.getDocumentKeys('fine')), [
      { name: Buffer.from('good').toString('hex'), value: '', version: 0 },
    ]);
    assert.deepEqual(await store.getToken('tok-null-user', Date.now()), {
      token: 'tok-null-user',
      documentId: 'fine',
      userId: '',
      permissions: '',
      expiresAt: (nowSec + HOUR) * 1000,
    });
  });

  test('a UTF-16 database: text columns come through as their UTF-8 bytes', async () => {
    const f = file('utf16.db');
    const db = new Database(f);
    db.pragma("encoding = 'UTF-16le'");
    db.exec(ZWIBSERVE_DOCS + ZWIBSERVE_KEYS_AND_TOKENS);
    db.prepare('INSERT INTO ZwibblerDocs VALUES (?, ?, ?)').run('doc é', nowSec, BOARD);
    db.prepare('INSERT INTO ZwibblerKeys VALUES (?, ?, ?, ?)').run('doc é', 'clé', 'valeur ½', 4);
    db.close();
    const store = new MemoryStore();
    const report = await importZwibserveDatabase(f, store);
    assert.deepEqual([report.documents, report.keys, report.skipped], [1, 1, []]);
    assert.deepEqual(await bytesOf(store, 'doc é'), BOARD);
    assert.deepEqual(keysView(await store.getDocumentKeys('doc é')), [
      {
        name: Buffer.from('clé').toString('hex'),
        value: Buffer.from('valeur ½').toString('hex'),
        version: 4,
      },
    ]);
  });
});

/** An empty data folder, so that no lanboard.conf of this machine is read. */
function dataDir(): string {
  const dir = file('data');
  fs.mkdirSync(dir);
  return dir;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('lanboard import (the CLI)', () => {
  test('prints one summary line and exits 0; --verbose lists the skipped, tokens redacted', async () => {
    const source = buildReferenceDb();
    const target = file('target.db');
    const first = await runCli(['import', source, '--db', target, '--data-dir', dataDir()]);
    assert.equal(first.stderr, '');
    assert.equal(first.code, 0);
    assert.equal(
      first.stdout,
      `lanboard: imported 5 documents, 2 keys, 3 tokens from ${source} into ${target}; skipped 1 (run with --verbose to list)\n`,
    );
    const store = new SqliteStore(target);
    assert.deepEqual(await bytesOf(store, 'board'), BOARD);
    await store.close();

    const again = await runCli([
      'import',
      source,
      '--db',
      target,
      '--data-dir',
      dataDir(),
      '--verbose',
    ]);
    assert.equal(again.code, 0);
    const lines = again.stdout.trimEnd().split('\n');
    assert.equal(
      lines[0],
      `lanboard: imported 0 documents, 0 keys, 0 tokens from ${source} into ${target}; skipped 9:`,
    );
    assert.equal(lines.length, 10);
    assert.ok(
      lines.includes(
        '  document "board": ' +
          'already in the target with the same contents (imported before); left as it is',
      ),
    );
    assert.ok(lines.some((l) => l.startsWith('  token tok-…: expired at ')));
    for (const t of Object.values(TOKENS)) {
      assert.ok(!again.stdout.includes(t.token), `token ${t.token} is not printed`);
    }
  });

  for (const kind of SQL_SERVERS) {
    test(
      `into Database=${kind.database} (a real server): a hub on it serves the token, document and keys; again, nothing new`,
      { skip: kind.unavailable() },
      async () => {
        const server = await kind.start();
        try {
          const source = buildReferenceDb();
          const env = { ...sqlEnv(kind, server), LANBOARD_DATA_DIR: dataDir() };
          const where = `${kind.name} database "lanboard_test" at ${server.settings.DbServer}`;
          const first = await runCli(['import', source], env);
          assert.equal(first.stderr, '');
          assert.equal(first.code, 0);
          assert.equal(
            first.stdout,
            `lanboard: imported 5 documents, 2 keys, 3 tokens from ${source} into ${where}; skipped 1 (run with --verbose to list)\n`,
          );
          const hub = await spawnHub([], env);
          try {
            const c = await join(`${hub.wsUrl}/socket`, TOKENS.valid.token);
            assert.deepEqual((c.messages[0] as { data: Uint8Array }).data, BOARD);
            assert.deepEqual(
              keysView((await c.nextOf('key-information')).keys),
              keysView(BOARD_KEYS),
            );
          } finally {
            await Promise.all(clients.splice(0).map((c) => c.close()));
            await hub.stop();
          }
          const again = await runCli(['import', source], env);
          assert.equal(again.code, 0);
          assert.equal(
            again.stdout,
            `lanboard: imported 0 documents, 0 keys, 0 tokens from ${source} into ${where}; skipped 9 (run with --verbose to list)\n`,
          );
        } finally {
          await server.stop();
        }
      },
    );
  }

  test('with --data-dir only, it fills the database `lanboard serve` uses with the same flag', async () => {
    const source = buildReferenceDb();
    const dir = dataDir();
    const result = await runCli(['import', source, '--data-dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    const target = path.join(dir, 'lanboard.db');
    assert.match(result.stdout, new RegExp(`into ${escape(target)}; skipped 1 `));
    const hub = await spawnHub(['--data-dir', dir]);
    try {
      const c = await join(`${hub.wsUrl}/socket`, TOKENS.valid.token);
      assert.deepEqual(c.messages[0]!.type === 'append' && c.messages[0]!.data, BOARD);
      assert.deepEqual(keysView((await c.nextOf('key-information')).keys), keysView(BOARD_KEYS));
    } finally {
      await hub.stop();
    }
  });

  test('a config file (zwibbler.conf style) chooses the target as it does for serve', async () => {
    const source = buildReferenceDb();
    const target = file('from-conf.db');
    const conf = file('zwibbler.conf');
    fs.writeFileSync(conf, `ServerPort=3000\nDatabase=sqlite\nDbFile=${target}\n`);
    const result = await runCli(['import', source, '--config', conf]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^lanboard: imported 5 documents.* into ${escape(target)};`),
    );
    assert.ok(fs.existsSync(target));
  });

  for (const [name, args, message] of [
    [
      'a missing file',
      (d: string) => ['import', path.join(d, 'nope.db')],
      /nope\.db does not exist$/,
    ],
    [
      'a file that is not a zwibserve database',
      (d: string) => {
        const f = path.join(d, 'plain.db');
        const db = new Database(f);
        db.exec('CREATE TABLE t (x)');
        db.close();
        return ['import', f];
      },
      /plain\.db is not a zwibserve database: no ZwibblerDocs table$/,
    ],
    [
      '--db memory',
      () => ['import', buildReferenceDb(), '--db', 'memory'],
      /^lanboard: cannot import into Database=memory \(from --db\)/,
    ],
    [
      'Database=memory from the environment',
      () => ['import', buildReferenceDb()],
      /cannot import into Database=memory \(from LANBOARD_DATABASE\)/,
    ],
    [
      'the zwibserve file itself as the target',
      () => {
        const f = buildReferenceDb();
        return ['import', f, '--db', f];
      },
      /is the zwibserve database itself/,
    ],
  ] as const) {
    test(`${name}: exit 2 with one line, and no target database created`, async () => {
      const dir = dataDir();
      const env: Record<string, string> = name.includes('environment')
        ? { LANBOARD_DATABASE: 'memory' }
        : {};
      const result = await runCli([...args(dir), '--data-dir', dir], env);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^lanboard: [^\n]*\n$/, result.stderr);
      assert.match(result.stderr.trimEnd(), message);
      assert.equal(fs.existsSync(path.join(dir, 'lanboard.db')), false);
    });
  }

  test('a missing file argument is a usage error (exit 2)', async () => {
    const result = await runCli(['import', '--data-dir', dataDir()]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^lanboard: import needs the zwibbler.db file to read\n/);
  });
});
