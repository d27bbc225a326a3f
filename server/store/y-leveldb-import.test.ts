// `lanboard import --from y-leveldb`: folders written by the real y-leveldb
// package (as y-websocket's YPERSISTENCE writes them, its own compaction
// included) are imported by the real CLI into a SQLite file, and a real hub on
// that file serves each room to a real y-websocket provider.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { ClassicLevel } from 'classic-level';
import { LeveldbPersistence } from 'y-leveldb';
import * as Y from 'yjs';
import { killAllHubs, runCli, spawnHub } from '../test/child-hub';
import type { ChildHub } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';
import { SQL_SERVERS, sqlEnv } from '../test/sql-servers';
import type { SqlServer } from '../test/sql-servers';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';

const tmp = tempDir('lanboard-yleveldb-');
const providers: TestProvider[] = [];
after(async () => {
  for (const p of providers.splice(0)) p.destroy();
  await killAllHubs();
  tmp.remove();
});

let counter = 0;
const fresh = (name: string) => path.join(tmp.dir, `${++counter}-${name}`);

/** What a document holds, in a form assert can compare. */
const contents = (doc: Y.Doc) => ({
  text: doc.getText('text').toString(),
  map: doc.getMap('map').toJSON(),
  list: doc.getArray('list').toJSON(),
});

/**
 * Writes documents into a y-leveldb folder the way y-websocket does: every
 * update of every client is stored as it happens. Returns each document's
 * content as its clients see it.
 */
async function writeYLeveldb(
  folder: string,
  docs: Record<string, (clients: Y.Doc[]) => void>,
  afterWrite?: (p: LeveldbPersistence) => Promise<void>,
): Promise<Record<string, ReturnType<typeof contents>>> {
  const persistence = new LeveldbPersistence(folder);
  const expected: Record<string, ReturnType<typeof contents>> = {};
  for (const [name, edit] of Object.entries(docs)) {
    const clients = [new Y.Doc(), new Y.Doc()];
    const stored: Promise<number>[] = [];
    // Each client's updates reach the other and the store, as through a server.
    for (const [i, c] of clients.entries()) {
      c.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === 'peer') return;
        stored.push(persistence.storeUpdate(name, update));
        Y.applyUpdate(clients[1 - i]!, update, 'peer');
      });
    }
    edit(clients);
    await Promise.all(stored);
    expected[name] = contents(clients[0]!);
    assert.deepEqual(contents(clients[1]!), expected[name]);
  }
  await afterWrite?.(persistence);
  await persistence.destroy();
  return expected;
}

/** Update keys per document in the folder, read with classic-level. */
async function updateKeys(folder: string): Promise<number> {
  const db = new ClassicLevel<Buffer, Buffer>(folder, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  let n = 0;
  for await (const key of db.keys()) if (key.includes(Buffer.from('\x00\x06update'))) n++;
  await db.close();
  return n;
}

const LESSON = 'lesson-4';
const ENCODED = 'my%20room/%C3%A4';
const SMALL_EDITS = 40;
const MANY_EDITS = 700; // past y-leveldb's 500 updates, after which loading compacts

const DOCS: Record<string, (clients: Y.Doc[]) => void> = {
  [LESSON]: ([a, b]) => {
    for (let i = 0; i < MANY_EDITS; i++) {
      const who = i % 2 === 0 ? a! : b!;
      who.getText('text').insert(0, String(i % 10));
      if (i % 7 === 0) who.getMap('map').set(`k${i % 5}`, i);
    }
    a!.getText('text').delete(0, 100);
  },
  [ENCODED]: ([a, b]) => {
    for (let i = 0; i < SMALL_EDITS; i++) (i % 2 ? a! : b!).getArray('list').push([{ stroke: i }]);
    b!.getArray('list').delete(3, 5);
  },
  notes: ([a]) => {
    a!.getText('text').insert(0, 'Homework: page 12 ✓');
    a!.getMap('map').set('title', 'Notes');
  },
};

/** Opens the room through a real y-websocket provider and returns what it holds once synced. */
async function read(hub: ChildHub, room: string): Promise<ReturnType<typeof contents>> {
  const p = openProvider(hub.wsUrl, room);
  providers.push(p);
  await p.synced();
  const seen = contents(p.doc);
  p.destroy();
  return seen;
}

const rowCount = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM yjs_updates').pluck().get() as number;
  } finally {
    db.close();
  }
};

