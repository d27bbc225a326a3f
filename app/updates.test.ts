// Updates against a stand-in for GitHub's releases API on 127.0.0.1: a newer
// release is offered when no device is connected, never during a lesson;
// its page opens in the browser; Skip remembers; UpdateCheck=0 asks nothing;
// a page outside the repository is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../server/index';
import { ZwibblerClient } from '../server/test/zwibbler-client';
import { StateFile } from './app-state';
import { bootApp, TEST_ENV } from './test/boot';
import type { Booted } from './test/boot';
import { FakeElectron, FakeTray } from './test/fake-electron';
import { compareVersions, githubRepository, latestRelease, UpdateOffer } from './updates';

const REPO = { owner: 'lanboard-test', repo: 'lanboard' };
const PAGE = 'https://github.com/lanboard-test/lanboard/releases/tag/v9.1.0';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-updates-'));

/** GitHub's answer, as the test sets it; every request path is recorded. */
const github = {
  status: 200,
  body: { tag_name: 'v9.1.0', html_url: PAGE } as Record<string, unknown>,
  requests: [] as Array<{ path: string; userAgent: string | undefined }>,
};
const server = http.createServer((req, res) => {
  github.requests.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] });
  res.writeHead(github.status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(github.body));
});
let apiBase = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(tmp, { recursive: true, force: true });
});

function reset(): void {
  github.status = 200;
  github.body = { tag_name: 'v9.1.0', html_url: PAGE };
  github.requests.length = 0;
}

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the pieces', () => {
  test("package.json's repository, in the forms npm accepts", () => {
    for (const field of [
      'github:lanboard-test/lanboard',
      'lanboard-test/lanboard',
      'https://github.com/lanboard-test/lanboard',
      { type: 'git', url: 'git+https://github.com/lanboard-test/lanboard.git' },
      { url: 'git@github.com:lanboard-test/lanboard.git' },
    ])
      assert.deepEqual(githubRepository(field), REPO, JSON.stringify(field));
    for (const field of [undefined, '', 'gitlab:o/r', 'https://example.org/o/r', { url: 3 }])
      assert.equal(githubRepository(field), undefined, JSON.stringify(field));
  });

  test('versions compare by number, a pre-release before its release', () => {
    assert.equal(compareVersions('0.10.0', '0.9.9'), 1);
    assert.equal(compareVersions('v1.2.3', '1.2.3'), 0);
    assert.equal(compareVersions('1.2.3', '1.2.4'), -1);
    assert.equal(compareVersions('2.0.0-beta.1', '2.0.0'), -1);
    assert.equal(compareVersions('2.0.0', '2.0.0-beta.1'), 1);
  });

  test('latestRelease asks /repos/<owner>/<repo>/releases/latest and checks the page', async () => {
    reset();
    assert.deepEqual(await latestRelease(REPO, { apiBase, currentVersion: '0.1.0' }), {
      version: '9.1.0',
      url: PAGE,
    });
    assert.deepEqual(github.requests, [
      { path: '/repos/lanboard-test/lanboard/releases/latest', userAgent: 'Lanboard/0.1.0' },
    ]);
    github.body = {
      tag_name: 'v9.1.0',
      html_url: 'https://evil.example/lanboard-test/lanboard/releases/x',
    };
    await assert.rejects(latestRelease(REPO, { apiBase, currentVersion: '0.1.0' }), /not under/);
    github.body = {
      tag_name: 'v9.1.0',
      html_url: 'https://github.com/someone/else/releases/tag/v9.1.0',
    };
    await assert.rejects(latestRelease(REPO, { apiBase, currentVersion: '0.1.0' }), /not under/);
    github.body = { tag_name: 'nightly', html_url: PAGE };
    await assert.rejects(
      latestRelease(REPO, { apiBase, currentVersion: '0.1.0' }),
      /not a version tag/,
    );
    github.status = 404;
    await assert.rejects(
      latestRelease(REPO, { apiBase, currentVersion: '0.1.0' }),
      /GitHub answered 404/,
    );
  });

  test('a failed check is retried later, not at every tick', async () => {
    reset();
    github.status = 500;
    let t = 0;
    const fake = new FakeElectron(tmp);
    const offer = new UpdateOffer({
      repository: REPO,
      currentVersion: '0.1.0',
      enabled: () => true,
      dialog: fake.dialog,
      shell: fake.shell,
      state: new StateFile(path.join(tmp, 'state-retry.json')),
      log: createLogger({ level: 'silent' }),
      apiBase,
      firstDelayMs: 0,
      retryMs: 1000,
      now: () => t,
    });
    offer.tick(0);
    await until(() => github.requests.length === 1, 'the first check');
    await new Promise((r) => setTimeout(r, 50));
    offer.tick(0);
    t = 999;
    offer.tick(0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(github.requests.length, 1);
    github.status = 200;
    t = 1000;
    offer.tick(0);
    await until(() => offer.available?.version === '9.1.0', 'the retry');
  });
});

