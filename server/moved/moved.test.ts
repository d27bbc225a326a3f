// The hub's old address after a restart moved it (server/moved/): what it
// answers to WebSockets, pages, APIs and handoffs, that it names only
// addresses the hub serves whatever the request says, that a handoff is good
// once, and that it stops answering after its grace period.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { captureLog } from '../test/captured-log';
import { eventually } from '../test/admin-client';
import { freePort, serveSources, tempDir } from '../test/hub-fixture';
import { HubSupervisor } from '../host/supervisor';
import { HANDOFF_TTL_MS, Handoffs } from './handoffs';
import { movedTargets } from './targets';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so the Host header can be anything a hostile client sends. */
function request(
  port: number,
  pathname: string,
  o: { method?: string; host?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        method: o.method ?? 'GET',
        headers: { Host: o.host ?? `127.0.0.1:${port}`, ...o.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The close a WebSocket on the old port gets. */
function closeOf(port: number, host?: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/yjs/room`, {
      headers: host ? { Host: host } : {},
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', reject);
  });
}

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body),
});

describe('the old address after a move', () => {
  const dir = tempDir('lanboard-moved-');
  const file = path.join(dir.dir, 'lanboard.conf');
  const log = captureLog('debug');
  let supervisor: HubSupervisor;
  let oldPort: number;
  let newPort: number;
  const newBase = () => `http://127.0.0.1:${newPort}/`;
  const moveTo = async (port: number) => {
    fs.writeFileSync(file, `ServerBindAddress=127.0.0.1\nServerPort=${port}\nDatabase=memory\n`);
    await supervisor.restart();
  };

  before(async () => {
    oldPort = await freePort();
    newPort = await freePort();
    fs.writeFileSync(file, `ServerBindAddress=127.0.0.1\nServerPort=${oldPort}\nDatabase=memory\n`);
    supervisor = new HubSupervisor({
      sources: serveSources(file, dir.dir),
      hubOptions: { logger: log.logger },
    });
    await supervisor.start();
    await moveTo(newPort);
  });

  after(async () => {
    await supervisor.stop();
    dir.remove();
  });

  test('a WebSocket is closed with 4308 and the new address', async () => {
    assert.deepEqual(await closeOf(oldPort), { code: 4308, reason: newBase() });
    // Reached as `localhost`: the hub serves that name too, so it is kept.
    assert.deepEqual(await closeOf(oldPort, `localhost:${oldPort}`), {
      code: 4308,
      reason: `http://localhost:${newPort}/`,
    });
  });

  test('a Host the hub does not serve never becomes the address named', async () => {
    assert.deepEqual(await closeOf(oldPort, 'evil.example'), { code: 4308, reason: newBase() });
    const page = await request(oldPort, '/board/ABCDEF', {
      host: 'evil.example',
      headers: { Accept: 'text/html' },
    });
    assert.equal(page.status, 200);
    assert.ok(!page.body.includes('evil.example'), page.body);
    assert.ok(page.body.includes(`${newBase()}board/ABCDEF`), page.body);
    // A path that looks like another host stays a path on the hub.
    const other = await request(oldPort, '//evil.example/x?y=1', { host: 'evil.example' });
    assert.equal(other.status, 307);
    assert.equal(other.headers.location, `${newBase()}x?y=1`);
  });

  test('pages get a page naming the new address; APIs a 410 in JSON', async () => {
    const page = await request(oldPort, '/board/ABCDEF?debug', {
      headers: { Accept: 'text/html,*/*' },
    });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type']!, /text\/html/);
    assert.match(page.body, /The hub moved/);
    assert.ok(page.body.includes(`href="${newBase()}board/ABCDEF?debug"`));
    assert.equal(page.headers['x-lanboard-moved'], newBase());
    const api = await request(oldPort, '/api/classes/ABCDEF');
    assert.equal(api.status, 410);
    assert.deepEqual(JSON.parse(api.body), {
      error: `the hub moved to ${newBase()}`,
      moved: newBase(),
    });
    const admin = await request(oldPort, '/admin/api/snapshot', { method: 'POST' });
    assert.equal(admin.status, 410);
  });

  test('a handoff carries a token to the new address once', async () => {
    const made = await request(
      oldPort,
      '/api/moved/handoff',
      json({ name: 'Ada', writers: [12, 34] }, 'member-token-1'),
    );
    assert.equal(made.status, 201, made.body);
    const { handoff, moved } = JSON.parse(made.body) as { handoff: string; moved: string };
    assert.equal(moved, newBase());
    assert.match(handoff, /^[A-Za-z0-9_-]{24}$/);
    assert.ok(!made.body.includes('member-token-1'));

    const redeem = () => request(newPort, '/api/moved/redeem', json({ handoff }));
    const first = await redeem();
    assert.equal(first.status, 200, first.body);
    assert.deepEqual(JSON.parse(first.body), {
      token: 'member-token-1',
      name: 'Ada',
      writers: [12, 34],
    });
    const again = await redeem();
    assert.equal(again.status, 404);
    const line = log.lines().find((l) => l.msg === 'handoff not redeemed');
    assert.equal(line?.client, '127.0.0.1');
  });

  test('bad handoffs get a clear error and a log line with the address', async () => {
    const noToken = await request(oldPort, '/api/moved/handoff', json({ name: 'Ada' }));
    assert.equal(noToken.status, 400);
    assert.match(noToken.body, /member token/);
    const notJson = await request(oldPort, '/api/moved/handoff', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer t' },
      body: 'x',
    });
    assert.equal(notJson.status, 415);
    const huge = await request(
      oldPort,
      '/api/moved/handoff',
      json({ name: 'x'.repeat(5000) }, 'member-token'),
    );
    assert.equal(huge.status, 413);
    const badWriters = await request(
      oldPort,
      '/api/moved/handoff',
      json({ writers: ['a'] }, 'member-token'),
    );
    assert.equal(badWriters.status, 400);
    const refused = log.lines().filter((l) => l.msg === 'handoff refused');
    assert.ok(refused.length >= 4);
    assert.ok(refused.every((l) => l.client === '127.0.0.1'));
  });

  test('moving back: the old listener makes way, and a new one answers on the other port', async () => {
    await moveTo(oldPort);
    assert.equal(new URL(supervisor.current.url()).port, String(oldPort));
    assert.equal(supervisor.movedFrom?.port, newPort);
    assert.deepEqual(await closeOf(newPort), {
      code: 4308,
      reason: `http://127.0.0.1:${oldPort}/`,
    });
    [oldPort, newPort] = [newPort, oldPort];
  });
});

describe('the grace period', () => {
  test('the old address stops answering once it is over', async () => {
    const dir = tempDir('lanboard-moved-grace-');
    const file = path.join(dir.dir, 'lanboard.conf');
    const first = await freePort();
    fs.writeFileSync(file, `ServerBindAddress=127.0.0.1\nServerPort=${first}\nDatabase=memory\n`);
    const supervisor = new HubSupervisor({
      sources: serveSources(file, dir.dir),
      hubOptions: { logger: captureLog('warn').logger },
      movedGraceMs: 300,
    });
    try {
      await supervisor.start();
      fs.writeFileSync(
        file,
        `ServerBindAddress=127.0.0.1\nServerPort=${await freePort()}\nDatabase=memory\n`,
      );
      await supervisor.restart();
      await eventually(
        () =>
          request(first, '/').then(
            () => false,
            (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED',
          ),
        10_000,
        'the old port refusing connections',
      );
    } finally {
      await supervisor.stop();
      dir.remove();
    }
  });
});

/** Whether a WebSocket from `origin` opens at `port`'s Yjs endpoint. */
function opens(port: number, origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/yjs/room`, { headers: { Origin: origin } });
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('unexpected-response', () => resolve(false));
    ws.on('error', () => resolve(false));
  });
}

describe('AllowedOrigins after a move', () => {
  test("the hub's former origins may open sockets; others still may not", async () => {
    const dir = tempDir('lanboard-moved-origins-');
    const file = path.join(dir.dir, 'lanboard.conf');
    const first = await freePort();
    const second = await freePort();
    const conf = (port: number) =>
      `ServerBindAddress=127.0.0.1\nServerPort=${port}\nDatabase=memory\nAllowedOrigins=http://school.example\n`;
    fs.writeFileSync(file, conf(first));
    const supervisor = new HubSupervisor({
      sources: serveSources(file, dir.dir),
      hubOptions: { logger: captureLog('warn').logger },
    });
    try {
      await supervisor.start();
      assert.equal(await opens(first, `http://127.0.0.1:${first}`), false);
      fs.writeFileSync(file, conf(second));
      await supervisor.restart();
      assert.equal(await opens(second, `http://127.0.0.1:${first}`), true);
      assert.equal(await opens(second, `http://localhost:${first}`), true);
      assert.equal(await opens(second, 'http://school.example'), true);
      assert.equal(await opens(second, `http://evil.example:${first}`), false);
      assert.equal(await opens(second, `http://127.0.0.1:${second + 1}`), false);
    } finally {
      await supervisor.stop();
      dir.remove();
    }
  });
});