describe('a y-leveldb folder written by y-leveldb, imported by the CLI', () => {
  const folder = fresh('leveldb');
  const target = fresh('lanboard.db');
  let expected: Record<string, ReturnType<typeof contents>>;

  before(async () => {
    expected = await writeYLeveldb(folder, DOCS, async (p) => {
      // y-websocket loads a document with getYDoc: past 500 updates y-leveldb
      // merges them into one. Then more edits arrive after the merge.
      await p.getYDoc(LESSON);
      const late = new Y.Doc();
      late.on('update', (u: Uint8Array) => void p.storeUpdate(LESSON, u));
      for (let i = 0; i < 5; i++) late.getMap('map').set(`late${i}`, i);
      await p.storeUpdate(LESSON, new Uint8Array([0, 0])); // an empty update, as clients send
      await p.getStateVector(LESSON);
    });
    // What the late client added is part of the document.
    Object.assign(expected[LESSON]!.map, { late0: 0, late1: 1, late2: 2, late3: 3, late4: 4 });
  });

  test('y-leveldb really compacted the long document before the import', async () => {
    const keys = await updateKeys(folder);
    assert.ok(
      keys < MANY_EDITS,
      `${keys} update keys: y-leveldb should have merged the ${MANY_EDITS}`,
    );
  });

  test('every document becomes a room with the same content, read through a real provider', async () => {
    const result = await runCli(['import', '--from', 'y-leveldb', folder, '--db', target]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      `lanboard: imported 3 documents (3 new, 0 merged into existing rooms) from ${folder} into ${target}\n`,
    );
    assert.equal(rowCount(target), 3, 'one merged update per room');
    const hub = await spawnHub(['--db', target]);
    try {
      for (const room of Object.keys(DOCS)) {
        assert.deepEqual(await read(hub, room), expected[room], room);
      }
    } finally {
      await hub.stop();
    }
  });

  test('importing again writes nothing: every room is already up to date', async () => {
    const rows = rowCount(target);
    const result = await runCli(['import', '--from', 'y-leveldb', folder, '--db', target]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /imported 0 documents .*; 3 already up to date\n$/);
    assert.equal(rowCount(target), rows);
  });
});

for (const kind of SQL_SERVERS) {
  describe(
    `into ${kind.name} (Database=${kind.database}, a real server)`,
    { skip: kind.unavailable() },
    () => {
      const folder = fresh('leveldb');
      let server: SqlServer;
      let expected: Record<string, ReturnType<typeof contents>>;
      const env = () => ({ ...sqlEnv(kind, server), LANBOARD_DATA_DIR: fresh('data') });
      const where = () => `${kind.name} database "lanboard_test" at ${server.settings.DbServer}`;

      before(async () => {
        server = await kind.start();
        expected = await writeYLeveldb(folder, DOCS);
      });
      after(() => server?.stop());

      test('every document becomes a room a hub on that database serves; again, nothing is written', async () => {
        const result = await runCli(['import', '--from', 'y-leveldb', folder], env());
        assert.equal(result.stderr, '');
        assert.equal(result.code, 0);
        assert.equal(
          result.stdout,
          `lanboard: imported 3 documents (3 new, 0 merged into existing rooms) from ${folder} into ${where()}\n`,
        );
        assert.equal(await server.count('yjs_updates'), 3, 'one merged update per room');
        const hub = await spawnHub([], env());
        try {
          for (const room of Object.keys(DOCS)) {
            assert.deepEqual(await read(hub, room), expected[room], room);
          }
        } finally {
          await hub.stop();
        }
        const again = await runCli(['import', '--from', 'y-leveldb', folder], env());
        assert.equal(again.code, 0);
        assert.match(again.stdout, /imported 0 documents .*; 3 already up to date\n$/);
        assert.equal(await server.count('yjs_updates'), 3);
      });
    },
  );
}

