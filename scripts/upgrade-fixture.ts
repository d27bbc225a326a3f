// `npm run upgrade-fixture`: writes the upgrade fixture of the current schema
// (docs/development.md#upgrade-fixtures): a real hub of today's code on a
// fresh SQLite file, filled through real clients with a Zwibbler document
// (its contents, a document key and a stored token), a Yjs room, a class
// with a teacher, a student and strokes on its board, and a workspace with a
// PIN. The database goes to server/test/fixtures/schema-<n>/lanboard.db
// (compacted by VACUUM INTO), with fixture.json saying what a later hub must
// serve from it and the credentials to ask with. server/test/upgrade.test.ts
// opens every fixture there with the current code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubVersion } from '../server/config/version';
import { writeBackup } from '../server/store/sqlite-backups';
import { MIGRATIONS } from '../server/store/sqlite-migrations';
import {
  createClass,
  draw,
  joinClass,
  openBoard,
  shapesBecome,
  teacherTokenOf,
  TEST_ADMIN_TOKEN,
} from '../server/test/class-client';
import { startHub, tempDir } from '../server/test/hub-fixture';
import { manage } from '../server/test/manage';
import { waitFor } from '../server/test/sse-client';
import { createWorkspace, WorkspaceClient } from '../server/test/workspaces-client';
import { openProvider } from '../server/test/yjs-client';
import { setKeyMessage, ZwibblerClient } from '../server/test/zwibbler-client';
import type { UpgradeFixture } from '../server/test/upgrade-fixture';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const schema = MIGRATIONS.length;
const out = path.join(ROOT, 'server', 'test', 'fixtures', `schema-${schema}`);
const work = tempDir('lanboard-fixture-');
const db = path.join(work.dir, 'lanboard.db');

const t = await startHub({
  Database: 'sqlite',
  DataDir: work.dir,
  DbFile: db,
  AdminToken: TEST_ADMIN_TOKEN,
  SecretUser: 'admin',
  SecretPassword: 'secret',
  BackupIntervalSeconds: 0,
});
try {
  // Zwibbler: created, a stored token, an append through it and a document key.
  const zwibbler = {
    document: 'fixture-board',
    token: 'fixture-token-rw',
    contents: `created by the management API; appended through a token;`,
    key: { name: 'title', value: 'Fractions', version: 1 },
  };
  const created = 'created by the management API; ';
  await manage(t.httpUrl, {
    method: 'createDocument',
    documentID: zwibbler.document,
    contents: created,
  });
  await manage(t.httpUrl, {
    method: 'addToken',
    token: zwibbler.token,
    documentID: zwibbler.document,
    userID: 'fixture-teacher',
    permissions: 'rw',
    expiration: 'Fri, 01 Jan 2100 00:00:00 GMT',
  });
  const z = await ZwibblerClient.join(`${t.wsUrl}/socket`, { docId: zwibbler.token });
  z.append(created.length, zwibbler.contents.slice(created.length));
  assert.equal((await z.nextOf('ack-nack')).status, 1);
  z.send(setKeyMessage({ ...zwibbler.key, lifetime: 1, newVersion: zwibbler.key.version }));
  assert.equal((await z.nextOf('set-key-ack-nack')).accepted, true);
  await z.close();

  // A Yjs room.
  const yjs = { room: 'fixture-room', text: `written by schema ${schema}` };
  const writer = openProvider(t.wsUrl, yjs.room);
  await writer.synced();
  writer.doc.getText('t').insert(0, yjs.text);
  const reader = openProvider(t.wsUrl, yjs.room);
  await waitFor(() => reader.doc.getText('t').toString() === yjs.text, 10_000, 'the room');

  // A class: its teacher, a student, and a stroke by each on the board.
  const detail = await createClass(t.httpUrl, 'Fixture class');
  const teacherToken = teacherTokenOf(detail);
  const student = await joinClass(t.httpUrl, detail.code, 'Ada');
  const teacherBoard = openBoard(t.wsUrl, detail.code, teacherToken);
  const studentBoard = openBoard(t.wsUrl, detail.code, student.token);
  await Promise.all([teacherBoard.synced(), studentBoard.synced()]);
  draw(teacherBoard.doc, 'teacher-stroke');
  draw(studentBoard.doc, 'student-stroke', [4, 5, 0.5]);
  const shapes = ['student-stroke', 'teacher-stroke'];
  await shapesBecome(teacherBoard.doc, shapes);
  await shapesBecome(studentBoard.doc, shapes);

  // A workspace with a PIN; its invite never expires.
  const ws = await createWorkspace(t.httpUrl, { name: 'Fixture lab', pin: '4242' });

  for (const p of [writer, reader, teacherBoard, studentBoard]) p.destroy();
  await WorkspaceClient.closeAll();
  await t.stop();

  const fixture: UpgradeFixture = {
    schema,
    writtenBy: `lanboard ${hubVersion()}`,
    zwibbler,
    yjs,
    class: {
      code: detail.code,
      title: detail.title,
      teacherToken,
      student: { name: 'Ada', token: student.token },
      shapes,
    },
    workspace: {
      id: ws.created.workspace.id,
      name: 'Fixture lab',
      owner: ws.created.workspace.owner,
      invite: ws.created.workspace.token,
      pin: '4242',
    },
  };
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await writeBackup(db, path.join(out, 'lanboard.db'));
  fs.writeFileSync(path.join(out, 'fixture.json'), `${JSON.stringify(fixture, null, 2)}\n`);
  const size = fs.statSync(path.join(out, 'lanboard.db')).size;
  process.stdout.write(
    `wrote ${path.relative(ROOT, out)}: lanboard.db (${size} bytes), fixture.json\n`,
  );
} finally {
  await t.stop();
  work.remove();
}
