// The computer stays awake exactly while devices are connected, and the tray
// says so; its icon shows running or stopped in each OS's form.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '../server/index';
import { ZwibblerClient } from '../server/test/zwibbler-client';
import { KeepAwake } from './keep-awake';
import { bootApp } from './test/boot';
import type { Booted } from './test/boot';
import { FakeElectron, FakeTray } from './test/fake-electron';
import { AWAKE_TEXT, StatusTray, trayIcons } from './tray';

const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
});

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const labels = (tray: FakeTray) => tray.menu!.items.filter((i) => i.label).map((i) => i.label);

describe('KeepAwake', () => {
  test('one prevent-app-suspension blocker from the first connection to the last', () => {
    const fake = new FakeElectron('/nonexistent');
    const keep = new KeepAwake(fake.powerSaveBlocker as never, createLogger({ level: 'silent' }));
    assert.equal(keep.update(0), false);
    assert.equal(keep.update(1), true);
    assert.equal(keep.update(5), true);
    assert.deepEqual([...fake.powerBlockers.values()], ['prevent-app-suspension']);
    assert.equal(keep.update(0), false);
    assert.equal(fake.powerBlockers.size, 0);
    keep.update(2);
    keep.release();
    assert.equal(fake.powerBlockers.size, 0);
    assert.equal(keep.active, false);
  });
});

describe('the tray', () => {
  test('icons per OS: macOS template images, Windows .ico, Linux PNG', () => {
    assert.deepEqual(trayIcons('/app/build/tray', 'darwin'), {
      running: '/app/build/tray/trayRunningTemplate.png',
      stopped: '/app/build/tray/trayStoppedTemplate.png',
    });
    assert.deepEqual(trayIcons('/app/build/tray', 'win32'), {
      running: '/app/build/tray/tray-running.ico',
      stopped: '/app/build/tray/tray-stopped.ico',
    });
    assert.deepEqual(trayIcons('/app/build/tray', 'linux'), {
      running: '/app/build/tray/tray-running.png',
      stopped: '/app/build/tray/tray-stopped.png',
    });
  });

  test('starts stopped, switches its icon with the hub, and names the kept-awake state', () => {
    const fake = new FakeElectron('/nonexistent');
    const icons = { running: '/r.png', stopped: '/s.png' };
    const tray = new StatusTray(fake.api, icons, {
      openDashboard: () => undefined,
      copyJoinLink: () => undefined,
      downloadUpdate: () => undefined,
      quit: () => undefined,
    });
    const t = FakeTray.all[0]!;
    assert.deepEqual(t.current, { path: '/s.png' });
    tray.update({ port: 3000, connections: 2, awake: true });
    assert.deepEqual(t.current, { path: '/r.png' });
    assert.equal(
      t.tooltip,
      'Lanboard: running on port 3000, 2 connections; keeping the computer awake',
    );
    assert.deepEqual(labels(t), [
      'Lanboard: running on port 3000, 2 connections',
      AWAKE_TEXT,
      'Open dashboard',
      'Copy join link',
      'Quit',
    ]);
    tray.update({ port: 3000, connections: 0, awake: false });
    assert.equal(labels(t)[1], 'Open dashboard');
    tray.update(undefined);
    assert.deepEqual(t.current, { path: '/s.png' });
    assert.equal(t.images.length, 2, 'the image is set only when the state changes');
  });
});

describe('the app', () => {
  test('a device connects: the computer is kept awake and the tray says so; it leaves: released', async () => {
    const b = await bootApp();
    running.push(b);
    const tray = FakeTray.all[0]!;
    const shown = () => path.basename((tray.current as { path: string }).path);
    assert.equal(shown(), 'tray-running.png', 'the running icon once the hub is up');
    assert.equal(b.fake.powerBlockers.size, 0, 'nobody connected: the computer may sleep');

    const url = `${b.desktop.hub()!.url().replace('http', 'ws')}/socket`;
    const client = await ZwibblerClient.join(url, { docId: 'lesson' });
    await until(() => b.fake.powerBlockers.size === 1, 'the power blocker');
    assert.deepEqual([...b.fake.powerBlockers.values()], ['prevent-app-suspension']);
    await until(() => labels(tray).includes(AWAKE_TEXT), 'the tray line');

    await client.close();
    await until(() => b.fake.powerBlockers.size === 0, 'the blocker to be released');
    await until(() => !labels(tray).includes(AWAKE_TEXT), 'the tray line to go');
  });

  test('quitting in the middle of a lesson releases the blocker', async () => {
    const b = await bootApp();
    const url = `${b.desktop.hub()!.url().replace('http', 'ws')}/socket`;
    const client = await ZwibblerClient.join(url, { docId: 'lesson' });
    await until(() => b.fake.powerBlockers.size === 1, 'the power blocker');
    await b.quit();
    await client.closed;
    assert.equal(b.fake.powerBlockers.size, 0);
  });
});
