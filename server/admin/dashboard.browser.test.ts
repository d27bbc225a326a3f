// The dashboard in Debian's Chromium against a real hub run by the same
// supervisor `lanboard serve` uses, with real `ws` Zwibbler clients. Each step
// waits for what the page should show (generous timeouts, nothing timed).
// Screenshots go to test-results/screenshots/ (git-ignored) for review.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { HubSupervisor } from '../host/supervisor';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { adminCall, eventually } from '../test/admin-client';
import type { ConfigView } from './api-types';
import { ensureDashboardBuilt, SCREENSHOTS as SHOTS, startServedHub } from '../test/dashboard-hub';
import { freePort, tempDir } from '../test/hub-fixture';
import { ZwibblerClient } from '../test/zwibbler-client';

const WAIT = { timeout: 30_000 };

const skip = chromiumMissing();
if (skip) console.log(`# skipping the dashboard browser tests: ${skip}`);

describe('dashboard in Chromium', { skip }, () => {
  const dir = tempDir();
  let file: string;
  let supervisor: HubSupervisor;
  let browser: TestBrowser;
  let context: BrowserContext;
  let page: Page;
  const clients: ZwibblerClient[] = [];
  const wsUrl = () => `${supervisor.current.url().replace(/^http/, 'ws')}/socket`;
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (title: string) =>
    page.getByRole('navigation').getByRole('link', { name: title }).click();

  before(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    ({ supervisor, file } = await startServedHub(dir.dir));
    browser = await launchBrowser();
    context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    page = await context.newPage();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await browser?.close();
    await supervisor?.stop();
    dir.remove();
  });

  test('the token leaves the address bar for an HttpOnly login cookie; the overview loads', async () => {
    const url = supervisor.current.dashboardUrl();
    await page.goto(url);
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
    assert.ok(!page.url().includes('token'), page.url());
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    const cookies = await context.cookies(url);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true);
    await page.getByRole('heading', { name: 'Students join at' }).waitFor(WAIT);
    // Only loopback clients so far: the firewall hint and its self-test, which says
    // it checked from this computer only.
    await page.getByRole('button', { name: 'Run the self-test' }).click();
    await page
      .getByText(/answers here \(\d+ ms\)/)
      .first()
      .waitFor(WAIT);
    await page.getByText(/^Checked from this computer only\./).waitFor(WAIT);
    await shot('overview-light');
  });

  test('the sessions table shows a session when a client joins and drops it when it leaves', async () => {
    await nav('Sessions');
    await page.getByTestId('sessions-empty').waitFor(WAIT);
    const client = await ZwibblerClient.join(wsUrl(), { docId: 'browser-doc' });
    clients.push(client);
    client.append(0, 'drawn in the test');
    await client.nextOf('ack-nack');
    const row = page.locator('tr[data-session="zwibbler:browser-doc"]');
    await row.waitFor(WAIT);
    await row.getByRole('button', { name: 'Clients of browser-doc' }).click();
    await page
      .getByRole('table', { name: 'Clients of browser-doc' })
      .getByText('127.0.0.1')
      .waitFor(WAIT);
    await shot('sessions');
    await client.close();
    await row.waitFor({ state: 'detached', ...WAIT });
    await page.getByTestId('sessions-empty').waitFor(WAIT);
  });

  test("the overview's hint agrees with its counts: a client on this computer is no student device", async () => {
    const client = await ZwibblerClient.join(wsUrl(), { docId: 'overview-doc' });
    clients.push(client);
    await nav('Overview');
    await page.getByTestId('total-clients').filter({ hasText: /^1$/ }).waitFor(WAIT);
    await page
      .getByTestId('local-clients')
      .filter({ hasText: 'The 1 client connected now is on this computer' })
      .waitFor(WAIT);
    await client.close();
    await page.getByTestId('local-clients').waitFor({ state: 'detached', ...WAIT });
  });

  test('the connections chart gets points, in 5 min, 1 hour and 24 hours, with a legend showing values', async () => {
    await nav('Connections');
    const chart = page.locator('.chart');
    await chart.locator('canvas').waitFor(WAIT);
    // Polled from here: the page's CSP forbids the eval that waitForFunction needs.
    await eventually(
      async () => Number(await chart.getAttribute('data-points')) >= 3,
      WAIT.timeout,
    );
    // The legend shows the latest values without hovering: numbers, never "--".
    for (const series of ['accent', 'accent-2']) {
      assert.match((await page.getByTestId(`legend-${series}`).textContent()) ?? '', /^\d+$/);
    }
    await shot('connections');
    for (const [label, range] of [
      ['5 min', '5m'],
      ['24 hours', '24h'],
    ] as const) {
      await page.getByRole('button', { name: label }).click();
      await eventually(
        async () =>
          (await chart.getAttribute('data-range')) === range &&
          Number(await chart.getAttribute('data-points')) >= 1,
        WAIT.timeout,
        `no points for ${range}`,
      );
    }
    assert.equal(
      await page.getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed'),
      'true',
    );
    await shot('connections-24h');
  });

  test('a log line appears in the live tail, and search narrows it', async () => {
    await nav('Logs');
    const client = await ZwibblerClient.join(wsUrl(), { docId: 'log-line-doc' });
    clients.push(client);
    const tail = page.getByRole('log');
    await tail.getByText(/client joined.*log-line-doc/).waitFor(WAIT);
    // Readable: the level as a tag, the message, the fields as chips, no JSON.
    const line = tail.locator('.log-line', { hasText: 'log-line-doc' }).first();
    assert.equal(await line.locator('.log-level').textContent(), 'INFO');
    await line.locator('.chip', { hasText: 'log-line-doc' }).waitFor(WAIT);
    assert.doesNotMatch((await line.textContent()) ?? '', /[{"]/);
    await page.getByLabel('Search').fill('log-line-doc');
    await eventually(async () => {
      const lines = await page.locator('.log-line').allTextContents();
      return lines.length > 0 && lines.every((l) => l.includes('log-line-doc'));
    }, WAIT.timeout);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText(/Copied \d+ lines/).waitFor(WAIT);
    await shot('logs');
    await client.close();
  });

  test('a bad port in Settings shows the API error beside the field, and nothing is saved', async () => {
    const before = fs.readFileSync(file, 'utf8');
    await nav('Settings');
    const port = page.locator('#setting-ServerPort');
    assert.equal(
      await page.getByLabel('Port', { exact: true }).getAttribute('id'),
      'setting-ServerPort',
    );
    await port.fill('99999');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const error = page.locator('#setting-ServerPort-error');
    await error.filter({ hasText: 'expected an integer from 0 to 65535' }).waitFor(WAIT);
    assert.equal(await port.getAttribute('aria-invalid'), 'true');
    await shot('settings-error');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });

  test('every setting is on the page, grouped, or listed as file-only with its reason; help shows no backticks', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor(WAIT);
    const groups = await page.locator('.setting-group > summary').allTextContents();
    assert.deepEqual(groups, [
      'Network and discovery',
      'Security',
      'Classes',
      'Storage',
      'Logging',
      'Advanced',
    ]);
    const token = new URLSearchParams(supervisor.current.dashboardUrl().split('#')[1]).get(
      'token',
    )!;
    const config = await adminCall<ConfigView>(supervisor.current.url(), 'config', { token });
    const missing: string[] = [];
    for (const s of config.body.settings) {
      const where = s.fileOnly
        ? `[data-file-only="${s.key}"]`
        : `.setting-group [data-key="${s.key}"]`;
      if ((await page.locator(where).count()) !== 1) missing.push(s.key);
    }
    assert.deepEqual(missing, [], 'settings neither on the page nor listed as file-only');
    assert.ok(config.body.settings.some((s) => s.fileOnly));
    const text = await page.locator('main').textContent();
    assert.doesNotMatch(text ?? '', /`/);
    // The key is shown small beside its label in words.
    await page
      .locator('[data-key="Mdns"] .setting-key')
      .filter({ hasText: /^Mdns$/ })
      .waitFor(WAIT);
    await shot('settings');
  });

  test('a restart says first what it does to the people connected', async () => {
    const client = await ZwibblerClient.join(wsUrl(), { docId: 'restart-note-doc' });
    clients.push(client);
    await page
      .getByTestId('restart-note')
      .filter({
        hasText:
          '1 student device or board is connected; their boards will reconnect by themselves',
      })
      .waitFor(WAIT);
    await client.close();
  });

  test('Apply and restart: a setting saved with its unit, and the page recovers', async () => {
    const first = supervisor.current;
    await page.reload();
    // Its default is never: the amount opens once a unit is picked.
    assert.equal(await page.locator('#setting-Expiration-unit').inputValue(), 'never');
    await page.locator('#setting-Expiration-unit').selectOption('days');
    await page.locator('#setting-Expiration').fill('7');
    await page.getByRole('button', { name: 'Apply and restart' }).click();
    await page.getByText('The hub restarted with the saved settings.').waitFor(WAIT);
    assert.notEqual(supervisor.current, first);
    assert.match(fs.readFileSync(file, 'utf8'), /^# Test hub$[\s\S]*^Expiration=604800$/m);
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
  });

  test('Apply and restart after a port change asks first, then follows the hub to its new address', async () => {
    const newPort = await freePort();
    await page.locator('#setting-ServerPort').fill(String(newPort));
    await page
      .getByTestId('restart-note')
      .filter({ hasText: /Nobody is connected|changes ServerPort/ })
      .waitFor(WAIT);
    const before = fs.readFileSync(file, 'utf8');
    const running = supervisor.current;
    // A restart that moves the hub asks first, and says whether open boards can follow.
    const confirm = page.getByRole('alertdialog', { name: 'The hub moves to a new address' });
    await page.getByRole('button', { name: 'Apply and restart' }).click();
    await confirm
      .getByText('Open boards follow the hub to its new address by themselves')
      .waitFor(WAIT);
    for (const width of [390, 768, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await confirm.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, `settings-confirm-move-${width}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 720 }); // Playwright's default, as before
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Not applied: nothing was saved or restarted.').waitFor(WAIT);
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'nothing saved');
    assert.equal(supervisor.current, running, 'nothing restarted');

    await page.getByRole('button', { name: 'Apply and restart' }).click();
    await confirm.getByRole('button', { name: 'Move the hub' }).click();
    await page.waitForURL((u) => u.port === String(newPort), WAIT);
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
    assert.ok(!page.url().includes('token'), page.url());
    assert.equal(new URL(supervisor.current.url()).port, String(newPort));
    await page.getByText(`Running: ${newPort}`).waitFor(WAIT);
    await shot('settings-after-restart');
  });

  test('in the desktop app, Settings offers file pickers, start at login and the logs folder', async () => {
    const [base, hash] = supervisor.current.dashboardUrl().split('#');
    const token = new URLSearchParams(hash).get('token')!;
    const desktopPage = await context.newPage();
    // The preload's API as the app exposes it (app/ipc-contract.ts), recording what it is asked.
    await desktopPage.addInitScript(`window.lanboardDesktop = {
      adminConnection: async () => ({ url: ${JSON.stringify(base)}, token: ${JSON.stringify(token)} }),
      pickFile: async (kind) => (kind === 'cert' ? 'picked/cert.pem' : 'picked/key.pem'),
      openLogsFolder: async () => { window.openedLogs = (window.openedLogs || 0) + 1; },
      getAutostart: async () => Boolean(window.autostart),
      setAutostart: async (on) => (window.autostart = on),
      networkStatus: async () => null, // not Windows
      allowThroughFirewall: async () => ({ ok: false, message: 'not Windows' }),
    };`);
    try {
      await desktopPage.goto(base!); // no token in the address: it comes from the preload
      await desktopPage.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
      await desktopPage.getByRole('button', { name: 'Choose the certificate file' }).click();
      await eventually(
        async () =>
          (await desktopPage.locator('#setting-CertFile').inputValue()) === 'picked/cert.pem',
        30_000,
        'the picked certificate path did not fill the field',
      );
      await desktopPage.getByLabel(/Start Lanboard when I log in/).check();
      await eventually(
        async () => (await desktopPage.evaluate('window.autostart')) === true,
        30_000,
        'start at login was not set',
      );
      await desktopPage.getByRole('button', { name: 'Open the logs folder' }).click();
      await eventually(
        async () => (await desktopPage.evaluate('window.openedLogs')) === 1,
        30_000,
        'the logs folder was not opened',
      );
    } finally {
      await desktopPage.close();
    }
  });

  test('dark theme', async () => {
    await page.getByLabel('Colour theme').selectOption('dark');
    await nav('Overview');
    await page.getByRole('heading', { name: 'Overview' }).waitFor(WAIT);
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    assert.equal(bg, 'rgb(21, 23, 28)');
    await shot('overview-dark');
  });
});
