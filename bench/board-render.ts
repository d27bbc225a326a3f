// The classroom board's rendering benchmark: the built board in Chromium, a
// real hub, 5,000 generated strokes, and the frame times while the view pans
// and zooms (wheel events, all 5,000 in view) and while a stroke is drawn.
// Frame time is the gap between requestAnimationFrame callbacks; "work" is the
// time the board's renderer spent inside its frame. No assertions.
// `npm run bench:board [-- --quick]`; `npm run bench` runs it last.
import { markdownTable } from './markdown';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../server/test/browser';
import {
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  openBoard,
  until,
} from '../server/test/board-page';
import type { DebugWindow } from '../server/test/board-page';
import { startHub } from '../server/test/hub-fixture';
import type { Shape } from '../renderer/board/src/model/shape';
import { benchStrokes } from './board-strokes';

export const STROKES = 5000;

interface Phase {
  name: string;
  frames: number[];
  work: number[];
}

/** Runs in the page: the strokes added to the board, and the view fitted to them. */
function addStrokes(shapes: Shape[]): number {
  const board = (
    globalThis as unknown as {
      __lanboard: { model: { addShapes(s: unknown[]): void }; fitView(): void };
    }
  ).__lanboard;
  board.model.addShapes(shapes);
  board.fitView();
  return shapes.length;
}

/** Runs in the page: starts recording rAF gaps and the renderer's work per frame. */
function startRecording(): void {
  type Rec = { frames: number[]; work: number[]; last: number; on: boolean };
  const w = globalThis as unknown as {
    __rec: Rec;
    __lanboard: { renderer: { onFrame?: (at: number, work: number) => void } };
    requestAnimationFrame(cb: (t: number) => void): number;
  };
  const rec: Rec = { frames: [], work: [], last: 0, on: true };
  w.__rec = rec;
  w.__lanboard.renderer.onFrame = (_at, work) => rec.work.push(work);
  const tick = (t: number) => {
    if (!rec.on) return;
    if (rec.last) rec.frames.push(t - rec.last);
    rec.last = t;
    w.requestAnimationFrame(tick);
  };
  w.requestAnimationFrame(tick);
}

function stopRecording(): { frames: number[]; work: number[] } {
  const rec = (
    globalThis as unknown as { __rec: { frames: number[]; work: number[]; on: boolean } }
  ).__rec;
  rec.on = false;
  return { frames: rec.frames, work: rec.work };
}

/** Runs in the page: wheel events on the board, one per frame, for `ms`. */
function wheelFor([ms, zoom]: [number, boolean]): Promise<void> {
  const w = globalThis as unknown as {
    document: {
      querySelector(s: string): {
        dispatchEvent(e: unknown): void;
        getBoundingClientRect(): { width: number; height: number };
      };
    };
    WheelEvent: new (type: string, init: object) => unknown;
    requestAnimationFrame(cb: (t: number) => void): number;
  };
  const el = w.document.querySelector('canvas.layer.input');
  const r = el.getBoundingClientRect();
  const start = performance.now();
  let i = 0;
  return new Promise((resolve) => {
    const step = () => {
      if (performance.now() - start >= ms) return resolve();
      i++;
      // Back and forth, so the drawing stays in view.
      const dir = Math.floor(i / 30) % 2 === 0 ? 1 : -1;
      el.dispatchEvent(
        new w.WheelEvent('wheel', {
          deltaX: zoom ? 0 : 12 * dir,
          deltaY: zoom ? 8 * dir : 6 * dir,
          ctrlKey: zoom,
          clientX: r.width / 2,
          clientY: r.height / 2,
          bubbles: true,
          cancelable: true,
        }),
      );
      w.requestAnimationFrame(step);
    };
    w.requestAnimationFrame(step);
  });
}

async function phase(page: Page, name: string, run: () => Promise<void>): Promise<Phase> {
  await page.evaluate(startRecording);
  await run();
  const { frames, work } = await page.evaluate(stopRecording);
  return { name, frames, work };
}

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

