// Classes under the per-address limits (docs/protocols/classroom.md#limits):
// guessing codes and tokens, streams per member, and a classroom behind one
// NAT address at the defaults. Every device has a loopback address of its own.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { JoinReply } from './api-types';
import { eventually } from '../test/admin-client';
import {
  classEvents,
  createClass,
  draw,
  joinClass,
  openBoard,
  shapesBecome,
  TEST_ADMIN_TOKEN,
  teacherTokenOf,
} from '../test/class-client';
import { httpFrom, RawConnection } from '../test/from-address';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { SseClient } from '../test/sse-client';
import type { TestProvider } from '../test/yjs-client';

const ATTACKER = '127.0.0.2';
const BYSTANDER = '127.0.0.3';

const hubs: TestHub[] = [];
const streams: SseClient[] = [];
const boards: TestProvider[] = [];
const raws: RawConnection[] = [];
after(async () => {
  for (const s of streams) s.close();
  for (const b of boards) b.destroy();
  for (const r of raws) r.destroy();
  await Promise.all(hubs.map((h) => h.stop()));
});

async function hub(config: Parameters<typeof startHub>[0] = {}): Promise<TestHub> {
  const h = await startHub({ AdminToken: TEST_ADMIN_TOKEN, ...config });
  hubs.push(h);
  return h;
}

const lookUp = (h: TestHub, from: string, code: string) =>
  httpFrom(from, `${h.httpUrl}/api/classes/${code}`);

