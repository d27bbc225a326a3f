// The classroom board in Debian's Chromium against a real hub: sync between
// two devices (Yjs state and canvas pixels), per-user undo, a hub restart,
// offline edits, exports and a JSON round trip, and touch in a phone viewport.
// Every step waits for its condition with a generous timeout; nothing is timed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import {
  boardContext,
  drawWithMouse,
  drawWithTouch,
  ensureBoardBuilt,
  openBoard,
  openMoreTools,
  pinchOut,
  shapes,
  until,
  waitForInk,
  waitForShapes,
  waitForState,
} from '../test/board-page';
import type { DebugWindow } from '../test/board-page';
import { freePort, startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the board browser tests: ${skip}`);

const STROKE: Array<[number, number]> = [
  [100, 100],
  [160, 130],
  [220, 110],
  [280, 160],
];

describe('classroom board in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-board-');
  const db = path.join(dir.dir, 'hub.db');
  let port: number;
  let hub: TestHub | undefined;
  let browser: TestBrowser;
  const contexts: BrowserContext[] = [];
  const start = async () => {
    hub = await startHub({ Database: 'sqlite', DbFile: db, DataDir: dir.dir, ServerPort: port });
    return hub;
  };
  const newContext = async (options = {}) => {
    const c = await boardContext(browser.browser, options);
    contexts.push(c);
    return c;
  };

  before(async () => {
    ensureBoardBuilt();
    port = await freePort();
    await start();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
    dir.remove();
  });

  test('the hub serves the join page at / and the board at /board/<room>', async () => {
    const page = await (await newContext()).newPage();
    const response = await page.goto(`${hub!.httpUrl}/`);
    assert.match(
      response!.headers()['content-security-policy'] ?? '',
      /connect-src 'self' ws: wss:/,
    );
    await page.getByLabel('Class code or room').fill('Maths-7B');
    await page.getByLabel('Your name').fill('Ada');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(/\/board\/maths-7b$/, { timeout: 30_000 });
    await waitForState(page, 'connected');
    await page.close();
  });

  test('sync: a stroke drawn on one device appears on the other, in Yjs and in pixels', async () => {
    const a = await openBoard(await newContext(), hub!.httpUrl, 'sync');
    const b = await openBoard(await newContext(), hub!.httpUrl, 'sync');
    await drawWithMouse(a, STROKE);
    const [onA] = await waitForShapes(a, 1);
    const [onB] = await waitForShapes(b, 1);
    assert.equal(onB!.type, 'pen');
    // The whole stroke arrives, not just its start.
    await until(
      b,
      (n) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]!.points.length === n,
      onA!.points.length,
      'the whole stroke on B',
    );
    assert.deepEqual((await shapes(b))[0], onA);
    await waitForInk(b, [160, 130]);
    await waitForInk(b, [280, 160]);
    // Live cursors and names come through awareness.
    await b.getByText('1 other here').waitFor({ timeout: 30_000 });

    // Undo is per user: B's undo leaves A's stroke alone; A's removes it everywhere.
    await drawWithMouse(b, [
      [100, 300],
      [300, 320],
    ]);
    await waitForShapes(a, 2);
    await b.keyboard.press('Control+z');
    await waitForShapes(a, 1);
    assert.equal((await shapes(a))[0]!.id, onA!.id);
    await a.keyboard.press('Control+z');
    await waitForShapes(b, 0);
    await a.keyboard.press('Control+Shift+z');
    await waitForShapes(b, 1);
    await waitForInk(b, [220, 110]);
  });

  test('reconnect and offline edits: the hub restarts, the content survives, offline strokes arrive', async () => {
    const a = await openBoard(await newContext(), hub!.httpUrl, 'restart');
    await drawWithMouse(a, STROKE);
    await waitForShapes(a, 1);
    // Wait until the hub has it (a second device sees it), so the restart tests persistence.
    const watcher = await openBoard(await newContext(), hub!.httpUrl, 'restart');
    await waitForShapes(watcher, 1);
    await watcher.close();

    await hub!.stop();
    await waitForState(a, 'reconnecting');
    await drawWithMouse(a, [
      [100, 400],
      [200, 420],
      [300, 400],
    ]);
    await waitForShapes(a, 2);

    await start();
    await waitForState(a, 'connected');
    // A device that was never offline gets both: the stored one and the offline one.
    const b = await openBoard(await newContext(), hub!.httpUrl, 'restart');
    const [first, second] = await waitForShapes(b, 2);
    assert.deepEqual([first, second], await shapes(a));
    await waitForInk(b, [200, 420]);
    await waitForInk(b, [160, 130]);
  });

  test('export: PNG and SVG are produced, and a JSON snapshot round-trips', async () => {
    const context = await newContext();
    const page = await openBoard(context, hub!.httpUrl, 'export');
    await drawWithMouse(page, STROKE);
    await page.keyboard.press('r');
    await drawWithMouse(page, [
      [120, 250],
      [260, 330],
    ]);
    await page.keyboard.press('o');
    await drawWithMouse(page, [
      [300, 250],
      [380, 320],
    ]);
    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [120, 380])));
    await page.getByLabel('Text to add').fill('Photosynthesis');
    await page.keyboard.press('Control+Enter');
    const original = await waitForShapes(page, 4);
    assert.deepEqual(
      original.map((s) => s.type),
      ['pen', 'rect', 'ellipse', 'text'],
    );

    const download = async (label: string) => {
      await openMoreTools(page);
      const [d] = await Promise.all([
        page.waitForEvent('download', { timeout: 30_000 }),
        page.getByLabel(label).click(),
      ]);
      const file = path.join(dir.dir, d.suggestedFilename());
      await d.saveAs(file);
      return { name: d.suggestedFilename(), file };
    };
    const png = await download('Export PNG');
    assert.match(png.name, /^export-.*\.png$/);
    const bytes = fs.readFileSync(png.file);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(bytes.readUInt32BE(16) > 100 && bytes.readUInt32BE(20) > 100, 'a PNG of the drawing');

    const svg = fs.readFileSync((await download('Export SVG')).file, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/<path /g)?.length, 3);
    assert.match(svg, />Photosynthesis</);

    const json = (await download('Export JSON snapshot')).file;
    const snapshot = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(snapshot.format, 'lanboard-board');
    assert.equal(snapshot.version, 1);

    // Into an empty room: the same shapes come back, on every device.
    const copy = await openBoard(await newContext(), hub!.httpUrl, 'export-copy');
    const viewer = await openBoard(await newContext(), hub!.httpUrl, 'export-copy');
    await copy.getByLabel('Import a JSON snapshot (add)').setInputFiles(json);
    const imported = await waitForShapes(viewer, 4);
    const strip = (list: typeof original) => list.map(({ author: _author, ...s }) => s);
    assert.deepEqual(strip(imported), strip(original));
    await waitForInk(viewer, [160, 130]);

    // Replace: the board becomes the snapshot again after other drawing.
    await drawWithMouse(copy, [
      [50, 50],
      [60, 60],
    ]);
    await waitForShapes(viewer, 5);
    await copy.getByLabel('Import a JSON snapshot (replace the board)').setInputFiles(json);
    assert.deepEqual(strip(await waitForShapes(viewer, 4)), strip(original));
  });

  test('text: Enter starts a line, Escape commits, and the tool goes back to the pen', async () => {
    const page = await openBoard(await newContext(), hub!.httpUrl, 'text-escape');
    const pen = page.getByRole('button', { name: 'Pen (P)' });
    assert.equal(await pen.getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [100, 100])));
    const editor = page.getByLabel('Text to add');
    // Letters that are shortcuts elsewhere ("e", "l", "o", "p", "r", "t", "v") are text here.
    await editor.pressSequentially('Plover');
    await page.keyboard.press('Enter');
    await editor.pressSequentially('two lines');
    await page.keyboard.press('Escape');
    const [text] = await waitForShapes(page, 1);
    assert.equal(text!.type, 'text');
    assert.equal(text!.text, 'Plover\ntwo lines');
    assert.equal(await editor.count(), 0);
    assert.equal(await pen.getAttribute('aria-pressed'), 'true', 'back to the pen');
    await waitForInk(page, [104, 104]);
  });

  test('text: a press elsewhere on the board commits it and does nothing else; Done does too', async () => {
    const page = await openBoard(await newContext(), hub!.httpUrl, 'text-away');
    await page.keyboard.press('e'); // the eraser: the text tool returns to it
    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [100, 100])));
    await page.getByLabel('Text to add').fill('Kept');
    // A drag on the board away from the text: it commits, and neither erases nor opens a new text.
    await drawWithMouse(page, [
      [300, 300],
      [350, 320],
    ]);
    const [kept] = await waitForShapes(page, 1);
    assert.equal(kept!.text, 'Kept');
    assert.equal(await page.getByLabel('Text to add').count(), 0);
    assert.equal(
      await page.getByRole('button', { name: 'Eraser (E)' }).getAttribute('aria-pressed'),
      'true',
    );

    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [100, 300])));
    await page.getByLabel('Text to add').fill('Finished');
    await page.getByRole('button', { name: 'Done' }).click();
    const both = await waitForShapes(page, 2);
    assert.deepEqual(
      both.map((s) => s.text),
      ['Kept', 'Finished'],
    );
  });

  test('text: tapping a text with the text tool, or double-clicking it with select, edits it', async () => {
    const page = await openBoard(await newContext(), hub!.httpUrl, 'text-edit');
    const other = await openBoard(await newContext(), hub!.httpUrl, 'text-edit');
    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [100, 100])));
    await page.getByLabel('Text to add').fill('Mitosis');
    await page.keyboard.press('Control+Enter');
    const [first] = await waitForShapes(other, 1);

    // The text tool on the text: its editor, holding it; the change reaches the other page.
    await page.keyboard.press('t');
    await page.mouse.click(...(await surfacePoint(page, [110, 108])));
    const editor = page.getByLabel('Text to add');
    assert.equal(await editor.inputValue(), 'Mitosis');
    await editor.press('End');
    await editor.pressSequentially(' and meiosis');
    await page.keyboard.press('Escape');
    await until(
      other,
      (want) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]?.text === want,
      'Mitosis and meiosis',
      'the edited text on the other page',
    );
    assert.equal((await shapes(other))[0]!.id, first!.id);

    // Select, then a double click: the same.
    await page.keyboard.press('v');
    await page.mouse.dblclick(...(await surfacePoint(page, [110, 108])));
    await editor.fill('Cell division');
    await page.keyboard.press('Control+Enter');
    await until(
      other,
      (want) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]?.text === want,
      'Cell division',
      'the second edit on the other page',
    );
    assert.equal((await shapes(other)).length, 1);
  });

  test('import: a file that is not a snapshot says why in a toast, and the board stays', async () => {
    const page = await openBoard(await newContext(), hub!.httpUrl, 'import-error');
    const bad = path.join(dir.dir, 'notes.json');
    fs.writeFileSync(bad, 'these are not shapes');
    await page.getByLabel('Import a JSON snapshot (add)').setInputFiles(bad);
    await page
      .getByRole('alert')
      .filter({ hasText: /^Cannot import notes\.json: / })
      .waitFor({ timeout: 30_000 });
    assert.equal((await shapes(page)).length, 0);
  });

  test('touch: in a phone viewport, a finger draws', async () => {
    const phone = await newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    const page = await openBoard(phone, hub!.httpUrl, 'touch');
    const desk = await openBoard(await newContext(), hub!.httpUrl, 'touch');
    await page.getByText('1 other here').waitFor({ timeout: 30_000 });
    await drawWithTouch(page, [
      [60, 100],
      [100, 140],
      [140, 170],
      [200, 180],
      [260, 230],
    ]);
    const [stroke] = await waitForShapes(desk, 1);
    assert.equal(stroke!.type, 'pen');
    // Every touch point reaches the other device (x, y, pressure each).
    await until(
      desk,
      (n) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]!.points.length >= n,
      5 * 3,
      'the whole touch stroke on the desk',
    );
    // The trace is smoothed through the midpoints of what the finger sent.
    await waitForInk(page, [120, 155]);
    await waitForInk(desk, [230, 205]);

    // Two fingers zoom instead of drawing.
    await pinchOut(page, [200, 400]);
    await until(
      page,
      () => (globalThis as unknown as DebugWindow).__lanboard!.renderer.currentView.scale > 1.5,
      undefined,
      'a pinch zooms in',
    );
    assert.equal((await shapes(desk)).length, 1);
  });
});

async function surfacePoint(page: Page, [x, y]: [number, number]): Promise<[number, number]> {
  const box = await page.locator('canvas.layer.input').boundingBox();
  return [box!.x + x, box!.y + y];
}
