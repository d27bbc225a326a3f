// The join page in Debian's Chromium against a real hub: a class code is
// checked with the hub before anything opens, so a mistyped one says so
// (on the join page and at /board/<code>) instead of opening an empty room;
// the right code, in any case, joins with the name from the same form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import { CODE_ALPHABET } from '../classroom/api-types';
import { BOARD_WAIT, boardContext, ensureBoardBuilt, waitForState } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, TEST_ADMIN_TOKEN } from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the join page tests: ${skip}`);

/** The class's code with its last character changed: a typo, and no class. */
function mistyped(code: string): string {
  const last = code.at(-1)!;
  const other = CODE_ALPHABET[(CODE_ALPHABET.indexOf(last) + 1) % CODE_ALPHABET.length]!;
  return code.slice(0, -1) + other;
}

const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

describe('the join page in Chromium', { skip }, () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let detail: ClassDetail;
  const contexts: BrowserContext[] = [];
  const newPage = async (): Promise<Page> => {
    const c = await boardContext(browser.browser, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    contexts.push(c);
    return c.newPage();
  };
  const fillJoin = async (page: Page, code: string, name: string) => {
    await page.getByLabel('Class code or room').fill(code);
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Join' }).click();
  };

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({ AdminToken: TEST_ADMIN_TOKEN });
    browser = await launchBrowser();
    detail = await createClass(hub.httpUrl, 'Maths 7B');
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
  });

  test('a mistyped code says there is no such class, on the join page and at /board/<code>, and opens nothing', async () => {
    const wrong = mistyped(detail.code);
    const message = `No class with code ${spaced(wrong)} — check the code with your teacher.`;
    const page = await newPage();
    await page.goto(`${hub.httpUrl}/`);
    // As a child types it: lower case, with a space.
    await fillJoin(page, spaced(wrong).toLowerCase(), 'Ada');
    await page.getByRole('alert').filter({ hasText: message }).waitFor(BOARD_WAIT);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('.status').count(), 0, 'no board opened');

    // Straight to the board's address, in upper case as on the board: the same.
    await page.goto(`${hub.httpUrl}/board/${wrong}`);
    await page.getByRole('alert').filter({ hasText: message }).waitFor(BOARD_WAIT);
    assert.equal(await page.locator('.status').count(), 0, 'no board opened');
    // The form is there to try again, with the code to correct.
    assert.equal(await page.getByLabel('Class code or room').inputValue(), wrong);
  });

  test('the right code in any case, with the name on the same form, joins the class at once', async () => {
    const page = await newPage();
    await page.goto(`${hub.httpUrl}/`);
    // A class code needs a name: asked for on the same form, before the hub is.
    await fillJoin(page, detail.code.toLowerCase(), ' ');
    await page.getByRole('alert').filter({ hasText: 'Type your name' }).waitFor(BOARD_WAIT);

    const dashed = `${detail.code.slice(0, 3)}-${detail.code.slice(3)}`.toLowerCase();
    await fillJoin(page, dashed, 'Bea');
    await page.waitForURL(new RegExp(`/board/${detail.code}$`), BOARD_WAIT);
    await waitForState(page, 'connected');
    await page.locator('.role').getByText('Student: Bea').waitFor(BOARD_WAIT);
    // No second "Join Maths 7B" form on the way.
    assert.equal(await page.getByRole('heading', { name: /^Join/ }).count(), 0);
  });

  test("a teacher's link opened in a tab showing the class board as a student opens the teacher's board", async () => {
    const page = await newPage();
    await page.goto(`${hub.httpUrl}/`);
    await fillJoin(page, detail.code, 'Cal');
    await page.waitForURL(new RegExp(`/board/${detail.code}$`), BOARD_WAIT);
    await page.locator('.role').getByText('Student: Cal').waitFor(BOARD_WAIT);
    // The same address but for the fragment: the browser loads no new page by itself.
    const link = new URL(detail.teacherUrl);
    assert.equal(link.pathname, `/board/${detail.code}`);
    await page.goto(link.toString());
    await page.locator('.role[data-role="teacher"]').waitFor(BOARD_WAIT);
    await waitForState(page, 'connected');
    assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address');
  });

  test('a room name that is not shaped like a class code still opens an open board', async () => {
    const page = await newPage();
    await page.goto(`${hub.httpUrl}/`);
    await fillJoin(page, 'Art-club', '');
    await page.waitForURL(/\/board\/art-club$/, BOARD_WAIT);
    await waitForState(page, 'connected');
  });
});

describe('the join page with open rooms off (ClassOpenRooms=0), in Chromium', { skip }, () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let detail: ClassDetail;
  let context: BrowserContext;
  const message = (name: string) =>
    `There is no open board "${name}": this hub opens class boards only. Type the class code from your teacher (like K7Q M2P).`;
  const fillJoin = async (page: Page, code: string, name: string) => {
    await page.getByLabel('Class code or room').fill(code);
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Join' }).click();
  };

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({ AdminToken: TEST_ADMIN_TOKEN, ClassOpenRooms: false });
    browser = await launchBrowser();
    detail = await createClass(hub.httpUrl, 'Maths 7B');
    context = await boardContext(browser.browser);
  });

  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
  });

  test('a room name on the join page says only class codes work, and opens nothing', async () => {
    const page = await context.newPage();
    await page.goto(`${hub.httpUrl}/`);
    await fillJoin(page, 'Art-club', 'Ada');
    await page
      .getByRole('alert')
      .filter({ hasText: message('Art-club') })
      .waitFor(BOARD_WAIT);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('.status').count(), 0, 'no board opened');
  });

  test('/board/<room> shows the join page with the same message; a class code still joins', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${hub.httpUrl}/board/art-club`);
    assert.equal(res?.status(), 404);
    await page
      .getByRole('alert')
      .filter({ hasText: message('art-club') })
      .waitFor(BOARD_WAIT);
    assert.equal(await page.locator('.status').count(), 0, 'no board opened');
    await fillJoin(page, detail.code, 'Bea');
    await page.waitForURL(new RegExp(`/board/${detail.code}$`), BOARD_WAIT);
    await waitForState(page, 'connected');
  });
});
