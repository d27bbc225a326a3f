// Kick means out, in Debian's Chromium against a real hub: a kicked student's
// browser cannot come back by joining again, nor can another browser under the
// same name; both wait on the page until the teacher, on the dashboard's
// Classes page, lets them in ("Let in") or lets a removed student back in
// ("Let back in"). Every step waits for what the pages show; nothing is timed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import type { HubSupervisor } from '../host/supervisor';
import { adminCall } from '../test/admin-client';
import {
  BOARD_WAIT,
  boardContext,
  ensureBoardBuilt,
  joinClassBoard,
  storedClassToken,
  waitForState,
} from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { ensureDashboardBuilt, SCREENSHOTS, startServedHub } from '../test/dashboard-hub';
import { tempDir } from '../test/hub-fixture';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the kick-out browser tests: ${skip}`);

describe('kick means out, in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-kick-browser-');
  let supervisor: HubSupervisor;
  let browser: TestBrowser;
  let adminToken: string;
  let dashboard: Page;
  let code: string;
  const contexts: BrowserContext[] = [];

  const base = () => supervisor.current.url();
  const classDetail = async () =>
    (await adminCall<ClassDetail>(base(), `classes/${code}`, { token: adminToken })).body;
  const memberNamed = async (name: string, what: (m: ClassDetail['members'][0]) => boolean) =>
    (await classDetail()).members.find((m) => m.name === name && what(m));
  const newContext = async () => {
    const c = await boardContext(browser.browser);
    contexts.push(c);
    return c;
  };
  const shot = (name: string) =>
    dashboard.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    ensureDashboardBuilt();
    ensureBoardBuilt();
    ({ supervisor } = await startServedHub(dir.dir));
    const dashboardUrl = supervisor.current.dashboardUrl();
    adminToken = new URLSearchParams(new URL(dashboardUrl).hash.slice(1)).get('token')!;
    const created = await adminCall<ClassDetail>(base(), 'classes', {
      method: 'POST',
      token: adminToken,
      body: { title: '7B Maths' },
    });
    code = created.body.code;
    browser = await launchBrowser();
    dashboard = await (await browser.newContext()).newPage();
    await dashboard.goto(dashboardUrl);
    await dashboard.goto(new URL(`classes?class=${code}`, dashboardUrl.split('#')[0]).toString());
    await dashboard.getByTestId('class-code').waitFor(BOARD_WAIT);
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await supervisor?.stop();
    dir.remove();
  });

  /** The student's page: the join form's waiting screen, until the teacher decides. */
  const waitingShown = (page: Page) =>
    page.getByRole('heading', { name: 'Waiting for the teacher' }).waitFor(BOARD_WAIT);

  test('a kicked student cannot rejoin from the same browser without the teacher', async () => {
    const context = await newContext();
    const tom = await joinClassBoard(context, base(), code, 'Tom');
    const tomId = (await memberNamed('Tom', () => true))!.id;
    const row = dashboard.locator(`tr[data-member="${tomId}"]`);
    await row.getByRole('button', { name: 'Kick Tom' }).click();
    await dashboard
      .getByRole('dialog', { name: 'Remove Tom from the class?' })
      .getByRole('button', { name: 'Kick student' })
      .click();
    await tom
      .getByRole('heading', { name: 'You were removed from this class' })
      .waitFor(BOARD_WAIT);
    assert.equal(await storedClassToken(tom, code), null);

    // "Ask to join again": the form says the teacher decides, and the join waits,
    // whatever name is typed (the browser still holds the removed token).
    await tom.getByRole('link', { name: 'Ask to join again' }).click();
    await tom.getByText('the teacher has to let you in').waitFor(BOARD_WAIT);
    await tom.getByLabel('Your name').fill('Thomas');
    await tom.getByRole('button', { name: 'Join' }).click();
    await waitingShown(tom);
    const thomas = (await memberNamed('Thomas', (m) => m.waiting))!;
    assert.ok(thomas, 'the new join is listed as waiting');
    assert.equal((await classDetail()).students, 0);

    // The dashboard lists him apart, with "Let in"; the page opens the board then.
    const waitingRow = dashboard.locator(`tr[data-member="${thomas.id}"]`);
    await dashboard.getByRole('heading', { name: /Asking to join/ }).waitFor(BOARD_WAIT);
    await waitingRow.getByText('waiting').waitFor(BOARD_WAIT);
    await dashboard.getByRole('heading', { name: /Removed/ }).waitFor(BOARD_WAIT);
    await shot('class-waiting');
    await waitingRow.getByRole('button', { name: 'Let in Thomas' }).click();
    await waitForState(tom, 'connected');
    assert.equal((await classDetail()).students, 1);
  });

  test('another browser under a removed name (any case, spaces) waits too', async () => {
    // Tom is removed; a cleared browser or another device types "  tOM ".
    const page = await (await newContext()).newPage();
    await page.goto(`${base()}/board/${code}?debug`);
    await page.getByLabel('Your name').fill('  tOM ');
    await page.getByRole('button', { name: 'Join' }).click();
    await waitingShown(page);
    assert.ok(await memberNamed('tOM', (m) => m.waiting));
  });

  test('"Let back in" gives the removed student their board back', async () => {
    const tom = (await memberNamed('Tom', (m) => m.removed))!;
    const row = dashboard.locator(`tr[data-member="${tom.id}"]`);
    await row.getByRole('button', { name: 'Let back in Tom' }).click();
    // He moves up into the class's own table.
    await dashboard
      .getByRole('region', { name: 'Members' })
      .locator(`tr[data-member="${tom.id}"]`)
      .waitFor(BOARD_WAIT);
    assert.equal((await memberNamed('Tom', () => true))?.removed, false);
    // The token the hub removed works again: a page holding it opens the board.
    const me = await adminCall(base(), `/api/classes/${code}/me`, {
      token: await tomToken(),
    });
    assert.equal(me.status, 200);
  });

  /** Tom's original token, as the first page set it aside after the kick. */
  async function tomToken(): Promise<string> {
    const page = contexts[0]!.pages()[0]!;
    return (await page.evaluate(
      (c) =>
        (
          globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
        ).localStorage.getItem(`lanboard.class.${c}.removed`),
      code,
    ))!;
  }
});
