// Upgrades never lose a database (docs/development.md#upgrade-fixtures):
// every fixture under fixtures/ (a database an earlier schema's code wrote,
// see scripts/upgrade-fixture.ts) is opened by today's code, migrated (with
// its backup first, when it is older), and served through real clients: the
// Zwibbler document through its stored token with its key, the Yjs room, the
// class to its teacher and student with the strokes on its board, and the
// workspace through its invite and PIN.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/sqlite-migrations';
import { me, openBoard, shapesBecome, TEST_ADMIN_TOKEN } from './class-client';
import { startHub, tempDir } from './hub-fixture';
import type { TestHub } from './hub-fixture';
import type { UpgradeFixture } from './upgrade-fixture';
import { attendWorkspace, WorkspaceClient } from './workspaces-client';
import { openProvider } from './yjs-client';
import type { TestProvider } from './yjs-client';
import { ZwibblerClient } from './zwibbler-client';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const dir = tempDir('lanboard-upgrade-');
const providers: TestProvider[] = [];
after(async () => {
  for (const p of providers) p.destroy();
  await WorkspaceClient.closeAll();
  dir.remove();
});

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((name) => /^schema-\d+$/.test(name))
  .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));

test('there is a fixture of the current schema', () => {
  assert.ok(
    fixtures.includes(`schema-${MIGRATIONS.length}`),
    `a schema change adds its fixture: npm run upgrade-fixture (have ${fixtures.join(', ')})`,
  );
});

for (const name of fixtures) {
  describe(`a database of ${name}`, () => {
    const fixture = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, name, 'fixture.json'), 'utf8'),
    ) as UpgradeFixture;
    let t: TestHub | undefined;
    after(() => t?.stop());
    const dbFile = path.join(dir.dir, name, 'lanboard.db');

    test('opens with today’s code and is migrated to the current schema', async () => {
      fs.mkdirSync(path.dirname(dbFile));
      fs.copyFileSync(path.join(FIXTURES, name, 'lanboard.db'), dbFile);
      t = await startHub({
        Database: 'sqlite',
        DataDir: path.dirname(dbFile),
        DbFile: dbFile,
        AdminToken: TEST_ADMIN_TOKEN,
        // The fixture's last uses are as old as the fixture: nothing may expire for being old.
        Expiration: 'never',
        WorkspaceExpiration: 'never',
        BackupIntervalSeconds: 0,
      });
      const db = new Database(dbFile, { readonly: true });
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      db.close();
      const backups = fs.existsSync(path.join(dir.dir, name, 'backups'))
        ? fs.readdirSync(path.join(dir.dir, name, 'backups'))
        : [];
      if (fixture.schema < MIGRATIONS.length) {
        assert.equal(backups.length, 1, 'backed up before the migration');
        assert.match(backups[0]!, new RegExp(`-before-schema-${MIGRATIONS.length}\\.db$`));
      } else assert.deepEqual(backups, []);
    });

    test('serves the Zwibbler document and its key through the stored token', async () => {
      const z = await ZwibblerClient.join(`${t!.wsUrl}/socket`, { docId: fixture.zwibbler.token });
      const load = z.messages[0]!;
      assert.equal(load.type, 'append');
      assert.equal(
        Buffer.from((load as { data: Uint8Array }).data).toString(),
        fixture.zwibbler.contents,
      );
      const keys = await z.nextOf('key-information');
      const key = keys.keys.find(
        (k) => Buffer.from(k.name).toString() === fixture.zwibbler.key.name,
      );
      assert.ok(key, 'the document key is there');
      assert.equal(Buffer.from(key.value).toString(), fixture.zwibbler.key.value);
      assert.equal(key.version, fixture.zwibbler.key.version);
      // And it takes a write.
      z.append(fixture.zwibbler.contents.length, ' and after the upgrade');
      assert.equal((await z.nextOf('ack-nack')).status, 1);
      await z.close();
    });

    test('serves the Yjs room', async () => {
      const p = openProvider(t!.wsUrl, fixture.yjs.room);
      providers.push(p);
      await p.synced();
      assert.equal(p.doc.getText('t').toString(), fixture.yjs.text);
    });

    test('serves the class to its teacher and student, with the strokes on its board', async () => {
      const teacher = await me(t!.httpUrl, fixture.class.code, fixture.class.teacherToken);
      assert.equal(teacher.status, 200);
      assert.equal(teacher.state.title, fixture.class.title);
      assert.equal(teacher.state.member.role, 'teacher');
      const student = await me(t!.httpUrl, fixture.class.code, fixture.class.student.token);
      assert.equal(student.status, 200);
      assert.equal(student.state.member.name, fixture.class.student.name);
      assert.equal(student.state.member.role, 'student');
      assert.equal(student.state.canEdit, true);

      const board = openBoard(t!.wsUrl, fixture.class.code, fixture.class.student.token);
      providers.push(board);
      await board.synced();
      await shapesBecome(board.doc, fixture.class.shapes);
    });

    test('serves the workspace through its invite and PIN', async () => {
      const { reply } = await attendWorkspace(
        t!.httpUrl,
        fixture.workspace.invite,
        fixture.workspace.pin,
      );
      assert.equal(reply.workspace.id, fixture.workspace.id);
      assert.equal(reply.workspace.name, fixture.workspace.name);
      assert.equal(reply.workspace.owner, fixture.workspace.owner);
    });
  });
}
