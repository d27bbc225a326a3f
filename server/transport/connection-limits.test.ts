// Connections per address and in all, on a real hub with small caps
// (docs/operating.md#limits-per-address): an attacker and bystanders each
// have a loopback address of their own.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { eventually } from '../test/admin-client';
import { captureLog } from '../test/captured-log';
import { httpFrom, RawConnection } from '../test/from-address';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import { OVER_LIMIT_PER_ADDRESS } from './connection-limits';
import { RefusalLog } from './refusals';

const ATTACKER = '127.0.0.2';
const BYSTANDER = '127.0.0.3';
const ADMIN_TOKEN = 'limits-admin-token';

const hubs: TestHub[] = [];
const raws: RawConnection[] = [];
const providers: TestProvider[] = [];
after(async () => {
  for (const p of providers) p.destroy();
  for (const r of raws) r.destroy();
  await Promise.all(hubs.map((h) => h.stop()));
});

async function hub(
  config: Parameters<typeof startHub>[0],
  options: Parameters<typeof startHub>[1] = {},
): Promise<TestHub & { port: number }> {
  const h = await startHub({ AdminToken: ADMIN_TOKEN, ...config }, options);
  hubs.push(h);
  return { ...h, port: Number(new URL(h.httpUrl).port) };
}

async function raw(port: number, from: string): Promise<RawConnection> {
  const r = await RawConnection.open(port, from);
  raws.push(r);
  return r;
}

function provider(wsUrl: string, room: string, from: string): TestProvider {
  const p = openProvider(wsUrl, room, { localAddress: from });
  providers.push(p);
  return p;
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    ws.on('error', () => {});
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

describe('connections per address', () => {
  test('a flood from one address is refused at its cap; a bystander connects and syncs, and a client joined before keeps syncing', async () => {
    const h = await hub({ MaxConnectionsPerAddress: 6, NewConnectionsPerSecond: 1000 });
    const early = provider(h.wsUrl, 'lesson', ATTACKER);
    await early.synced();
    for (let i = 0; i < 5; i++) {
      const held = await raw(h.port, ATTACKER);
      assert.equal((await held.get('/socket')).status, 200, `connection ${i + 2} of 6`);
    }

    const over = await raw(h.port, ATTACKER);
    const refused = await over.get('/socket');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '5');
    assert.match(refused.text, /too many connections from this address/);

    const ws = new WebSocket(`${h.wsUrl}/yjs/lesson`, { localAddress: ATTACKER });
    const closed = await closeOf(ws);
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /too many connections from this address; try again in 5 s/);

    // The hub's health still answers on a connection over the cap.
    const health = await raw(h.port, ATTACKER);
    assert.equal((await health.get('/healthz')).status, 200);

    const bystander = provider(h.wsUrl, 'lesson', BYSTANDER);
    await bystander.synced();
    bystander.doc.getMap('board').set('stroke', 'from the bystander');
    early.doc.getMap('board').set('note', 'from the early client');
    await eventually(async () => early.doc.getMap('board').get('stroke'), 10_000, 'early sees it');
    await eventually(async () => bystander.doc.getMap('board').get('note'), 10_000, 'and back');
  });

  test('new connections from one address past their rate get 429 with Retry-After; another address does not', async () => {
    const h = await hub({ MaxConnectionsPerAddress: 3, NewConnectionsPerSecond: 1 });
    for (let i = 0; i < 3; i++) {
      const ok = await httpFrom(ATTACKER, `${h.httpUrl}/socket`);
      assert.equal(ok.status, 200, `connection ${i + 1}, within the burst`);
    }
    const refused = await httpFrom(ATTACKER, `${h.httpUrl}/socket`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(refused.text, /too many new connections from this address/);
    assert.equal((await httpFrom(BYSTANDER, `${h.httpUrl}/socket`)).status, 200);
  });

  test('past a few refused connections per address, new ones are closed at accept', async () => {
    const h = await hub({ MaxConnectionsPerAddress: 2, NewConnectionsPerSecond: 1000 });
    for (let i = 0; i < 2; i++) {
      assert.equal((await (await raw(h.port, ATTACKER)).get('/socket')).status, 200);
    }
    const flood: RawConnection[] = [];
    for (let i = 0; i < 20; i++) flood.push(await raw(h.port, ATTACKER));
    const outcomes = await Promise.all(
      flood.map((c) =>
        c.get('/socket').then(
          (r) => r.status,
          () => 'closed',
        ),
      ),
    );
    assert.equal(outcomes.filter((o) => o === 429).length, OVER_LIMIT_PER_ADDRESS);
    assert.equal(outcomes.filter((o) => o === 'closed').length, 20 - OVER_LIMIT_PER_ADDRESS);
  });
});

