// The dashboard shows failing writes (docs/operating.md#when-a-write-fails):
// a hub whose SQLite file is really full (PRAGMA max_page_count on the Yjs
// store's own connection) refuses a real y-websocket writer's update, and
// every page of the dashboard, in Chromium, shows a banner saying in plain
// words what is not saved and why; once the disk has room, the kept update
// is stored and the banner goes away by itself. Screenshots at phone, tablet
// and desktop widths go to test-results/screenshots/ for review.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { ensureDashboardBuilt, SCREENSHOTS } from '../test/dashboard-hub';
import { FillableYjsStore } from '../test/full-disk';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';

const WAIT = { timeout: 30_000 };
const skip = chromiumMissing();
if (skip) console.log(`# skipping the storage banner browser test: ${skip}`);

describe('the dashboard shows failing writes', { skip }, () => {
  const dir = tempDir('lanboard-banner-');
  let store: FillableYjsStore;
  let hub: TestHub;
  let browser: TestBrowser;
  let page: Page;
  let writer: TestProvider;

  before(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(dir.dir, 'hub.db');
    store = new FillableYjsStore(file);
    hub = await startHub(
      { Database: 'sqlite', DbFile: file, DataDir: dir.dir },
      { yjsStore: store },
    );
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  });

  after(async () => {
    writer?.destroy();
    await browser?.close();
    await hub?.stop();
    dir.remove();
  });

  const banner = () => page.getByRole('alert').filter({ hasText: 'Work is not being saved' });

  test('a full disk puts a banner on every page, and it goes when there is room again', async () => {
    await page.goto(hub.hub.dashboardUrl());
    await page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
    assert.equal(await banner().count(), 0, 'no banner while writes succeed');

    writer = openProvider(hub.wsUrl, 'lesson');
    await writer.synced();
    store.fill();
    // Larger than a page: it needs new ones, which the full file refuses.
    writer.doc.getText('t').insert(0, 'x'.repeat(50_000));
    await banner().waitFor(WAIT);
    const text = await banner().innerText();
    assert.match(text, /Drawings on the board “lesson” cannot be saved/);
    assert.match(text, /the disk of this computer is full/);
    assert.match(text, /Free some space/);
    assert.match(text, /Yjs room lesson: .*full/, 'the hub’s own words, for whoever helps');

    for (const title of ['Sessions', 'Classes', 'Connections', 'Logs', 'Settings', 'Overview']) {
      await page.getByRole('navigation').getByRole('link', { name: title }).click();
      await banner().waitFor(WAIT);
    }
    for (const width of [390, 768, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // Nothing of it is cut off or wider than the page.
      const right = await banner().evaluate((el) => el.getBoundingClientRect().right);
      const scrollWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(right <= width, `the banner ends at ${right} px, past ${width} px`);
      assert.ok(scrollWidth <= width, `the page scrolls sideways at ${width} px`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `storage-banner-${width}.png`) });
    }

    // Room again: the room's retry stores the kept update, and the banner goes.
    store.empty();
    await banner().waitFor({ ...WAIT, state: 'detached' });
  });
});