describe('into a file a hub is running on', () => {
  test('rooms merge with what the hub stored; a room in use gets the import when it next loads', async () => {
    const folder = fresh('leveldb');
    const target = fresh('lanboard.db');
    const expected = await writeYLeveldb(folder, {
      notes: ([a]) => a!.getText('text').insert(0, 'from y-websocket'),
      fresh: ([a]) => a!.getMap('map').set('new', true),
      live: ([a]) => a!.getText('text').insert(0, 'imported while in use'),
    });
    const hub = await spawnHub(['--db', target]);
    try {
      // A room of the same name already has other edits on the hub.
      const earlier = openProvider(hub.wsUrl, 'notes');
      providers.push(earlier);
      await earlier.synced();
      earlier.doc.getMap('map').set('teacher', 'was here');
      await waitStored(target, 'notes');
      earlier.destroy();
      // And a class keeps drawing in a room the import also brings.
      const live = openProvider(hub.wsUrl, 'live');
      providers.push(live);
      await live.synced();
      let drawn = 0;
      const drawing = setInterval(() => live.doc.getArray('list').push([drawn++]), 5);

      const result = await runCli(['import', '--from', 'y-leveldb', folder, '--db', target]);
      clearInterval(drawing);
      assert.equal(result.stderr, '');
      assert.equal(result.code, 0);
      assert.match(result.stdout, /imported 3 documents \(1 new, 2 merged into existing rooms\)/);

      assert.deepEqual(await read(hub, 'fresh'), expected.fresh);
      const merged = { text: 'from y-websocket', map: { teacher: 'was here' }, list: [] };
      await waitFor(
        async () => JSON.stringify(await read(hub, 'notes')) === JSON.stringify(merged),
      );

      // The hub does not re-read a room it holds: its clients see the import
      // once the room has left memory and loaded again.
      assert.equal(live.doc.getText('text').toString(), '');
      const total = drawn;
      live.destroy();
      const everything = { text: 'imported while in use', map: {}, list: [...Array(total).keys()] };
      await waitFor(
        async () => JSON.stringify(await read(hub, 'live')) === JSON.stringify(everything),
      );
    } finally {
      await hub.stop();
    }
  });
});

describe('rooms Lanboard would not serve', () => {
  test('are skipped with the reason, the others imported; --verbose lists them', async () => {
    const folder = fresh('leveldb');
    const target = fresh('lanboard.db');
    const long = 'x'.repeat(1025);
    await writeYLeveldb(
      folder,
      Object.fromEntries(
        ['K7QM2P', 'a room', 'why?', long, 'fine'].map((name) => [
          name,
          ([a]: Y.Doc[]) => a!.getText('text').insert(0, name),
        ]),
      ),
    );
    const result = await runCli([
      'import',
      '--from',
      'y-leveldb',
      folder,
      '--db',
      target,
      '--verbose',
    ]);
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /imported 1 document \(1 new, 0 merged.*; skipped 4:$/);
    assert.deepEqual(lines.slice(1).sort(), [
      '  document "K7QM2P": it is named like a class code, which Lanboard keeps for class boards',
      '  document "a room": Lanboard cannot serve it: the name has characters a URL path carries only percent-encoded (a space, "?", "#", non-ASCII)',
      '  document "why?": Lanboard cannot serve it: the name has characters a URL path carries only percent-encoded (a space, "?", "#", non-ASCII)',
      `  document "${long}": Lanboard cannot serve it: the name is longer than 1024 bytes`,
    ]);
    const db = new Database(target, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT name FROM yjs_rooms').pluck().all(), ['fine']);
    } finally {
      db.close();
    }
  });

  test('a room that would pass YjsMaxRoomBytes is skipped, naming the setting', async () => {
    const folder = fresh('leveldb');
    const target = fresh('lanboard.db');
    await writeYLeveldb(folder, {
      big: ([a]) => a!.getText('text').insert(0, 'y'.repeat(100_000)),
      small: ([a]) => a!.getText('text').insert(0, 'ok'),
    });
    const result = await runCli(
      ['import', '--from', 'y-leveldb', folder, '--db', target, '--verbose'],
      { LANBOARD_YJS_MAX_ROOM_BYTES: '64KiB' },
    );
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /skipped 1:\n {2}document "big": it would take \d+ bytes, over YjsMaxRoomBytes \(65536\); raise it and import again\n$/,
    );
  });
});

