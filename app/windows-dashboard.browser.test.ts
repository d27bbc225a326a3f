// The dashboard as the Windows desktop app shows it, in Debian's Chromium
// against a real hub: a stand-in for the preload's bridge (the same
// DesktopApi, answering as Windows on a café's network with no firewall rule
// would) makes the Overview warn about the Public network and offer the
// rule; the self-test says it checked from this computer only. In a plain
// browser none of the Windows part shows. Screenshots at phone, tablet and
// laptop widths go to test-results/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { HubSupervisor } from '../server/index';
import { chromiumMissing, launchBrowser } from '../server/test/browser';
import type { TestBrowser } from '../server/test/browser';
import { ensureDashboardBuilt, SCREENSHOTS, startServedHub } from '../server/test/dashboard-hub';
import { tempDir } from '../server/test/hub-fixture';
import { bridgeScript } from './test/desktop-bridge';

const WAIT = { timeout: 30_000 };
const skip = chromiumMissing();

describe('the Overview in the Windows desktop app', { skip }, () => {
  const dir = tempDir();
  let supervisor: HubSupervisor;
  let browser: TestBrowser;

  before(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    ({ supervisor } = await startServedHub(dir.dir));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await supervisor?.stop();
    dir.remove();
  });

  async function open(width: number, bridge: boolean): Promise<Page> {
    const dashboard = new URL(supervisor.current.dashboardUrl());
    const token = new URLSearchParams(dashboard.hash.slice(1)).get('token')!;
    dashboard.hash = '';
    const context = await browser.browser.newContext({ viewport: { width, height: 900 } });
    await context.addInitScript('globalThis.__name = (f) => f;');
    if (bridge) await context.addInitScript(bridgeScript(dashboard.href, token));
    const page = await context.newPage();
    // As the window loads it: no token in the address; in a browser, the token in the fragment.
    await page.goto(bridge ? dashboard.href : supervisor.current.dashboardUrl());
    await page.getByRole('heading', { name: 'No student device has connected yet' }).waitFor(WAIT);
    return page;
  }

  for (const width of [390, 1024, 1280]) {
    test(`${width} px: the Public network, the firewall offer, and a self-test checked from here only`, async () => {
      const page = await open(width, true);
      const alert = page.getByTestId('windows-network').getByRole('alert');
      await alert.waitFor(WAIT);
      assert.match(await alert.innerText(), /Windows treats “Cafe Wi-Fi” as a Public network/);
      await page.getByRole('button', { name: 'Run the self-test' }).click();
      await page
        .getByText(/answers here \(\d+ ms\)/)
        .first()
        .waitFor(WAIT);
      assert.match(
        await page.getByTestId('selftest-scope').innerText(),
        /^Checked from this computer only\./,
      );
      await page.screenshot({
        path: path.join(SCREENSHOTS, `overview-windows-${width}.png`),
        fullPage: true,
      });

      await page.getByRole('button', { name: 'Allow through the firewall…' }).click();
      await page
        .getByText('Windows Firewall now lets devices on private networks reach Lanboard.')
        .waitFor(WAIT);
      await page
        .getByRole('button', { name: 'Allow through the firewall…' })
        .waitFor({ state: 'detached', ...WAIT });
      assert.deepEqual((await page.evaluate('window.__bridgeCalls')) as string[], [
        'adminConnection',
        'networkStatus',
        'allowThroughFirewall',
        'networkStatus',
      ]);
      await page.context().close();
    });
  }

  test('in a plain browser there is no Windows part', async () => {
    const page = await open(1280, false);
    await page.getByRole('button', { name: 'Run the self-test' }).waitFor(WAIT);
    assert.equal(await page.getByTestId('windows-network').count(), 0);
    await page.context().close();
  });
});