function table(phases: Phase[]): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
  const head = [
    'phase',
    'frames',
    'frame p50',
    'p95',
    'p99',
    'max',
    'work p50',
    'work p95',
    'work max',
  ];
  const rows = phases.map((p) => [
    p.name,
    String(p.frames.length),
    ...[0.5, 0.95, 0.99, 1].map((q) => f(quantile(p.frames, q))),
    ...[0.5, 0.95, 1].map((q) => f(quantile(p.work, q))),
  ]);
  return markdownTable(head, rows);
}

/** The screens measured: the teacher's laptop, and a phone (where the board opens fitted, too). */
const SCREENS = [
  { name: '1280×800 at DPR 1', options: { viewport: { width: 1280, height: 800 } } },
  {
    name: '390×844 at DPR 3 (phone, touch)',
    options: {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    },
  },
] satisfies Array<{ name: string; options: Parameters<typeof boardContext>[1] }>;

export async function boardRenderReport({ quick = false } = {}): Promise<string> {
  ensureBoardBuilt();
  const ms = quick ? 1000 : 5000;
  const hub = await startHub();
  const browser = await launchBrowser();
  try {
    const reports: string[] = [];
    for (const [i, screen] of SCREENS.entries()) {
      const room = `bench-${i}`;
      const context = await boardContext(browser.browser, screen.options);
      const page = await openBoard(context, hub.httpUrl, room);
      const loadStart = Date.now();
      await page.evaluate(addStrokes, benchStrokes(STROKES));
      // Every stroke has reached the hub and come back: a second page sees them all.
      const check = await openBoard(await boardContext(browser.browser), hub.httpUrl, room);
      await until(
        check,
        (n) => (globalThis as unknown as DebugWindow).__lanboard?.model.all().length === n,
        STROKES,
        'the strokes at a second page',
        120_000,
      );
      const syncMs = Date.now() - loadStart;
      await check.close();
      const phases = [
        await phase(page, `pan (${STROKES} in view)`, () =>
          page.evaluate(wheelFor, [ms, false] as [number, boolean]),
        ),
        await phase(page, `zoom (${STROKES} in view)`, () =>
          page.evaluate(wheelFor, [ms, true] as [number, boolean]),
        ),
        // Resting view: the base is redrawn sharp once, then nothing changes.
        await phase(
          page,
          'rest after zoom (one full redraw)',
          () => new Promise((r) => setTimeout(r, 500)),
        ),
        await phase(page, `drawing a stroke over ${STROKES}`, async () => {
          // The laptop's stroke, scaled down to fit a narrower surface.
          const box = await page.locator('canvas.layer.input').boundingBox();
          const k = Math.min(1, (box?.width ?? 1280) / 1280);
          const points: Array<[number, number]> = [];
          const steps = quick ? 40 : 200;
          for (let s = 0; s <= steps; s++) {
            points.push([(200 + (s * 800) / steps) * k, (300 + Math.sin(s / 5) * 120) * k]);
          }
          await drawWithMouse(page, points);
        }),
      ];
      await context.close();
      reports.push(
        `Board rendering (${quick ? 'quick' : 'full'}): ${STROKES} pen strokes of 20-60 points, Chromium ${browser.browser.version()} (headless, --disable-gpu), ${screen.name}`,
        `Generated in the page, synced to the hub and to a second page in ${(syncMs / 1000).toFixed(1)} s.`,
        '',
        table(phases),
        '',
      );
    }
    return [
      ...reports,
      'Frame: ms between requestAnimationFrame callbacks. Work: ms the board renderer spent in its',
      'frame (frames with nothing to draw are not counted). Pan and zoom move the drawn layer with a',
      'CSS transform; the layer is redrawn sharp when the view rests (the "rest" row).',
    ].join('\n');
  } finally {
    await browser.close();
    await hub.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
  process.stdout.write(`${await boardRenderReport({ quick: values.quick })}\n`);
}