describe('sources that are not y-leveldb folders: exit 2, one line, nothing written', () => {
  const cases: [string, () => Promise<string> | string, RegExp][] = [
    ['a missing folder', () => path.join(tmp.dir, 'nope'), /nope does not exist$/],
    [
      'a file',
      () => {
        const f = fresh('zwibbler.db');
        fs.writeFileSync(f, 'not a folder');
        return f;
      },
      /zwibbler\.db is a file: give y-websocket's YPERSISTENCE folder$/,
    ],
    [
      'an empty folder',
      () => {
        const d = fresh('empty');
        fs.mkdirSync(d);
        return d;
      },
      /empty is empty: give y-websocket's YPERSISTENCE folder$/,
    ],
    [
      'a folder that is not a LevelDB',
      () => {
        const d = fresh('photos');
        fs.mkdirSync(d);
        fs.writeFileSync(path.join(d, 'CURRENT'), 'holiday.jpg');
        return d;
      },
      /photos is not a LevelDB folder: no valid CURRENT file$/,
    ],
    [
      'a LevelDB of another program',
      async () => {
        const d = fresh('other-level');
        const db = new ClassicLevel(d);
        await db.put('hello', 'world');
        await db.close();
        return d;
      },
      /other-level is a LevelDB but not y-leveldb's: none of its 1 keys is a document update$/,
    ],
  ];
  for (const [name, make, message] of cases) {
    test(name, async () => {
      const source = await make();
      const listing =
        fs.existsSync(source) && fs.statSync(source).isDirectory() ? fs.readdirSync(source) : [];
      const target = fresh('lanboard.db');
      const result = await runCli(['import', '--from', 'y-leveldb', source, '--db', target]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^lanboard: [^\n]*\n$/, result.stderr);
      assert.match(result.stderr.trimEnd(), message);
      assert.equal(fs.existsSync(target), false, 'no target database created');
      if (listing.length > 0 && name !== 'a LevelDB of another program') {
        assert.deepEqual(fs.readdirSync(source), listing, 'nothing written into the folder');
      }
    });
  }

  test("a folder y-websocket still has open (LevelDB's LOCK held by another process)", async () => {
    const folder = fresh('leveldb');
    await writeYLeveldb(folder, { notes: ([a]) => a!.getText('text').insert(0, 'x') });
    const running = new ClassicLevel(folder, { createIfMissing: false });
    await running.open();
    try {
      const target = fresh('lanboard.db');
      const result = await runCli(['import', '--from', 'y-leveldb', folder, '--db', target]);
      assert.equal(result.code, 2);
      assert.equal(
        result.stderr,
        `lanboard: ${folder} is open in another program (LevelDB allows one): stop y-websocket first\n`,
      );
      assert.equal(fs.existsSync(target), false);
    } finally {
      await running.close();
    }
  });

  test('importing into Database=redis is refused before anything is read or written', async () => {
    const result = await runCli(['import', '--from', 'y-leveldb', tmp.dir], {
      LANBOARD_DATABASE: 'redis',
      LANBOARD_DATA_DIR: tmp.dir,
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'lanboard: lanboard import fills a SQLite file or a PostgreSQL or MariaDB database, not Database=redis yet: give --db <sqlite-file>\n',
    );
  });

  test('--from with an unknown kind is a usage error', async () => {
    const result = await runCli(['import', '--from', 'y-redis', tmp.dir]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^lanboard: --from must be zwibserve or y-leveldb, not "y-redis"\n/,
    );
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until the hub has stored something for the room. */
function waitStored(file: string, room: string): Promise<void> {
  return waitFor(async () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT 1 FROM yjs_updates WHERE room = ?').get(room) !== undefined;
    } finally {
      db.close();
    }
  });
}
