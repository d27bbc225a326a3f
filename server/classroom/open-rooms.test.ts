// ClassOpenRooms=0 on a real hub (docs/protocols/classroom.md#open-rooms): the
// board's address of a plain room answers 404 with the page saying why, and
// the Yjs endpoint refuses a plain room to the hub's own pages (4403) while a
// program (no Origin) and another LAN site's page keep theirs. Class boards
// work as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClassDetail } from '../admin/api-types';
import { ensureBoardBuilt } from '../test/board-page';
import { createClass, TEST_ADMIN_TOKEN, teacherTokenOf } from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { RawYjsClient } from '../test/yjs-client';
import { OPEN_ROOMS_META } from './api-types';

describe('open rooms off', () => {
  let t: TestHub;
  let detail: ClassDetail;
  const sockets: RawYjsClient[] = [];
  /** The hub's own origin, as the board page it served would send it. */
  const own = () => new URL(t.httpUrl).origin;
  const yjs = async (room: string, origin?: string, token?: string) => {
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    const raw = await RawYjsClient.open(`${t.wsUrl}/yjs/${room}${query}`, [], origin);
    sockets.push(raw);
    return raw;
  };

  before(async () => {
    ensureBoardBuilt();
    t = await startHub({ AdminToken: TEST_ADMIN_TOKEN, ClassOpenRooms: false });
    detail = await createClass(t.httpUrl, 'Maths 7B');
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.stop();
  });

  test('/board/<plain room> answers 404 with the page, which is told open rooms are off', async () => {
    const res = await fetch(new URL('/board/maths-room', t.httpUrl));
    assert.equal(res.status, 404);
    const page = await res.text();
    assert.ok(page.includes(`<meta name="${OPEN_ROOMS_META}" content="off" />`));
    // A class code in any form, and the join page itself, are still served.
    for (const path of [`/board/${detail.code}`, `/board/${detail.code.toLowerCase()}`, '/']) {
      assert.equal((await fetch(new URL(path, t.httpUrl))).status, 200, path);
    }
  });

  test("the hub's own pages are refused a plain room on the Yjs endpoint: 4403 with the reason", async () => {
    const raw = await yjs('maths-room', own());
    const closed = await raw.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /class boards only/);
  });

  test('a program (no Origin) and another LAN site keep their plain rooms', async () => {
    for (const origin of [undefined, 'http://192.168.1.50:8080']) {
      const raw = await yjs('third-party-room', origin);
      const hello = await raw.nextOf('sync-step1');
      assert.ok(hello.stateVector instanceof Uint8Array, `${origin ?? 'no Origin'}`);
    }
  });

  test("a class board still opens from the hub's own page", async () => {
    const raw = await yjs(detail.code, own(), teacherTokenOf(detail));
    await raw.nextOf('sync-step1');
  });
});
