// Windows keeps the data in Local AppData: a Roaming folder from an earlier
// version moves there once, with the settings file's paths rewritten, and a
// move that fails leaves the app on the old folder rather than an empty one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ZwibblerClient } from '../server/test/zwibbler-client';
import { migrateUserData, rewritePaths } from './data-location';
import { userDataDir } from './paths';
import { bootApp, TEST_ENV } from './test/boot';
import { FakeApp } from './test/fake-electron';
import { fakeWindows } from './test/fake-windows';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-data-location-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A Roaming folder as an earlier version left it. */
function roamingFolder(name: string): { roaming: string; local: string; from: string; to: string } {
  const roaming = path.join(tmp, name, 'Roaming');
  const local = path.join(tmp, name, 'Local');
  const from = path.join(roaming, 'Lanboard');
  fs.mkdirSync(path.join(from, 'data'), { recursive: true });
  fs.writeFileSync(
    path.join(from, 'lanboard.conf'),
    `# Lanboard settings\nDataDir=${path.join(from, 'data')}\nServerPort=3000\n`,
  );
  fs.writeFileSync(path.join(from, 'data', 'lanboard.db'), 'the class database');
  return { roaming, local, from, to: path.join(local, 'Lanboard') };
}

describe('where the data lives', () => {
  test('Windows: Local AppData; elsewhere: Electron appData', () => {
    const app = new FakeApp('/home/t/AppData/Roaming');
    app.setPath('home', '/home/t');
    assert.equal(
      userDataDir(app as never, 'win32', { LOCALAPPDATA: 'C:/Users/t/AppData/Local' }),
      'C:/Users/t/AppData/Local/Lanboard',
    );
    assert.equal(userDataDir(app as never, 'win32', {}), '/home/t/AppData/Local/Lanboard');
    assert.equal(userDataDir(app as never, 'darwin', {}), '/home/t/AppData/Roaming/Lanboard');
    assert.equal(
      userDataDir(app as never, 'linux', { LOCALAPPDATA: '/x' }),
      '/home/t/AppData/Roaming/Lanboard',
    );
  });
});

describe('rewritePaths', () => {
  test('values inside the old folder move; comments, other values and look-alike folders stay', () => {
    const from = path.join('/r', 'Lanboard');
    const to = path.join('/l', 'Lanboard');
    const text = [
      `# DataDir=${from}/data (a comment)`,
      `DataDir=${from}/data`,
      `CertFile = ${from}/tls/cert.pem`,
      `KeyFile=${from}Old/key.pem`,
      'ServerPort=3000',
      '',
    ].join('\n');
    assert.equal(
      rewritePaths(text, from, to),
      [
        `# DataDir=${from}/data (a comment)`,
        `DataDir=${to}/data`,
        `CertFile = ${to}/tls/cert.pem`,
        `KeyFile=${from}Old/key.pem`,
        'ServerPort=3000',
        '',
      ].join('\n'),
    );
  });
});

