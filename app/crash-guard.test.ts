// A lesson that survives an error nothing handled: the app records it and
// the supervisor brings a new hub up (clients get 1012 and reconnect), until
// errors come too often; native crashes go to Crashpad on this computer only;
// dead renderers are recorded and the dashboard reloaded; the log rotates.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../server/test/hub-fixture';
import { after, describe, test } from 'node:test';
import { createLogger } from '../server/index';
import { ZwibblerClient } from '../server/test/zwibbler-client';
import { guardProcess } from './crash-guard';
import type { CrashEntry } from './crash-guard';
import { rotatedName } from './log-file';
import { bootApp, TEST_ENV } from './test/boot';
import type { Booted } from './test/boot';
import { FakeWebContents, preventable } from './test/fake-electron';

const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
});

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const silent = createLogger({ level: 'silent' });
const records = (file: string): CrashEntry[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe('guardProcess', () => {
  test('each error is recorded and answered by a recovery; past the limit the app gives up once', () => {
    const events = new EventEmitter();
    const recorded: CrashEntry[] = [];
    let recoveries = 0;
    const gaveUp: string[] = [];
    let t = 0;
    const unguard = guardProcess({
      events,
      log: silent,
      record: (e) => recorded.push(e),
      recover: async () => void recoveries++,
      giveUp: (err) => gaveUp.push(err.message),
      now: () => t,
      limit: { count: 2, windowMs: 1000 },
    });
    events.emit('uncaughtException', new Error('one'));
    t = 100;
    events.emit('unhandledRejection', 'two, not an Error');
    assert.equal(recoveries, 2);
    t = 200;
    events.emit('uncaughtException', new Error('three'));
    t = 300;
    events.emit('uncaughtException', new Error('four'));
    assert.equal(recoveries, 2, 'no restart past the limit');
    assert.deepEqual(gaveUp, ['three']);
    assert.deepEqual(
      recorded.map((r) => [r.kind, r.message, r.action]),
      [
        ['uncaughtException', 'one', 'restarted the hub'],
        ['unhandledRejection', 'two, not an Error', 'restarted the hub'],
        ['uncaughtException', 'three', 'gave up restarting'],
        ['uncaughtException', 'four', 'gave up restarting'],
      ],
    );
    assert.match(recorded[0]!.stack!, /Error: one\n\s+at /);
    unguard();
    assert.equal(events.listenerCount('uncaughtException'), 0);
    assert.equal(events.listenerCount('unhandledRejection'), 0);
  });

  test('errors spread out over time never reach the limit', () => {
    const events = new EventEmitter();
    let recoveries = 0;
    let t = 0;
    guardProcess({
      events,
      log: silent,
      record: () => undefined,
      recover: async () => void recoveries++,
      giveUp: () => assert.fail('gave up'),
      now: () => t,
      limit: { count: 2, windowMs: 1000 },
    });
    for (let i = 0; i < 6; i++) {
      t += 600;
      events.emit('uncaughtException', new Error(`e${i}`));
    }
    assert.equal(recoveries, 6);
  });
});

describe('the app', () => {
  test('an uncaught exception: recorded, logged, and a new hub takes the clients back', async () => {
    const events = new EventEmitter();
    const port = await freePort();
    const b = await bootApp({
      processEvents: events,
      env: { ...TEST_ENV, LANBOARD_SERVER_PORT: String(port) },
    });
    running.push(b);
    const first = b.desktop.hub()!;
    const win = b.fake.BrowserWindow.all[0]!;
    const client = await ZwibblerClient.join(`${first.url().replace('http', 'ws')}/socket`, {
      docId: 'lesson',
    });

    events.emit('uncaughtException', new Error('a bug in a protocol'));
    assert.equal((await client.closed).code, 1012, 'clients are told to reconnect');
    await until(() => b.desktop.hub() !== first, 'a new hub');
    assert.equal(b.desktop.hub()!.url(), first.url(), 'on the same port');
    assert.equal(win.loaded.length, 2, 'the window follows the new hub');

    const crashFile = path.join(b.userData, 'logs', 'crashes.log');
    assert.deepEqual(
      records(crashFile).map((r) => [r.kind, r.message, r.action]),
      [['uncaughtException', 'a bug in a protocol', 'restarted the hub']],
    );
    const logged = b.desktop.supervisor.logs.recent().map((l) => JSON.parse(l));
    assert.ok(
      logged.some(
        (l) => l.level === 60 && l.component === 'desktop' && l.err === 'a bug in a protocol',
      ),
      'a fatal line on the dashboard Logs page',
    );
    const again = await ZwibblerClient.join(`${first.url().replace('http', 'ws')}/socket`, {
      docId: 'lesson',
    });
    await again.close();

    // Crashpad was started before anything else, local only, dumps under logs/.
    assert.deepEqual(b.fake.crashReporterStarts, [
      { uploadToServer: false, productName: 'Lanboard', compress: true },
    ]);
    assert.equal(b.fake.app.getPath('crashDumps'), path.join(b.userData, 'logs', 'crash-dumps'));
  });

  test('errors again and again: the app stops restarting and says so', async () => {
    const events = new EventEmitter();
    const b = await bootApp({ processEvents: events, crashLimit: { count: 1, windowMs: 60_000 } });
    running.push(b);
    const initial = b.desktop.hub();
    events.emit('uncaughtException', new Error('first'));
    await until(() => b.desktop.hub() !== initial, 'a restart');
    const afterFirst = b.desktop.hub();
    events.emit('uncaughtException', new Error('second'));
    assert.equal(b.fake.errorBoxes.length, 1);
    assert.equal(b.fake.errorBoxes[0]!.title, 'Lanboard keeps failing');
    assert.match(b.fake.errorBoxes[0]!.content, /second/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(b.desktop.hub(), afterFirst, 'no restart after giving up');
  });

  test('a dead renderer is recorded and the dashboard reloaded; a helper that dies is recorded', async () => {
    const b = await bootApp();
    running.push(b);
    const win = b.fake.BrowserWindow.all[0]!;
    const loads = win.loaded.length;
    b.fake.app.emit('render-process-gone', preventable(), win.webContents, {
      reason: 'crashed',
      exitCode: 11,
    });
    b.fake.app.emit('render-process-gone', preventable(), new FakeWebContents(), {
      reason: 'oom',
      exitCode: 1,
    });
    b.fake.app.emit('child-process-gone', preventable(), {
      type: 'GPU',
      reason: 'crashed',
      exitCode: 139,
    });
    b.fake.app.emit('child-process-gone', preventable(), {
      type: 'Utility',
      reason: 'clean-exit',
      exitCode: 0,
    });
    assert.equal(win.loaded.length, loads + 1);
    assert.equal(win.loaded.at(-1), win.loaded[0]);
    assert.deepEqual(
      records(path.join(b.userData, 'logs', 'crashes.log')).map((r) => [
        r.kind,
        r.message,
        r.action,
      ]),
      [
        ['render-process-gone', 'renderer crashed (exit code 11)', 'reloaded the window'],
        ['render-process-gone', 'renderer oom (exit code 1)', 'recorded'],
        ['child-process-gone', 'GPU crashed (exit code 139)', 'recorded'],
      ],
    );
  });

  test('the log rotates by size: the current file and the kept ones stay under the limit', async () => {
    const limits = { maxBytes: 2048, keep: 2 };
    const b = await bootApp({ logLimits: limits });
    running.push(b);
    const url = `${b.desktop.hub()!.url().replace('http', 'ws')}/socket`;
    // Each join is a log line of about 200 bytes at info: 40 of them rotate the file three times.
    for (let i = 0; i < 40; i++)
      await (await ZwibblerClient.join(url, { docId: `doc-${i}` })).close();
    await b.desktop.supervisor.restart();
    const logFile = path.join(b.userData, 'logs', 'lanboard.log');
    await until(() => fs.existsSync(rotatedName(logFile, 2)), 'two rotations');
    const files = fs.readdirSync(path.dirname(logFile)).filter((f) => f.startsWith('lanboard.'));
    assert.deepEqual(files.sort(), ['lanboard.1.log', 'lanboard.2.log', 'lanboard.log']);
    for (const f of files)
      assert.ok(fs.statSync(path.join(path.dirname(logFile), f)).size <= limits.maxBytes, f);
    // Every kept line is a whole JSON line.
    for (const f of files)
      for (const l of fs.readFileSync(path.join(path.dirname(logFile), f), 'utf8').split('\n'))
        if (l) JSON.parse(l);
  });
});
