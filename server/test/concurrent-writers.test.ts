// Two processes writing one SQLite file: `lanboard import` into the file a
// running hub writes to, while a Zwibbler client appends through the hub.
// Every write transaction takes the write lock first (BEGIN IMMEDIATE), so
// each side waits for the other up to the busy timeout instead of failing at
// once with SQLITE_BUSY (docs/operating.md#durability-and-backups).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { killAllHubs, runCli, spawnHub } from './child-hub';
import { tempDir } from './hub-fixture';
import { ZwibblerClient } from './zwibbler-client';

const dir = tempDir('lanboard-writers-');
const clients: ZwibblerClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllHubs();
  dir.remove();
});

const DOCUMENTS = 3000;

/** A zwibserve database (the reference's schema) of `DOCUMENTS` documents, each with a key and a token. */
function zwibserveDb(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE ZwibblerDocs (docid TEXT PRIMARY KEY, lastAccess INTEGER, data BLOB);
    CREATE TABLE ZwibblerKeys (docID TEXT, name TEXT, value TEXT, version NUMBER,
      UNIQUE(docID, name));
    CREATE TABLE ZwibblerTokens (tokenID TEXT UNIQUE, docID TEXT, userID TEXT,
      permissions TEXT, expiration INTEGER);`);
  const doc = db.prepare('INSERT INTO ZwibblerDocs VALUES (?, 0, ?)');
  const key = db.prepare("INSERT INTO ZwibblerKeys VALUES (?, 'title', ?, 1)");
  const token = db.prepare("INSERT INTO ZwibblerTokens VALUES (?, ?, 'u', 'rw', ?)");
  const expiration = Math.floor(Date.now() / 1000) + 3600;
  db.transaction(() => {
    for (let i = 0; i < DOCUMENTS; i++) {
      doc.run(`imported-${i}`, Buffer.alloc(200, i % 256));
      key.run(`imported-${i}`, `board ${i}`);
      token.run(`token-${i}`, `imported-${i}`, expiration);
    }
  })();
  db.close();
}

test("lanboard import into a running hub's file completes while a client appends, and the client sees no error", async () => {
  const dbFile = path.join(dir.dir, 'hub.db');
  const source = path.join(dir.dir, 'zwibbler.db');
  zwibserveDb(source);
  const hub = await spawnHub(['--db', dbFile, '--data-dir', dir.dir]);
  const client = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: 'live' });
  clients.push(client);

  // Appends with a few always in flight, until the import is over.
  let end = 0;
  let acked = 0;
  let sent = 0;
  let importing = true;
  const unexpected: unknown[] = [];
  const send = () => {
    const data = Buffer.alloc(1 + ((sent * 97) % 2000), sent % 256);
    client.append(end, data);
    end += data.length;
    sent++;
  };
  let seen = client.messages.length; // past the initial load
  // Registered after the client's own listener, so messages are decoded by now.
  client.ws.on('message', () => {
    for (; seen < client.messages.length; seen++) {
      const m = client.messages[seen]!;
      if (m.type === 'ack-nack' && m.status === 1) acked++;
      else unexpected.push(m);
    }
    if (importing && sent - acked < 4) send();
  });
  for (let i = 0; i < 4; i++) send();

  const result = await runCli(
    ['import', source, '--db', dbFile, '--data-dir', dir.dir],
    {},
    {
      timeoutMs: 120_000,
    },
  );
  importing = false;
  await new Promise((r) => setTimeout(r, 500)); // the last acks
  assert.equal(result.code, 0, `import failed: ${result.stderr}`);
  assert.match(result.stdout, new RegExp(`imported ${DOCUMENTS} documents`));
  assert.deepEqual(unexpected, [], 'the client got only acks');
  assert.equal(acked, sent, 'every append was acknowledged');
  assert.ok(acked > 20, `the hub wrote while the import ran (${acked} appends)`);
  assert.equal(client.ws.readyState, client.ws.OPEN, 'the client is still connected');

  // And the hub serves what was imported.
  const reader = await ZwibblerClient.join(`${hub.wsUrl}/socket`, {
    docId: `imported-${DOCUMENTS - 1}`,
    creationMode: 1,
  });
  clients.push(reader);
  const load = reader.messages[0]!;
  assert.equal(load.type, 'append');
  assert.equal((load as { data: Uint8Array }).data.length, 200);
});
