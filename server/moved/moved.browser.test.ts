// Nobody stranded, in Debian's Chromium: a class board is open when the
// teacher applies a new port. The board, offline meanwhile with a stroke of
// its own, finds the hub through its old port's "moved" answer, syncs the
// stroke there, and opens itself at the new address as the same member
// (the token handed over once), with no second member of its name. The same
// for an address change (127.0.0.1 to 127.0.0.2), and for a board reloaded at
// the old address during the grace period.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import type { HubSupervisor } from '../host/supervisor';
import { adminCall } from '../test/admin-client';
import {
  BOARD_WAIT,
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  joinClassBoard,
  openTeacherBoard,
  shapes,
  storedClassToken,
  until,
  waitForShapes,
  waitForState,
} from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { startServedHub } from '../test/dashboard-hub';
import { freePort, tempDir } from '../test/hub-fixture';

type ProviderWindow = {
  __lanboard: { connection: { provider: { connect(): void; disconnect(): void } } };
};

const skip = chromiumMissing();
if (skip) console.log(`# skipping the moved-hub browser tests: ${skip}`);

describe('a port change with a class board open, in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-moved-browser-');
  let supervisor: HubSupervisor;
  let file: string;
  let browser: TestBrowser;
  let adminToken: string;
  const contexts: BrowserContext[] = [];
  const base = () => supervisor.current.url();
  const newContext = async () => {
    const c = await boardContext(browser.browser);
    contexts.push(c);
    return c;
  };
  /**
   * The device drops off the network: its board stops connecting, as the
   * provider does while offline. (Chromium's offline emulation also holds back
   * the hub's close of a socket already open, so the board would not notice.)
   */
  const goOffline = async (page: Page) => {
    await page.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.disconnect(),
    );
    await waitForState(page, 'reconnecting');
  };
  const goOnline = (page: Page) =>
    page.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.connect(),
    );

  before(async () => {
    ensureBoardBuilt();
    ({ supervisor, file } = await startServedHub(dir.dir));
    adminToken = new URLSearchParams(new URL(supervisor.current.dashboardUrl()).hash.slice(1)).get(
      'token',
    )!;
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await supervisor?.stop();
    dir.remove();
  });

  test('the board follows to the new port as the same member, with its offline stroke', async () => {
    const created = await adminCall<ClassDetail>(base(), 'classes', {
      method: 'POST',
      token: adminToken,
      body: { title: '7B Art' },
    });
    const { code, teacherUrl } = created.body;
    const context = await newContext();
    const ada = await joinClassBoard(context, base(), code, 'Ada');
    const token = await storedClassToken(ada, code);
    assert.ok(token);
    await drawWithMouse(ada, [
      [120, 120],
      [220, 160],
    ]);
    await waitForShapes(ada, 1);
    const oldOrigin = new URL(base()).origin;

    // The teacher applies a new port while her tablet is off the network; she draws once more.
    await goOffline(ada);
    const newPort = await freePort();
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(/^ServerPort=\d+$/m, `ServerPort=${newPort}`),
    );
    await supervisor.restart();
    assert.equal(new URL(base()).port, String(newPort));
    assert.equal(supervisor.movedFrom?.port, Number(new URL(oldOrigin).port));
    await drawWithMouse(ada, [
      [120, 300],
      [260, 340],
    ]);
    await waitForShapes(ada, 2);
    const drawn = (await shapes(ada)).map((s) => s.id).sort();
    await goOnline(ada);

    // The page goes to the new port by itself and opens the class there.
    await until(
      ada,
      (port) => (globalThis as unknown as { location: { port: string } }).location.port === port,
      String(newPort),
      'the board at the new port',
    );
    await waitForState(ada, 'connected');
    assert.equal(new URL(ada.url()).hash, '', 'the handoff code is taken out of the address bar');
    assert.equal(await storedClassToken(ada, code), token, 'the same member token, handed over');
    await ada.getByText('Ada').first().waitFor(BOARD_WAIT);
    assert.deepEqual((await waitForShapes(ada, 2)).map((s) => s.id).sort(), drawn);

    // The teacher, at the new address, sees both strokes and one Ada.
    const teacher = await openTeacherBoard(
      await newContext(),
      teacherUrl.replace(oldOrigin, new URL(base()).origin),
    );
    assert.deepEqual((await waitForShapes(teacher, 2)).map((s) => s.id).sort(), drawn);
    const detail = await adminCall<ClassDetail>(base(), `classes/${code}`, { token: adminToken });
    assert.deepEqual(
      detail.body.members.filter((m) => m.name !== 'Teacher').map((m) => m.name),
      ['Ada'],
    );
    assert.equal(detail.body.students, 1);
  });

  test('an address change: the board follows from 127.0.0.1 to 127.0.0.2 on the same port', async () => {
    const created = await adminCall<ClassDetail>(base(), 'classes', {
      method: 'POST',
      token: adminToken,
      body: { title: '8C Physics' },
    });
    const { code } = created.body;
    const context = await newContext();
    const ben = await joinClassBoard(context, base(), code, 'Ben');
    const token = await storedClassToken(ben, code);
    const port = new URL(base()).port;
    await goOffline(ben);
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(/^ServerBindAddress=.*$/m, 'ServerBindAddress=127.0.0.2'),
    );
    await supervisor.restart();
    assert.equal(base(), `http://127.0.0.2:${port}`);

    await drawWithMouse(ben, [
      [140, 140],
      [240, 200],
    ]);
    const drawn = (await waitForShapes(ben, 1)).map((s) => s.id);
    await goOnline(ben);

    await ben.waitForURL((u) => u.hostname === '127.0.0.2', BOARD_WAIT);
    await waitForState(ben, 'connected');
    assert.equal(await storedClassToken(ben, code), token);
    assert.deepEqual(
      (await waitForShapes(ben, 1)).map((s) => s.id),
      drawn,
    );
    const detail = await adminCall<ClassDetail>(base(), `classes/${code}`, { token: adminToken });
    assert.equal(detail.body.students, 1);
    assert.deepEqual(
      detail.body.members.filter((m) => m.name === 'Ben').map((m) => m.name),
      ['Ben'],
    );
  });

  test('a board reloaded at the old address is handed over too', async () => {
    const created = await adminCall<ClassDetail>(base(), 'classes', {
      method: 'POST',
      token: adminToken,
      body: { title: '9A History' },
    });
    const { code } = created.body;
    const cara = await joinClassBoard(await newContext(), base(), code, 'Cara');
    const token = await storedClassToken(cara, code);
    const oldOrigin = new URL(base()).origin;
    // Her board does not follow by itself (it stays disconnected); she reloads it after the move.
    await goOffline(cara);
    const newPort = await freePort();
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(/^ServerPort=\d+$/m, `ServerPort=${newPort}`),
    );
    await supervisor.restart();
    assert.equal(supervisor.movedFrom?.port, Number(new URL(oldOrigin).port));
    await cara.reload();
    await cara.waitForURL((u) => u.port === String(newPort), BOARD_WAIT);
    await waitForState(cara, 'connected');
    assert.equal(await storedClassToken(cara, code), token);
    const detail = await adminCall<ClassDetail>(base(), `classes/${code}`, { token: adminToken });
    assert.equal(detail.body.students, 1);
  });
});
