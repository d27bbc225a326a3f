// The config API and restart through the supervisor `lanboard serve` uses:
// per-key errors with nothing written, comment-preserving saves, shadowing by
// flags, and a restart that keeps the data, closes clients with 1012, keeps
// the generated admin token and follows a port change (the old port then
// answers only "moved").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConfigView } from '../admin/api-types';
import { adminCall, eventually } from '../test/admin-client';
import { captureLog } from '../test/captured-log';
import { freePort, serveSources, tempDir } from '../test/hub-fixture';
import { ZwibblerClient } from '../test/zwibbler-client';
import { HubSupervisor } from './supervisor';

const FILE_HEAD = `# Lanboard for room 12
# (this comment must survive every save)
ServerBindAddress = 127.0.0.1
`;
const FILE_TAIL = `
; zwibbler.conf keys we keep as they are
SomethingElse=kept as it is
Database=sqlite
`;

describe('config API and restart (supervisor)', () => {
  const dir = tempDir();
  const file = path.join(dir.dir, 'lanboard.conf');
  const log = captureLog('debug');
  let supervisor: HubSupervisor;
  let firstPort: number;
  let token: string;
  const base = () => supervisor.current.url();
  const call = <T = Record<string, unknown>>(p: string, o: Parameters<typeof adminCall>[2] = {}) =>
    adminCall<T>(base(), p, { token, ...o });
  const clients: ZwibblerClient[] = [];

  before(async () => {
    firstPort = await freePort();
    fs.writeFileSync(file, `${FILE_HEAD}ServerPort=${firstPort}\n${FILE_TAIL}`);
    supervisor = new HubSupervisor({
      sources: serveSources(file, dir.dir),
      hubOptions: { logger: log.logger },
    });
    await supervisor.start();
    // The generated token, as `lanboard serve` prints it on a terminal.
    token = decodeURIComponent(
      new URL(supervisor.current.dashboardUrl()).hash.slice('#token='.length),
    );
    assert.ok(token.length >= 32);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await supervisor.stop();
    dir.remove();
  });

  test('GET config: file values, running values, where each came from; secrets hidden', async () => {
    const r = await call<ConfigView>('config');
    assert.equal(r.status, 200);
    assert.equal(r.body.file, file);
    const s = (key: string) => r.body.settings.find((x) => x.key === key)!;
    assert.equal(s('ServerPort').fileValue, String(firstPort));
    assert.equal(s('ServerPort').origin, 'file');
    assert.equal(s('Mdns').origin, 'flag');
    assert.equal(s('Mdns').value, '0');
    assert.equal(s('Expiration').origin, 'default');
    assert.equal(s('AdminToken').secret, true);
    assert.equal(s('AdminToken').value, '');
    assert.ok(!r.text.includes(token));
  });

  test('PUT config with bad values lists an error per key and writes nothing', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const r = await call<{ errors: Record<string, string> }>('config', {
      method: 'PUT',
      body: {
        values: { ServerPort: '99999', Compression: 'maybe', NoSuchKey: '1', Expiration: '60' },
      },
    });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.body.errors).sort(), ['Compression', 'NoSuchKey', 'ServerPort']);
    assert.match(
      r.body.errors.ServerPort!,
      /"99999" is not valid: expected an integer from 0 to 65535/,
    );
    assert.match(r.body.errors.Compression!, /1\/0, true\/false/);
    assert.equal(r.body.errors.NoSuchKey, 'unknown setting');
    // A rule across keys, checked as a restart would load the file.
    const cross = await call<{ errors: Record<string, string> }>('config', {
      method: 'PUT',
      body: { values: { CertFile: path.join(dir.dir, 'cert.pem') } },
    });
    assert.equal(cross.status, 400);
    assert.match(cross.body.errors.CertFile!, /KeyFile is empty/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  test('a good PUT keeps comments, order and unknown lines, and names shadowed keys', async () => {
    const r = await call<{ saved: boolean; shadowed: Record<string, string> }>('config', {
      method: 'PUT',
      body: { values: { Expiration: '86400', Webhook: 'http://127.0.0.1:9/hook', Mdns: '1' } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.shadowed, { Mdns: 'flag' });
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      `${FILE_HEAD}ServerPort=${firstPort}\n${FILE_TAIL}Expiration=86400\nWebhook=http://127.0.0.1:9/hook\nMdns=1\n`,
    );
    const again = await call('config', { method: 'PUT', body: { values: { Webhook: '' } } });
    assert.equal(again.status, 200);
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /Webhook/);
  });

  test('restart keeps the data, closes clients with 1012 and follows a port change', async () => {
    const writer = await ZwibblerClient.join(`${base().replace('http', 'ws')}/socket`, {
      docId: 'kept',
    });
    clients.push(writer);
    writer.append(0, 'written before the restart');
    await writer.nextOf('ack-nack');

    const newPort = await freePort();
    const saved = await call('config', {
      method: 'PUT',
      body: { values: { ServerPort: String(newPort) } },
    });
    assert.equal(saved.status, 200);
    const oldBase = base();
    const r = await call<{ port: number; portChanged: boolean; url: string }>('restart', {
      method: 'POST',
    });
    assert.equal(r.status, 202);
    assert.equal(r.body.port, newPort);
    assert.equal(r.body.portChanged, true);
    assert.equal(r.body.url, `http://127.0.0.1:${newPort}/admin/`);

    const closed = await writer.closed;
    assert.equal(closed.code, 1012);
    const newBase = `http://127.0.0.1:${newPort}`;
    const health = await eventually(
      () =>
        adminCall(newBase, '/healthz').then(
          (h) => h.status === 200 && h,
          () => undefined,
        ),
      20_000,
      'the restarted hub on the new port',
    );
    assert.equal(health.status, 200);
    // The same token (kept in <DataDir>/admin-token) opens the new hub's API.
    assert.equal((await adminCall(newBase, 'snapshot', { token })).status, 200);
    // The old port no longer serves the hub: for a while it only says where it went (server/moved/).
    const old = await fetch(`${oldBase}/healthz`, { redirect: 'manual' });
    assert.equal(old.status, 307);
    assert.equal(old.headers.get('location'), `${newBase}/healthz`);

    const reader = await ZwibblerClient.join(`ws://127.0.0.1:${newPort}/socket`, { docId: 'kept' });
    clients.push(reader);
    const first = reader.messages[0]!;
    assert.equal(first.type, 'append');
    assert.equal(
      Buffer.from((first as { data: Uint8Array }).data).toString(),
      'written before the restart',
    );
  });

  test('a config that no longer loads refuses the restart and leaves the hub running', async () => {
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${text}ServerPort=not-a-port\n`);
    try {
      const r = await call<{ error: string }>('restart', { method: 'POST' });
      assert.equal(r.status, 400);
      assert.match(r.body.error, /ServerPort="not-a-port"/);
      assert.equal((await call('snapshot')).status, 200);
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  test('the token never reaches the log', () => {
    assert.ok(log.lines().some((l) => l.msg === 'generated an admin token'));
    assert.ok(!log.text().includes(token));
  });
});

describe('recover: a new hub after an error the hub did not handle', () => {
  const dir = tempDir();
  const file = path.join(dir.dir, 'lanboard.conf');
  const log = captureLog('debug');
  const supervisors: HubSupervisor[] = [];
  after(async () => {
    for (const s of supervisors) await s.stop().catch(() => undefined);
    dir.remove();
  });

  async function started(): Promise<HubSupervisor> {
    fs.writeFileSync(file, `ServerBindAddress=127.0.0.1\nServerPort=${await freePort()}\n`);
    const supervisor = new HubSupervisor({
      sources: serveSources(file, dir.dir),
      hubOptions: { logger: log.logger },
    });
    supervisors.push(supervisor);
    await supervisor.start();
    return supervisor;
  }

  test('clients get 1012, a new hub listens on the same port, and the data is kept', async () => {
    const supervisor = await started();
    const before = supervisor.current;
    const url = `${before.url().replace('http', 'ws')}/socket`;
    const writer = await ZwibblerClient.join(url, { docId: 'kept' });
    writer.append(0, 'written before the crash');
    await writer.nextOf('ack-nack');

    await supervisor.recover();
    assert.equal((await writer.closed).code, 1012);
    assert.notEqual(supervisor.current, before);
    assert.equal(supervisor.current.url(), before.url());
    const reader = await ZwibblerClient.join(url, { docId: 'kept' });
    const first = reader.messages[0] as { type: string; data: Uint8Array };
    assert.equal(Buffer.from(first.data).toString(), 'written before the crash');
    await reader.close();
  });

  test('a hub whose stop never ends is left behind after the timeout', async () => {
    const supervisor = await started();
    const stuck = supervisor.current;
    const stop = stuck.stop.bind(stuck);
    // It closes its sockets but never reports back, as a hub wedged by the error might.
    (stuck as { stop: typeof stuck.stop }).stop = async (o) => {
      await stop(o);
      return new Promise<void>(() => undefined);
    };
    await supervisor.recover(200);
    assert.notEqual(supervisor.current, stuck);
    assert.equal((await fetch(`${supervisor.current.url()}/healthz`)).status, 200);
  });

  test('a config file broken meanwhile: the hub comes back on the config that ran', async () => {
    const supervisor = await started();
    const url = supervisor.current.url();
    fs.appendFileSync(file, 'ServerPort=not-a-port\n');
    await supervisor.recover();
    assert.equal(supervisor.current.url(), url);
  });
});