describe('the app', () => {
  const updates = () => ({ repository: REPO, apiBase, firstDelayMs: 0 });

  test('offered when nobody is connected, never during a lesson; the page opens in the browser', async () => {
    reset();
    // The teacher answers "Open the download page".
    const b = await bootApp({
      updates: updates(),
      prepare: (fake) => fake.messageBoxAnswers.push(0),
    });
    running.push(b);
    await until(() => b.fake.messageBoxes.length === 1, 'the offer');
    const box = b.fake.messageBoxes[0]!;
    assert.equal(box.message, 'Lanboard 9.1.0 is available');
    assert.deepEqual(box.buttons, ['Open the download page', 'Later', 'Skip this version']);
    await until(() => b.fake.externalUrls.length === 1, 'the page to open');
    assert.deepEqual(b.fake.externalUrls, [PAGE]);
    // The tray keeps the download at hand.
    const tray = FakeTray.all[0]!;
    await until(
      () => tray.menu!.items.some((i) => i.label === 'Download Lanboard 9.1.0…'),
      'the tray item',
    );
    tray.click('Download Lanboard 9.1.0…');
    assert.deepEqual(b.fake.externalUrls, [PAGE, PAGE]);
  });

  test('found during a lesson: the offer waits until the last device has left', async () => {
    reset();
    const b = await bootApp({ updates: { ...updates(), firstDelayMs: 3000 } });
    running.push(b);
    const url = `${b.desktop.hub()!.url().replace('http', 'ws')}/socket`;
    const client = await ZwibblerClient.join(url, { docId: 'lesson' });
    await until(() => github.requests.length === 1, 'the check', 10_000);
    await new Promise((r) => setTimeout(r, 4500)); // two more polls with a device connected
    assert.deepEqual(b.fake.messageBoxes, [], 'no offer in the middle of a lesson');
    await client.close();
    await until(() => b.fake.messageBoxes.length === 1, 'the offer once the lesson is over');
  });

  test('Skip this version: not offered again; the same version: nothing', async () => {
    reset();
    const appData = fs.mkdtempSync(path.join(tmp, 'skip-'));
    const first = await bootApp({
      appData,
      updates: updates(),
      prepare: (fake) => fake.messageBoxAnswers.push(2),
    });
    await until(() => first.fake.messageBoxes.length === 1, 'the offer');
    await until(
      () => fs.existsSync(path.join(first.userData, 'desktop-state.json')),
      'the skip to be kept',
    );
    await first.quit();
    const second = await bootApp({ appData, updates: updates() });
    running.push(second);
    await until(() => github.requests.length === 2, 'the second check');
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(second.fake.messageBoxes, []);

    github.body = { tag_name: 'v0.1.0', html_url: PAGE.replace('9.1.0', '0.1.0') };
    const same = await bootApp({ updates: updates() });
    running.push(same);
    await until(() => github.requests.length === 3, 'a check');
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(same.fake.messageBoxes, []);
  });

  test('UpdateCheck=0 (as IT sets it, LANBOARD_UPDATE_CHECK=0): GitHub is never asked', async () => {
    reset();
    const b = await bootApp({
      env: { LANBOARD_SERVER_PORT: '0', ...TEST_ENV, LANBOARD_UPDATE_CHECK: '0' },
      updates: updates(),
    });
    running.push(b);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(github.requests, []);
    assert.deepEqual(b.fake.messageBoxes, []);
  });

  test('a development build (no repository in package.json) never checks', async () => {
    reset();
    const b = await bootApp({ updates: { apiBase, firstDelayMs: 0 } });
    running.push(b);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(github.requests, []);
  });
});