describe('handoffs', () => {
  test('one address cannot push out the others; codes expire', () => {
    let now = 1_000_000;
    const handoffs = new Handoffs(() => now);
    const theirs = handoffs.create('10.0.0.2', { token: 'theirs' });
    const mine = Array.from({ length: 50 }, (_, i) =>
      handoffs.create('10.0.0.9', { token: `t${i}` }),
    );
    assert.equal(handoffs.size, 21);
    assert.equal(handoffs.redeem(mine[0]), undefined, 'its oldest went first');
    assert.equal(handoffs.redeem(mine[49])?.token, 't49');
    assert.equal(handoffs.redeem(theirs)?.token, 'theirs');
    const late = handoffs.create('10.0.0.2', { token: 'late' });
    now += HANDOFF_TTL_MS;
    assert.equal(handoffs.redeem(late), undefined);
    assert.equal(handoffs.redeem(42), undefined);
  });
});

describe('moved targets', () => {
  const join = {
    urls: ['http://192.168.1.20:9000/', 'http://10.0.0.5:9000/'],
    preferredUrl: 'http://192.168.1.20:9000/',
    localUrl: 'http://ms-lee.local:9000/',
  };
  test('the request host is kept only when the hub serves it', () => {
    const t = movedTargets(join, '0.0.0.0');
    assert.equal(t.targetFor('10.0.0.5:8080'), 'http://10.0.0.5:9000/');
    assert.equal(t.targetFor('MS-LEE.local:8080'), 'http://ms-lee.local:9000/');
    assert.equal(t.targetFor('localhost'), 'http://localhost:9000/');
    assert.equal(t.targetFor('evil.example'), join.preferredUrl);
    assert.equal(t.targetFor(undefined), join.preferredUrl);
    assert.equal(movedTargets(join, '192.168.1.20').targetFor('localhost'), join.preferredUrl);
  });
});