describe('refusals in the log', () => {
  test('a refusal is logged as a warning with the address and the limit, once for a burst of them', async () => {
    const { logger, lines } = captureLog('info');
    const h = await hub({ MaxConnectionsPerAddress: 1, NewConnectionsPerSecond: 1000 }, { logger });
    const held = await raw(h.port, ATTACKER);
    assert.equal((await held.get('/socket')).status, 200);
    for (let i = 0; i < 3; i++) {
      assert.equal((await httpFrom(ATTACKER, `${h.httpUrl}/socket`)).status, 429);
    }
    const refusals = lines().filter(
      (l) => l.msg === 'connection refused: too many connections from this address',
    );
    assert.equal(refusals.length, 1, 'one line for three refusals');
    assert.equal(refusals[0]!.remote, ATTACKER);
    assert.equal(refusals[0]!.limit, 'address-connections');
    assert.equal(refusals[0]!.level, 40, 'warn');
  });

  test('RefusalLog: once per address and message every 10 s, then with the count refused since', () => {
    let clock = 0;
    const { logger, lines } = captureLog('info');
    const refusals = new RefusalLog(logger, () => clock);
    for (let i = 0; i < 3; i++) refusals.note('10.0.0.1', 'refused');
    refusals.note('10.0.0.2', 'refused');
    assert.deepEqual(
      lines().map((l) => l.remote),
      ['10.0.0.1', '10.0.0.2'],
    );
    clock += 10_000;
    refusals.note('10.0.0.1', 'refused');
    assert.equal(lines()[2]!.refusedSinceLastLine, 2);
  });
});

describe('connections for the whole hub', () => {
  test('past MaxConnections a new connection gets 503, but /healthz and the admin API still answer', async () => {
    const h = await hub({ MaxConnections: 3, NewConnectionsPerSecond: 1000 });
    for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      assert.equal((await (await raw(h.port, from)).get('/socket')).status, 200, from);
    }
    const refused = await httpFrom('127.0.0.5', `${h.httpUrl}/socket`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.match(refused.text, /the hub is at its connection limit/);

    assert.equal((await httpFrom('127.0.0.5', `${h.httpUrl}/healthz`)).status, 200);
    const snapshot = await httpFrom('127.0.0.1', `${h.httpUrl}/admin/api/snapshot`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(snapshot.status, 200);
  });
});

describe('timeouts', () => {
  /** Seconds from now until `c` closes; `trickle` writes a byte every 200 ms meanwhile. */
  async function secondsUntilClosed(c: RawConnection, trickle?: string): Promise<number> {
    const start = Date.now();
    const timer = trickle ? setInterval(() => c.isClosed || c.write(trickle), 200) : undefined;
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 15_000))]);
    clearInterval(timer);
    assert.ok(c.isClosed, 'still open after 15 s');
    return (Date.now() - start) / 1000;
  }

  test('headers trickled a byte at a time are cut with 408 within HeadersTimeoutSeconds', async () => {
    const h = await hub({ HeadersTimeoutSeconds: 1 });
    const c = await raw(h.port, ATTACKER);
    c.write('GET /socket HTTP/1.1\r\nHost: hub\r\nX-Slow: ');
    const seconds = await secondsUntilClosed(c, 'a');
    assert.ok(seconds < 4, `cut after ${seconds} s`);
    assert.equal((await c.response()).status, 408);
  });

  test('a connection that never sends a request is closed within HeadersTimeoutSeconds', async () => {
    const h = await hub({ HeadersTimeoutSeconds: 1 });
    const seconds = await secondsUntilClosed(await raw(h.port, ATTACKER));
    assert.ok(seconds < 4, `closed after ${seconds} s`);
  });

  test('the hub lets go of a timed-out connection whose client never reads (no FIN ever comes back)', async () => {
    const h = await hub({ HeadersTimeoutSeconds: 1 });
    const mute = net.connect({ port: h.port, host: '127.0.0.1', localAddress: ATTACKER });
    mute.on('error', () => {});
    await new Promise((r) => mute.once('connect', r));
    try {
      await eventually(async () => h.hub.stats().tcp.admitted === 1 || undefined, 5000, 'counted');
      await eventually(
        async () => h.hub.stats().tcp.admitted === 0 || undefined,
        6000,
        "the hub's side is closed (its descriptor freed), not left half-closed",
      );
    } finally {
      mute.destroy();
    }
  });

  test('a body trickled a byte at a time is cut with 408 within RequestTimeoutSeconds', async () => {
    const h = await hub({ RequestTimeoutSeconds: 2 });
    const c = await raw(h.port, ATTACKER);
    c.write(
      'POST /rtc/access HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const seconds = await secondsUntilClosed(c, ' ');
    assert.ok(seconds < 5, `cut after ${seconds} s`);
    assert.equal((await c.response()).status, 408);
  });

  test('a kept-alive connection with nothing in flight is closed after IdleTimeoutSeconds', async () => {
    const h = await hub({ IdleTimeoutSeconds: 1 });
    const c = await raw(h.port, BYSTANDER);
    assert.equal((await c.get('/socket')).status, 200);
    const seconds = await secondsUntilClosed(c);
    assert.ok(seconds < 4, `closed after ${seconds} s (Node adds 1 s)`);
  });
});
