// Printing and PDF export of the classroom board, in Debian's Chromium against
// a real hub: strokes, a rectangle and a text drawn through the board's own
// tools, exported with "Export PDF" from the More menu, and the downloaded
// file read back with pdf-lib (its content stream decoded, operator by
// operator); the current view alone; a PDF export that fails says so; and the
// print stylesheet prints only the drawing, fitted to one page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { PDFDocument } from 'pdf-lib';
import {
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  openBoard,
  openMoreTools,
  shapes,
  until,
  waitForShapes,
} from '../test/board-page';
import type { DebugWindow, ShapeView } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { apply, readPdf } from '../test/pdf-content';
import type { PageContent, StrokedPath } from '../test/pdf-content';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the board PDF and print tests: ${skip}`);

const STROKE: Array<[number, number]> = [
  [100, 100],
  [160, 130],
  [220, 110],
  [280, 160],
];
const RECT: Array<[number, number]> = [
  [120, 250],
  [260, 330],
];
/** Far from the rest, near the surface's centre: the only shape a zoomed-in view keeps. */
const TEXT_AT: [number, number] = [660, 380];
/** "Ω" is outside Helvetica's Western European set: it prints as "?". */
const TEXT = 'Café Ω';

const close = (a: number, b: number, what: string, within = 0.06) =>
  assert.ok(Math.abs(a - b) <= within, `${what}: ${a} is not ${b}`);

describe('printing and PDF export of the board, in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-pdf-');
  let hub: TestHub;
  let browser: TestBrowser;
  const contexts: BrowserContext[] = [];
  const newPage = async (room: string) => {
    const context = await boardContext(browser.browser, { viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    return openBoard(context, hub.httpUrl, room);
  };

  /** A pen stroke in black, a red rectangle 8 wide, and a text, through the tools. */
  const drawSample = async (page: Page): Promise<ShapeView[]> => {
    await drawWithMouse(page, STROKE);
    await page.getByRole('button', { name: 'Rectangle (R)' }).click();
    await page.getByRole('button', { name: 'Colour red' }).click();
    await openMoreTools(page);
    await page.getByRole('button', { name: 'Width 8' }).click();
    await drawWithMouse(page, RECT);
    await page.getByRole('button', { name: 'Colour blue' }).click();
    await page.keyboard.press('t');
    const box = await page.locator('canvas.layer.input').boundingBox();
    await page.mouse.click(box!.x + TEXT_AT[0], box!.y + TEXT_AT[1]);
    await page.getByLabel('Text to add').fill(TEXT);
    await page.keyboard.press('Control+Enter');
    return waitForShapes(page, 3);
  };

  const exportPdf = async (page: Page, label: string): Promise<PageContent[]> => {
    await openMoreTools(page);
    const [d] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: label }).click(),
    ]);
    assert.match(d.suggestedFilename(), /\.pdf$/);
    const file = path.join(dir.dir, `${label}-${d.suggestedFilename()}`);
    await d.saveAs(file);
    return readPdf(fs.readFileSync(file));
  };

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({ DataDir: dir.dir });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
    dir.remove();
  });

  test('Export PDF: the strokes as vector paths at their coordinates, colours and widths, and the text', async () => {
    const page = await newPage('pdf-whole');
    const [pen, rect, text] = await drawSample(page);
    assert.deepEqual([pen!.type, rect!.type, text!.type], ['pen', 'rect', 'text']);
    const [sheet, ...more] = await exportPdf(page, 'Export PDF of the whole board');
    assert.equal(more.length, 0, 'one page');
    assert.ok(sheet);

    // Two stroked paths, no image: the pen's trace and the rectangle.
    assert.equal(sheet.paths.length, 2);
    const [penPath, rectPath] = sheet.paths as [StrokedPath, StrokedPath];
    // The pen: a move to its first point, curves through the midpoints, a line to its last, in board units.
    const pts = (s: ShapeView) =>
      Array.from({ length: s.points.length / 3 }, (_, i) => [
        s.points[i * 3]!,
        s.points[i * 3 + 1]!,
      ]);
    const penPts = pts(pen!);
    const first = penPath.ops[0]!;
    const last = penPath.ops.at(-1)!;
    assert.equal(first[0], 'm');
    close(first[1]!, penPts[0]![0]!, 'pen start x');
    close(first[2]!, penPts[0]![1]!, 'pen start y');
    assert.equal(last[0], 'l');
    close(last[1]!, penPts.at(-1)![0]!, 'pen end x');
    close(last[2]!, penPts.at(-1)![1]!, 'pen end y');
    assert.equal(
      penPath.ops.filter((o) => o[0] === 'c').length,
      penPts.length - 2,
      'one curve per inner point',
    );
    // The board's quadratic through the first inner point, as the exact cubic, ending midway to the next.
    const [p0, p1, p2] = penPts as [number[], number[], number[]];
    const curve = penPath.ops[1]!;
    assert.equal(curve[0], 'c');
    const expected = [
      p0[0]! + (2 / 3) * (p1[0]! - p0[0]!),
      p0[1]! + (2 / 3) * (p1[1]! - p0[1]!),
      (p1[0]! + p2[0]!) / 2 + (2 / 3) * (p1[0]! - (p1[0]! + p2[0]!) / 2),
      (p1[1]! + p2[1]!) / 2 + (2 / 3) * (p1[1]! - (p1[1]! + p2[1]!) / 2),
      (p1[0]! + p2[0]!) / 2,
      (p1[1]! + p2[1]!) / 2,
    ];
    expected.forEach((v, i) => close(curve[i + 1] as number, v, `first curve, operand ${i}`));
    assert.deepEqual(
      penPath.color.map((c) => Math.round(c * 255)),
      [0x1e, 0x1e, 0x1e],
    );
    assert.equal(penPath.width, pen!.width, 'the pen width, in board units');
    assert.equal(penPath.cap, 1, 'round caps');
    assert.equal(penPath.join, 1, 'round joins');

    // The rectangle: its four corners, red, 8 wide.
    const corners = rectPath.ops
      .filter((o) => o[0] === 'm' || o[0] === 'l')
      .map((o) => `${o[1]},${o[2]}`);
    const [x1, y1, , x2, y2] = rect!.points as [number, number, number, number, number];
    assert.deepEqual(
      corners.sort(),
      [`${x1},${y1}`, `${x1},${y2}`, `${x2},${y1}`, `${x2},${y2}`].sort(),
    );
    [0xe0, 0x31, 0x31].forEach((c, i) => close(rectPath.color[i]!, c / 255, 'red', 0.005));
    assert.equal(rectPath.width, 8);

    // Board to page: one scale, y turned up, everything on the sheet inside its margin.
    const m = penPath.ctm;
    assert.ok(
      m[0] > 0 && m[3] === -m[0] && m[1] === 0 && m[2] === 0,
      `a plain scale, flipped: ${m.join(' ')}`,
    );
    const { width: pw, height: ph } = sheet.size;
    assert.ok(pw > ph, 'a wide drawing gets a landscape sheet');
    for (const [x, y] of [...penPts, [x1, y1], [x2, y2]] as Array<[number, number]>) {
      const [px, py] = apply(m, [x, y]);
      assert.ok(px > 36 && px < pw - 36 && py > 36 && py < ph - 36, `${x},${y} lands on the sheet`);
    }
    // Higher on the board is higher on the page; the same scale for the rectangle.
    assert.ok(apply(m, penPts[0] as [number, number])[1] > apply(m, [x1, y1])[1]);
    assert.deepEqual(rectPath.ctm, m);

    // The text, with the character Helvetica cannot encode as "?", where the board has it.
    assert.equal(sheet.texts.length, 1);
    const shown = sheet.texts[0]!;
    assert.equal(shown.text, 'Café ?');
    const [tx, ty] = apply(m, [text!.points[0]!, text!.points[1]!]);
    close(shown.at[0], tx, 'text x', 0.01);
    // The board anchors text by its top; PDF by the baseline, one ascent lower.
    assert.ok(shown.at[1] < ty && shown.at[1] > ty - shown.size, 'the baseline under the anchor');
    close(shown.size, (12 + text!.width * 3) * m[0], 'the text size, scaled');
    await page
      .getByRole('status')
      .filter({ hasText: /^PDF saved\. 1 character its font cannot show .* is printed as "\?"\./ })
      .waitFor({ timeout: 30_000 });
  });

  test('Export PDF of the current view: only what is on screen, clipped to it', async () => {
    const page = await newPage('pdf-view');
    await drawSample(page);
    // Zoomed in around the middle of the board: the text stays in view, the rest goes.
    for (let i = 0; i < 3; i++) await page.keyboard.press('+');
    const area = await until(
      page,
      () => {
        const s = (globalThis as unknown as DebugWindow).__lanboard as unknown as {
          renderer: { currentView: { scale: number } };
          visibleArea(): { minX: number; minY: number; maxX: number; maxY: number };
        };
        return s.renderer.currentView.scale > 1.9 && s.visibleArea();
      },
      undefined,
      'the view zoomed in',
    );
    assert.ok(
      area.minX > 280 && area.minX < TEXT_AT[0],
      `the view starts right of the strokes: ${area.minX}`,
    );
    const [sheet, ...more] = await exportPdf(page, 'Export PDF of the current view');
    assert.equal(more.length, 0);
    assert.equal(sheet!.paths.length, 0, 'the strokes outside the view are left out');
    assert.deepEqual(
      sheet!.texts.map((t) => t.text),
      ['Café ?'],
    );
    // The clip is the view: its corners land where the board's would.
    assert.equal(sheet!.clips.length, 1);
    const [cx, cy, cw, ch] = sheet!.clips[0]!;
    const k = cw / (area.maxX - area.minX);
    close(ch / (area.maxY - area.minY), k, 'one scale for both sides', 1e-6);
    const wide = area.maxX - area.minX > area.maxY - area.minY;
    assert.equal(sheet!.size.width > sheet!.size.height, wide, 'the sheet turned as the view');
    assert.ok(cx >= 35.9 && cy >= 35.9, 'inside the margin');
    assert.ok(cx + cw <= sheet!.size.width - 35.9 && cy + ch <= sheet!.size.height - 35.9);
    // The text's x on the page follows from the clip: same origin, same scale.
    const [text] = (await shapes(page)).filter((s) => s.type === 'text');
    close(
      sheet!.texts[0]!.at[0],
      cx + (text!.points[0]! - area.minX) * k,
      'text x in the view',
      0.01,
    );
  });

  test('a PDF export that fails says why in a toast', async () => {
    const page = await newPage('pdf-error');
    await drawWithMouse(page, STROKE);
    await waitForShapes(page, 1);
    // The exporter's code is loaded at the first PDF: a hub gone away, or updated meanwhile, fails it.
    await page.route('**/board/assets/pdf-*.js', (route) => route.abort());
    await openMoreTools(page);
    await page.getByRole('button', { name: 'Export PDF of the whole board' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^Cannot export PDF: / })
      .waitFor({ timeout: 30_000 });
  });

  test('print: only the drawing, no tool bar, fitted to one page', async () => {
    const page = await newPage('print');
    const drawn = await drawSample(page);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.toolbar').isVisible(), false, 'no tool bar');
    assert.equal(await page.locator('.topbar').isVisible(), false, 'no header');
    assert.equal(await page.locator('canvas').first().isVisible(), false, 'no canvas');
    const svg = page.locator('.print-sheet svg');
    await svg.waitFor({ timeout: 30_000 });
    assert.equal(await svg.locator('path').count(), 2, 'the stroke and the rectangle');
    assert.equal((await svg.locator('text').textContent())?.trim(), drawn[2]!.text);
    const box = (await svg.boundingBox())!;
    const viewport = page.viewportSize()!;
    assert.ok(
      box.width > 0.9 * viewport.width || box.height > 0.9 * viewport.height,
      'fills the page',
    );
    assert.ok(box.x >= 0 && box.y >= 0, 'inside the page');
    assert.ok(
      box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5,
    );

    // Chromium's own print to PDF, on A4 both ways: one page each.
    for (const landscape of [false, true]) {
      const pdf = await PDFDocument.load(await page.pdf({ format: 'A4', landscape }));
      assert.equal(pdf.getPageCount(), 1, `one ${landscape ? 'landscape' : 'portrait'} page`);
    }
  });
});
