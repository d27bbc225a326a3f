// The dashboard's login in Chromium: the token, given once, becomes a cookie
// that a new tab keeps; "Log out everywhere" ends it; scripts keep the bearer
// token; and a second hub on the same computer does not take the first's cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { adminCall } from '../test/admin-client';
import { ensureDashboardBuilt } from '../test/dashboard-hub';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const WAIT = { timeout: 30_000 };
const TOKEN_A = 'hub-a-admin-token-0123456789abcdef';
const TOKEN_B = 'hub-b-admin-token-0123456789abcdef';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the login browser tests: ${skip}`);

describe('dashboard login in Chromium', { skip }, () => {
  let a: TestHub;
  let b: TestHub;
  let browser: TestBrowser;
  let context: BrowserContext;
  const live = (page: Page) =>
    page.getByTestId('stream-status').filter({ hasText: 'Live' }).waitFor(WAIT);
  const prompt = (page: Page) => page.getByLabel('Admin token').waitFor(WAIT);

  before(async () => {
    ensureDashboardBuilt();
    a = await startHub({ AdminToken: TOKEN_A });
    b = await startHub({ AdminToken: TOKEN_B });
    browser = await launchBrowser();
    context = await browser.newContext();
  });

  after(async () => {
    await browser?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('the token in the address logs in once; a new tab and a reload stay logged in', async () => {
    const first = await context.newPage();
    await first.goto(a.hub.dashboardUrl());
    await live(first);
    assert.ok(!first.url().includes('token'), first.url());
    assert.equal(await first.evaluate('sessionStorage.length'), 0);
    assert.equal(await first.evaluate('document.cookie'), '', 'the cookie is HttpOnly');
    const [cookie] = await context.cookies(`${a.httpUrl}/admin/`);
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.path, '/admin/');

    // A bookmark opened in a new tab: no token anywhere in it.
    const second = await context.newPage();
    await second.goto(`${a.httpUrl}/admin/sessions`);
    await live(second);
    await second.reload();
    await live(second);
    await first.close();
    await second.close();
  });

  test("hub B on another port of the same computer does not take hub A's cookie", async () => {
    const page = await context.newPage();
    await page.goto(`${b.httpUrl}/admin/`);
    await prompt(page);
    const [fromA] = await context.cookies(`${a.httpUrl}/admin/`);
    // Typing B's token logs in to B, under B's own cookie; A's login stays.
    await page.getByLabel('Admin token').fill(TOKEN_B);
    await page.getByRole('button', { name: 'Log in' }).click();
    await live(page);
    const both = await context.cookies(`${b.httpUrl}/admin/`);
    assert.equal(both.length, 2);
    const fromB = both.find((c) => c.name !== fromA!.name)!;
    // Hub A's cookie value under hub B's name is refused: B never issued it.
    const reply = await fetch(`${b.httpUrl}/admin/api/snapshot`, {
      headers: { Cookie: `${fromB.name}=${fromA!.value}` },
    });
    assert.equal(reply.status, 401);
    await page.goto(`${a.httpUrl}/admin/`);
    await live(page);
    await page.close();
  });

  test('a wrong token in the prompt says so', async () => {
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await page.goto(`${a.httpUrl}/admin/`);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor(WAIT);
    await fresh.close();
  });

  test('"Log out everywhere" ends every login; the bearer token keeps working', async () => {
    const other = await browser.newContext();
    const elsewhere = await other.newPage();
    await elsewhere.goto(a.hub.dashboardUrl());
    await live(elsewhere);

    const page = await context.newPage();
    await page.goto(`${a.httpUrl}/admin/settings`);
    await live(page);
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await prompt(page);
    await elsewhere.reload();
    await prompt(elsewhere);
    // The cookie another browser still holds is refused by the API itself.
    const [stale] = await other.cookies(`${a.httpUrl}/admin/`);
    assert.ok(stale, 'the other browser still has its (now dead) cookie');
    const byCookie = await fetch(`${a.httpUrl}/admin/api/snapshot`, {
      headers: { Cookie: `${stale.name}=${stale.value}` },
    });
    assert.equal(byCookie.status, 401);
    assert.equal((await adminCall(a.httpUrl, 'snapshot', { token: TOKEN_A })).status, 200);
    await other.close();
    await page.close();
  });
});