const join = (h: TestHub, from: string, code: string, name: string) =>
  httpFrom(from, `${h.httpUrl}/api/classes/${code}/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });

/** The status an event stream request gets; the stream itself is closed at once. */
function streamStatus(url: string): Promise<{ status: number; close: () => void }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) =>
        resolve({ status: res.statusCode ?? 0, close: () => res.destroy() }),
      )
      .on('error', reject);
  });
}

const me = (h: TestHub, from: string, code: string, token: string) =>
  httpFrom(from, `${h.httpUrl}/api/classes/${code}/me`, {
    headers: { Authorization: `Bearer ${token}` },
  });

describe('guessing', () => {
  test('a code that names no class costs ten attempts, a good one one: misses run out, then 429 with Retry-After; other addresses are not affected', async () => {
    const h = await hub({ ClassCodeAttemptsPerMinute: 30 });
    const { code } = await createClass(h.httpUrl);
    for (const miss of ['AAAAAA', 'BBBBBB', 'CCCCCC']) {
      assert.equal((await lookUp(h, ATTACKER, miss)).status, 404, miss);
    }
    const refused = await lookUp(h, ATTACKER, code);
    assert.equal(refused.status, 429, 'even the right code, once the budget is spent');
    assert.equal(refused.headers['retry-after'], '2', 'one attempt at 30 a minute');
    assert.match(refused.text, /too many class codes tried from this address/);
    assert.equal((await join(h, ATTACKER, code, 'Eve')).status, 429);
    const board = new WebSocket(`${h.wsUrl}/yjs/DDDDDD`, { localAddress: ATTACKER });
    const closed = await new Promise<number>((resolve) => board.on('close', resolve));
    assert.equal(closed, 1008, 'a class board of a guessed code is refused too');

    // Twenty good lookups and joins from one address cost what two misses do.
    for (let i = 0; i < 10; i++) {
      assert.equal((await lookUp(h, BYSTANDER, code)).status, 200);
      assert.equal((await join(h, BYSTANDER, code, `Student ${i}`)).status, 201);
    }
  });

  test('class tokens that name no member spend the address failed-token budget on /me, /events and the board', async () => {
    const h = await hub({ TokenFailuresPerMinute: 2 });
    const { code } = await createClass(h.httpUrl);
    const ada = await joinClass(h.httpUrl, code, 'Ada');
    assert.equal((await me(h, ATTACKER, code, 'forged-1')).status, 401);
    assert.equal((await me(h, ATTACKER, code, 'forged-2')).status, 401);
    const refused = await me(h, ATTACKER, code, ada.token);
    assert.equal(refused.status, 429, 'a good token from that address waits too');
    assert.match(refused.text, /too many failed tokens from this address/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal((await me(h, BYSTANDER, code, ada.token)).status, 200);
    const board = openBoard(h.wsUrl, code, ada.token, undefined, ATTACKER);
    boards.push(board);
    await eventually(async () => board.closes[0], 10_000, 'the board is refused');
    assert.equal(board.closes[0]!.code, 1008);
  });
});

describe('event streams per member', () => {
  test("one member's token holds ClassStreamsPerMember streams; one more gets 429, and a closed one frees its seat", async () => {
    const h = await hub({ ClassStreamsPerMember: 2 });
    const { code } = await createClass(h.httpUrl);
    const ada = await joinClass(h.httpUrl, code, 'Ada');
    const open: SseClient[] = [];
    for (let i = 0; i < 2; i++) {
      const s = classEvents(h.httpUrl, code, ada.token);
      streams.push(s);
      open.push(s);
      await s.next('state');
    }
    const third = await httpFrom(
      BYSTANDER,
      `${h.httpUrl}/api/classes/${code}/events?token=${ada.token}`,
    );
    assert.equal(third.status, 429);
    assert.equal(third.headers['retry-after'], '5');
    assert.match(third.text, /too many event streams open/);
    const bob = await joinClass(h.httpUrl, code, 'Bob');
    const bobs = classEvents(h.httpUrl, code, bob.token);
    streams.push(bobs);
    await bobs.next('state');

    open[0]!.close();
    await eventually(
      async () => {
        const again = await streamStatus(
          `${h.httpUrl}/api/classes/${code}/events?token=${ada.token}`,
        );
        again.close();
        return again.status === 200 || undefined;
      },
      10_000,
      'a seat frees once a stream closes',
    );
  });
});

// The numbers behind the defaults (docs/operating.md#connections).
describe('a classroom behind one NAT address, at the defaults', () => {
  test('60 devices, each as a class board page (one kept-alive connection for the page and the API, the event stream, the board), and a teacher page holding 40 boards, are all admitted and sync', async () => {
    const NAT = '127.0.0.4';
    process.setMaxListeners(200); // each y-websocket provider listens for the process's exit
    const h = await hub();
    const port = Number(new URL(h.httpUrl).port);
    const detail = await createClass(h.httpUrl);
    const { code } = detail;

    const devices = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const page = await RawConnection.open(port, NAT);
        raws.push(page);
        assert.equal((await page.get(`/api/classes/${code}`)).status, 200);
        page.write(
          `POST /api/classes/${code}/join HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify({ name: `Student ${i}` }).length}\r\n\r\n${JSON.stringify({ name: `Student ${i}` })}`,
        );
        const joined = await page.response();
        assert.equal(joined.status, 201, joined.text);
        const { token } = JSON.parse(joined.text) as JoinReply;
        assert.equal(
          (await page.get(`/api/classes/${code}/me`, { Authorization: `Bearer ${token}` })).status,
          200,
        );
        const events = classEvents(h.httpUrl, code, token, NAT);
        streams.push(events);
        const board = openBoard(h.wsUrl, code, token, undefined, NAT);
        boards.push(board);
        await events.next('state', undefined, 30_000);
        await board.synced();
        return board;
      }),
    );
    const teacher = teacherTokenOf(detail);
    const teacherBoards = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const board = openBoard(h.wsUrl, code, teacher, undefined, NAT);
        boards.push(board);
        await board.synced();
        return board;
      }),
    );

    draw(devices[59]!.doc, 'last-student');
    await shapesBecome(teacherBoards[39]!.doc, ['last-student'], "the teacher's last board");
    const { tcp } = h.hub.stats();
    assert.equal(tcp.refused, 0, 'nothing was refused');
    assert.ok(tcp.admitted >= 60 * 3 + 40, `${tcp.admitted} connections, all counted`);
    assert.ok(tcp.admitted < h.hub.config.MaxConnectionsPerAddress, 'with room to spare');
    for (const b of [...devices, ...teacherBoards]) assert.deepEqual(b.closes, []);
  });
});
