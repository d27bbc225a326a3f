// The admin API against a real hub, with real `ws` Zwibbler clients: the
// checks in front of it, the snapshot, the event stream, logs, kicks,
// deleting a document, the self-test, /healthz and /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LogRing } from '../log/logger';
import { adminCall, adminEvents, eventually } from '../test/admin-client';
import { captureLog } from '../test/captured-log';
import type { CapturedLog } from '../test/captured-log';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { SseClient } from '../test/sse-client';
import { ZwibblerClient } from '../test/zwibbler-client';
import type { HistoryReply, Snapshot } from './api-types';
import { parsePrometheusText } from '../test/prometheus-text';

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('admin API', () => {
  let t: TestHub;
  let log: CapturedLog;
  const dir = tempDir();
  const clients: ZwibblerClient[] = [];
  const streams: SseClient[] = [];
  const call = <T = Record<string, unknown>>(
    path: string,
    o: Parameters<typeof adminCall>[2] = {},
  ) => adminCall<T>(t.httpUrl, path, { token: TOKEN, ...o });
  const join = async (docId: string) => {
    const c = await ZwibblerClient.join(`${t.wsUrl}/socket`, { docId });
    clients.push(c);
    return c;
  };
  const snapshot = async () => (await call<Snapshot>('snapshot')).body;

  before(async () => {
    const logs = new LogRing();
    log = captureLog('debug', logs);
    t = await startHub(
      { AdminToken: TOKEN, DataDir: dir.dir, LogLevel: 'debug' },
      { logger: log.logger, logRing: logs },
    );
  });

  after(async () => {
    for (const s of streams) s.close();
    await Promise.all(clients.map((c) => c.close()));
    await t.stop();
    dir.remove();
  });

  test('401 without a token, and with a wrong one; 200 with the right one', async () => {
    assert.equal((await call('snapshot', { token: undefined })).status, 401);
    assert.equal((await call('snapshot', { token: 'wrong' })).status, 401);
    assert.equal((await call('snapshot', { token: `${TOKEN}x` })).status, 401);
    const ok = await call('snapshot');
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-type']), /^application\/json/);
  });

  test('403 for a Host header a DNS-rebinding page would send, even with the token', async () => {
    const port = new URL(t.httpUrl).port;
    for (const host of [`evil.example:${port}`, `attacker.localhost.evil.com:${port}`]) {
      const r = await call('snapshot', { host });
      assert.equal(r.status, 403, host);
      assert.match(String(r.body.error), /Host/);
    }
    // The static dashboard is guarded the same way.
    assert.equal((await call('/admin/', { host: 'evil.example' })).status, 403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST`]) {
      assert.equal((await call('snapshot', { host })).status, 200, host);
    }
  });

  test('the snapshot follows real Zwibbler clients joining and leaving', async () => {
    const a1 = await join('doc-a');
    const a2 = await join('doc-a');
    const b = await join('doc-b');
    a1.append(0, 'hello from a1');
    await a1.nextOf('ack-nack');
    await a2.nextOf('append');

    let snap = await snapshot();
    const docA = snap.sessions.find((s) => s.id === 'zwibbler:doc-a');
    const docB = snap.sessions.find((s) => s.id === 'zwibbler:doc-b');
    assert.ok(docA && docB, JSON.stringify(snap.sessions));
    assert.equal(docA.protocol, 'zwibbler');
    assert.equal(docA.clients.length, 2);
    assert.ok(docA.bytes > 'hello from a1'.length, `bytes ${docA.bytes}`);
    assert.ok(docA.lastActivity >= docA.createdAt);
    const c = docA.clients[0]!;
    assert.equal(c.remoteAddress, '127.0.0.1');
    assert.equal(c.protocol, 'zwibbler');
    assert.equal(c.permissions, 'rw');
    assert.ok(c.connectedAt > 0);
    assert.equal(snap.totals.clients, 3);
    assert.equal(snap.totals.sessions, 2);
    assert.equal(snap.totals.byProtocol.zwibbler?.clients, 3);
    assert.equal(snap.server.bind.port, Number(new URL(t.httpUrl).port));
    assert.equal(snap.server.database.kind, 'memory');
    assert.equal(snap.server.tls, false);
    assert.ok(snap.server.join && snap.server.join.urls.length > 0);
    assert.equal(snap.server.lanClientSeen, false, 'loopback clients are not LAN clients');

    await Promise.all([a1.close(), a2.close(), b.close()]);
    snap = await eventually(
      async () => {
        const s = await snapshot();
        return s.sessions.length === 0 && s;
      },
      15_000,
      'sessions gone from the snapshot',
    );
    assert.equal(snap.totals.clients, 0);
  });

  test('the event stream says hello, sends stats every second, and joins and leaves', async () => {
    const events = adminEvents(t.httpUrl, TOKEN);
    streams.push(events);
    const hello = await events.next<{ startedAt: number }>('hello');
    assert.ok(hello.startedAt > 0);
    await events.next('history');
    await events.next('stats');
    const c = await join('doc-events');
    const opened = await events.next<{ id: string }>('session-opened');
    assert.equal(opened.id, 'zwibbler:doc-events');
    const added = await events.next<{ session: string; remoteAddress: string }>('client-added');
    assert.equal(added.session, 'zwibbler:doc-events');
    await c.close();
    await events.next(
      'client-removed',
      (d: { session: string }) => d.session === 'zwibbler:doc-events',
    );
    await events.next('session-closed', (d: { id: string }) => d.id === 'zwibbler:doc-events');
    events.close();
  });

  test('the event stream refuses a missing token', async () => {
    const r = await call('events', { token: undefined });
    assert.equal(r.status, 401);
  });

  test('history: the chart ranges, and a clear 400 for another', async () => {
    const day = await call<HistoryReply>('history?range=24h');
    assert.equal(day.status, 200);
    assert.equal(day.body.step, 60);
    const minutes = await call<HistoryReply>('history?range=5m');
    assert.equal(minutes.body.step, 1);
    assert.ok(minutes.body.samples.length <= 300);
    const bad = await call('history?range=1y');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /5m, 1h, 24h/);
  });

  test('logs: level filter, search and limit, from the ring buffer', async () => {
    const all = await call<{ lines: { msg: string; levelName: string }[] }>('logs?limit=1000');
    assert.ok(all.body.lines.some((l) => l.msg === 'hub listening'));
    const found = await call<{ lines: { msg: string }[] }>('logs?q=HUB%20LISTENING');
    assert.deepEqual(
      found.body.lines.map((l) => l.msg),
      ['hub listening'],
    );
    const warn = await call<{ lines: { levelName: string }[] }>('logs?level=warn');
    assert.ok(warn.body.lines.every((l) => ['warn', 'error', 'fatal'].includes(l.levelName)));
    const one = await call<{ lines: unknown[] }>('logs?limit=1');
    assert.equal(one.body.lines.length, 1);
    assert.equal((await call('logs?limit=0')).status, 400);
    assert.equal((await call('logs?level=loud')).status, 400);
  });

  test('kick a client, kick a session, delete a document', async () => {
    const a = await join('doc-kick');
    const b = await join('doc-kick');
    const id = (await snapshot()).sessions.find((s) => s.id === 'zwibbler:doc-kick')!.clients[0]!
      .id;
    assert.equal((await call(`clients/${id}/kick`, { method: 'POST' })).status, 200);
    const first = await Promise.race([a.closed, b.closed]);
    assert.equal(first.code, 4403);
    assert.match(first.reason, /kicked/);
    assert.equal((await call('clients/nope/kick', { method: 'POST' })).status, 404);

    const c = await join('doc kick:2');
    const session = encodeURIComponent('zwibbler:doc kick:2');
    const kicked = await call(`sessions/${session}/kick`, { method: 'POST' });
    assert.equal(kicked.status, 200);
    assert.equal(kicked.body.kicked, 1);
    assert.equal((await c.closed).code, 4403);
    assert.equal((await call('sessions/zwibbler%3Anone/kick', { method: 'POST' })).status, 404);

    const d = await join('doc-delete');
    d.append(0, 'to be deleted');
    await d.nextOf('ack-nack');
    const deleted = await call('documents/doc-delete', { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.equal((await d.closed).code, 4404);
    assert.equal((await call('documents/doc-delete', { method: 'DELETE' })).status, 404);
    await Promise.all([a.close(), b.close()]);
  });

  test('unknown endpoints are 404, wrong methods 405', async () => {
    assert.equal((await call('nothing')).status, 404);
    const r = await call('snapshot', { method: 'POST' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET');
  });

  test('the self-test reaches the hub on its own URLs, and says no LAN device has joined yet', async () => {
    const r = await call<{
      results: { url: string; reachable: boolean; status?: number }[];
      lanClientSeen: boolean;
    }>('selftest', { method: 'POST' });
    assert.equal(r.status, 200);
    assert.ok(r.body.results.length > 0);
    // Every client so far came from 127.0.0.1: reachable means checked from here only.
    assert.equal(r.body.lanClientSeen, false);
    // Bound to 127.0.0.1, the hub's only URL is its loopback one.
    assert.deepEqual(
      r.body.results.map((x) => [x.reachable, x.status]),
      r.body.results.map(() => [true, 200]),
    );
  });

  test('/healthz: liveness and the database, without a token', async () => {
    const r = await adminCall<{ status: string; database: { ok: boolean; kind: string } }>(
      t.httpUrl,
      '/healthz',
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.deepEqual(r.body.database, { ok: true, kind: 'memory' });
  });

  test('/metrics parses as Prometheus text and counts a real client', async () => {
    const c = await join('doc-metrics');
    c.append(0, 'counted');
    await c.nextOf('ack-nack');
    c.append(0, 'conflict: offset 0 is taken');
    await c.nextOf('ack-nack');
    const r = await adminCall(t.httpUrl, '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(r.text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      m.samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    assert.equal(m.types.get('lanboard_connections'), 'gauge');
    assert.equal(m.types.get('lanboard_messages_received_total'), 'counter');
    assert.equal(value('lanboard_connections', { protocol: 'zwibbler' }), 1);
    assert.equal(value('lanboard_clients', { protocol: 'zwibbler' }), 1);
    assert.equal(value('lanboard_sessions', { protocol: 'zwibbler' }), 1);
    assert.ok(value('lanboard_messages_received_total', { protocol: 'zwibbler' })! >= 3);
    assert.ok(value('lanboard_messages_sent_total', { protocol: 'zwibbler' })! >= 3);
    assert.ok(value('lanboard_received_bytes_total', { protocol: 'zwibbler' })! > 0);
    assert.ok(value('lanboard_append_conflicts_total')! >= 1);
    assert.ok(
      value('lanboard_store_operation_seconds_count', { operation: 'appendIfLength' })! >= 2,
    );
    assert.notEqual(value('lanboard_event_loop_lag_seconds', { quantile: '0.99' }), undefined);
    await c.close();
  });

  test('the token never reaches the log', () => {
    assert.ok(log.lines().length > 10);
    assert.ok(!log.text().includes(TOKEN));
    assert.ok(!t.hub.logs.recent().join('\n').includes(TOKEN));
  });
});