describe('migrateUserData', () => {
  test('moves the folder and rewrites DataDir; a second run has nothing to do', () => {
    const { from, to } = roamingFolder('move');
    assert.deepEqual(migrateUserData(from, to), { outcome: 'moved', from, to });
    assert.equal(fs.existsSync(from), false);
    assert.equal(
      fs.readFileSync(path.join(to, 'data', 'lanboard.db'), 'utf8'),
      'the class database',
    );
    assert.match(
      fs.readFileSync(path.join(to, 'lanboard.conf'), 'utf8'),
      new RegExp(`^DataDir=${to.replace(/[/\\]/g, '.')}.data$`, 'm'),
    );
    assert.deepEqual(migrateUserData(from, to), { outcome: 'nothing to move' });
  });

  test('both folders with settings: the Local one wins, the Roaming one is left alone', () => {
    const { from, to } = roamingFolder('both');
    fs.mkdirSync(to, { recursive: true });
    fs.writeFileSync(path.join(to, 'lanboard.conf'), 'ServerPort=3001\n');
    assert.deepEqual(migrateUserData(from, to), { outcome: 'already moved' });
    assert.ok(fs.existsSync(path.join(from, 'data', 'lanboard.db')));
  });

  test('a Local folder without settings is set aside, not merged', () => {
    const { from, to } = roamingFolder('aside');
    fs.mkdirSync(path.join(to, 'logs'), { recursive: true });
    assert.equal(migrateUserData(from, to).outcome, 'moved');
    const aside = fs
      .readdirSync(path.dirname(to))
      .filter((n) => n.startsWith('Lanboard.before-move-'));
    assert.equal(aside.length, 1);
    assert.ok(fs.existsSync(path.join(path.dirname(to), aside[0]!, 'logs')));
  });

  test('to another drive (EXDEV): copied, then the copy renamed into place, then the old folder removed', (t) => {
    const shm = '/dev/shm';
    if (!fs.existsSync(shm) || fs.statSync(shm).dev === fs.statSync(tmp).dev)
      return t.skip('no second file system here to move across');
    const { from } = roamingFolder('exdev');
    const to = path.join(fs.mkdtempSync(path.join(shm, 'lanboard-local-')), 'Lanboard');
    try {
      assert.deepEqual(migrateUserData(from, to), { outcome: 'moved', from, to });
      assert.equal(fs.existsSync(from), false);
      assert.equal(fs.existsSync(`${to}.moving`), false);
      assert.equal(
        fs.readFileSync(path.join(to, 'data', 'lanboard.db'), 'utf8'),
        'the class database',
      );
    } finally {
      fs.rmSync(path.dirname(to), { recursive: true, force: true });
    }
  });

  test('a move that fails is reported and leaves the old folder whole', () => {
    const { from } = roamingFolder('fails');
    const blocked = path.join(tmp, 'fails', 'not-a-folder');
    fs.writeFileSync(blocked, '');
    const result = migrateUserData(from, path.join(blocked, 'Lanboard'));
    assert.equal(result.outcome, 'failed');
    assert.ok(fs.existsSync(path.join(from, 'data', 'lanboard.db')));
  });
});

describe('the app on Windows', () => {
  test("an earlier version's Roaming data opens from Local AppData, boards and all", async () => {
    const root = path.join(tmp, 'app');
    const roaming = path.join(root, 'Roaming');
    const local = path.join(root, 'Local');
    fs.mkdirSync(roaming, { recursive: true });

    // As the earlier version ran it: everything under Electron's appData.
    const before = await bootApp({ appData: roaming, platform: 'linux' });
    const url = `${before.desktop.hub()!.url().replace('http', 'ws')}/socket`;
    const writer = await ZwibblerClient.join(url, { docId: 'kept' });
    writer.append(0, 'drawn before the upgrade');
    await writer.nextOf('ack-nack');
    await before.quit();
    await writer.closed;

    const env = { LANBOARD_SERVER_PORT: '0', ...TEST_ENV, LOCALAPPDATA: local };
    // Windows Firewall already allows Lanboard: no question in the way.
    const allowed = [{ DisplayName: 'Lanboard', Action: 'Allow', Profile: 'Private, Domain' }];
    const commands = fakeWindows({ rules: allowed }).run;
    const after = await bootApp({ appData: roaming, platform: 'win32', env, commands });
    const userData = path.join(local, 'Lanboard');
    assert.equal(after.fake.app.getPath('userData'), userData);
    assert.equal(after.desktop.paths.userData, userData);
    assert.equal(fs.existsSync(path.join(roaming, 'Lanboard')), false);
    assert.equal(after.desktop.hub()!.config.DataDir, path.join(userData, 'data'));
    const reader = await ZwibblerClient.join(
      `${after.desktop.hub()!.url().replace('http', 'ws')}/socket`,
      { docId: 'kept' },
    );
    const first = reader.messages[0] as { data: Uint8Array };
    assert.equal(Buffer.from(first.data).toString(), 'drawn before the upgrade');
    await reader.close();
    assert.ok(
      after.desktop.supervisor.logs
        .recent()
        .some((l) => l.includes('moved the data to Local AppData')),
    );
    await after.quit();

    // The next start finds it in place.
    const again = await bootApp({ appData: roaming, platform: 'win32', env, commands });
    assert.equal(again.desktop.paths.userData, userData);
    assert.ok(!again.desktop.supervisor.logs.recent().some((l) => l.includes('moved the data')));
    await again.quit();
  });
});
