// Write faults are loud for classes (docs/operating.md#when-a-write-fails):
// when the hub's SQLite file cannot take a new member (really full: see
// test/full-disk.ts), the join answers 503 with Retry-After and the reason,
// no member is made, /healthz answers 503 with it, the class still reads,
// and once the file has room again joins succeed and /healthz is ok. On a
// read-only file (PRAGMA query_only) the same, members still read their class,
// and once it is writable the fault clears by itself (the background probe).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ClassDetail } from '../admin/api-types';
import { adminCall } from '../test/admin-client';
import {
  createClass,
  joinClass,
  joinRequest,
  me,
  teacherDoes,
  TEST_ADMIN_TOKEN,
} from '../test/class-client';
import { FillableClassStore, watchFaults } from '../test/full-disk';
import { startHub, tempDir } from '../test/hub-fixture';

const dir = tempDir('lanboard-classes-full-');
after(() => dir.remove());

interface Health {
  status: string;
  failedWrites?: { what: string; reason: string }[];
}

test('a join the class store cannot take answers 503 with the reason, makes no member, and /healthz says so until a join is stored', async () => {
  const file = path.join(dir.dir, 'hub.db');
  const store = new FillableClassStore(file);
  const hub = await startHub(
    {
      Database: 'sqlite',
      DbFile: file,
      AdminToken: TEST_ADMIN_TOKEN,
      ClassMaxMembers: 10_000,
      ClassCodeAttemptsPerMinute: 1_000_000,
    },
    { classStore: store },
  );
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const detail = await createClass(hub.httpUrl);
    await joinClass(hub.httpUrl, detail.code, 'Ada');
    assert.equal((await health()).status, 200);

    // Joins until one needs a page the file may not grow by.
    store.fill();
    let refused: Response | undefined;
    let joined = 0;
    for (let i = 0; i < 2000 && !refused; i++) {
      const res = await joinRequest(hub.httpUrl, detail.code, { name: `Student ${i}` });
      if (res.status === 201) joined++;
      else refused = res;
    }
    assert.ok(refused, 'a join was refused');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '10');
    const body = (await refused.json()) as { error: string };
    assert.match(body.error, /^the hub cannot use its storage now: .*full/);

    const failing = await health();
    assert.equal(failing.status, 503);
    assert.deepEqual(
      failing.body.failedWrites?.map((f) => f.what),
      ['classes'],
    );
    assert.match(failing.body.failedWrites?.[0]?.reason ?? '', /full/);
    // The class still reads, and holds exactly the members whose joins were answered 201.
    const read = await teacherDoes<ClassDetail>(hub.httpUrl, `classes/${detail.code}`, 'GET');
    assert.equal(read.members.length, 2 + joined, 'the teacher, Ada and the joins that succeeded');

    store.empty();
    await joinClass(hub.httpUrl, detail.code, 'Cy');
    const healthy = await health();
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.failedWrites, undefined);
  } finally {
    await hub.stop();
  }
});

test('on a read-only file: a join answers 503 saying why, members still read their class, and the fault clears by itself once writable', async () => {
  const file = path.join(dir.dir, 'read-only.db');
  const store = new FillableClassStore(file);
  const hub = await startHub(
    { Database: 'sqlite', DbFile: file, AdminToken: TEST_ADMIN_TOKEN },
    { classStore: store },
  );
  const faults = watchFaults(hub.httpUrl, TEST_ADMIN_TOKEN);
  try {
    const health = () => adminCall<Health>(hub.httpUrl, '/healthz');
    const detail = await createClass(hub.httpUrl);
    const ada = await joinClass(hub.httpUrl, detail.code, 'Ada');

    store.readOnly();
    const refused = await joinRequest(hub.httpUrl, detail.code, { name: 'Bo' });
    assert.equal(refused.status, 503);
    const body = (await refused.json()) as { error: string };
    assert.match(body.error, /^the hub cannot use its storage now: .*readonly/);
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.failedWrites?.[0]?.what, 'classes');

    // Reads are served: the student's page and the teacher's dashboard.
    const mine = await me(hub.httpUrl, detail.code, ada.token);
    assert.equal(mine.status, 200);
    assert.equal(mine.state.member.id, ada.member.id);
    const read = await teacherDoes<ClassDetail>(hub.httpUrl, `classes/${detail.code}`, 'GET');
    assert.deepEqual(
      read.members.map((m) => m.name),
      ['Teacher', 'Ada'],
      'the refused join made no member',
    );

    // Writable again, and nobody writes: the probe clears the fault everywhere.
    store.writable();
    await faults.cleared();
    assert.equal((await health()).status, 200);
    await joinClass(hub.httpUrl, detail.code, 'Bo');
  } finally {
    faults.close();
    await hub.stop();
  }
});
