// Driving the classroom board (renderer/board) in Chromium: open a room with
// the `?debug` handle, draw with the mouse or touch, and read the board back
// through its Yjs state and its canvas pixels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type * as Y from 'yjs';
import { ROOT } from './child-hub';

export const BOARD_WAIT = { timeout: 30_000 };

/** The tests need the built board; `npm test` builds it first, a lone run builds it here. */
export function ensureBoardBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'renderer', 'board', 'dist', 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:board', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(r.status, 0, 'npm run build:board failed');
}

/** A context as launchBrowser's, with options (a phone's viewport and touch, say). */
export async function boardContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  await context.addInitScript('globalThis.__name = (f) => f;');
  return context;
}

/** Opens `<base>/board/<room>?debug` and waits until it is connected and synced. */
export async function openBoard(
  context: BrowserContext,
  base: string,
  room: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/board/${room}?debug`);
  await waitForState(page, 'connected');
  return page;
}

/**
 * Opens the tool bar's "More" menu (widths, zoom, export, import, Clear board)
 * where the screen is too narrow to show it inline.
 */
export async function openMoreTools(page: Page): Promise<void> {
  const more = page.getByRole('button', { name: 'More' });
  if ((await more.isVisible()) && (await more.getAttribute('aria-expanded')) !== 'true') {
    await more.click();
  }
}

export async function waitForState(page: Page, state: string): Promise<void> {
  await page.locator(`.status[data-state="${state}"]`).waitFor(BOARD_WAIT);
}

export interface ShapeView {
  id: string;
  type: string;
  points: number[];
  color: string;
  width: number;
  text: string;
  author: string;
  createdAt: number;
  dx: number;
  dy: number;
}

/** What the tests use of the page's `window.__lanboard` (renderer/board/src/app/session.ts). */
export interface DebugBoard {
  doc: Y.Doc;
  model: {
    all(): ShapeView[];
    /** The shape's author: this device, or the class member. */
    author: string;
    shapes: Y.Map<Y.Map<unknown>>;
    add(input: Pick<ShapeView, 'type' | 'points' | 'color' | 'width'>): string;
    remove(ids: Iterable<string>): void;
    move(ids: Iterable<string>, dx: number, dy: number): void;
  };
  presence: { peers(): Array<{ name: string }> };
  renderer: { currentView: { scale: number; ox: number; oy: number } };
  options: { base: CanvasLike; overlay: CanvasLike; room: string };
  visibleArea(): { minX: number; minY: number; maxX: number; maxY: number };
  showArea(box: { minX: number; minY: number; maxX: number; maxY: number }): void;
  connection: {
    state(): string;
    provider: { awareness: { getLocalState(): Record<string, unknown> | null } };
  };
}
interface CanvasLike {
  getContext(type: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
export type DebugWindow = {
  __lanboard?: DebugBoard;
  /** The page's own Yjs module (`?debug`), to build updates as the page would. */
  __lanboardYjs?: typeof Y;
  devicePixelRatio?: number;
};

/**
 * What the page-side helpers below need of a page: Playwright's Page (Chromium)
 * or the WebKit harness's (server/test/webkit.ts).
 */
export interface Evaluates {
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
}

/**
 * Polls a function in the page until it returns something truthy. Polled from
 * here: the board's CSP forbids the eval that page.waitForFunction needs.
 */
export async function until<T, A>(
  page: Evaluates,
  fn: (arg: A) => T | undefined | false,
  arg: A,
  what: string,
  timeoutMs = BOARD_WAIT.timeout,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page
      .evaluate(fn as (arg: unknown) => T, arg as unknown)
      .catch(() => undefined)) as T | undefined;
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The shapes in the page's Y.Doc, in drawing order. */
export function shapes(page: Evaluates): Promise<ShapeView[]> {
  return page.evaluate(
    () => (globalThis as unknown as DebugWindow).__lanboard!.model.all(),
    undefined,
  );
}

/** Waits until the page's board holds exactly these shape ids (in any order). */
export async function waitForShapeIds(
  page: Evaluates,
  ids: string[],
  what?: string,
): Promise<void> {
  const want = [...ids].sort().join(',');
  await until(
    page,
    (w) => {
      const all = (globalThis as unknown as DebugWindow).__lanboard?.model.all();
      return (
        all
          ?.map((s) => s.id)
          .sort()
          .join(',') === w
      );
    },
    want,
    what ?? `shapes [${want}]`,
  );
}

export async function shapeIdsOf(page: Evaluates): Promise<string[]> {
  return (await shapes(page)).map((s) => s.id).sort();
}

export async function waitForShapes(page: Evaluates, count: number): Promise<ShapeView[]> {
  return until(
    page,
    (n) => {
      const all = (globalThis as unknown as DebugWindow).__lanboard?.model.all();
      return all?.length === n && all;
    },
    count,
    `${count} shapes on the board`,
  );
}

/** The top-left of the drawing surface, in page coordinates. */
async function origin(page: Page): Promise<[number, number]> {
  const box = await page.locator('canvas.layer.input').boundingBox();
  assert.ok(box, 'the board canvas is not laid out');
  return [box.x, box.y];
}

/** A mouse stroke through board points (an empty board opens at 1:1 with the surface). */
export async function drawWithMouse(page: Page, points: Array<[number, number]>): Promise<void> {
  const [ox, oy] = await origin(page);
  const [first, ...rest] = points;
  await page.mouse.move(ox + first![0], oy + first![1]);
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(ox + x, oy + y, { steps: 4 });
  await page.mouse.up();
}

/** A one-finger drag through real touch events (CDP), as a phone sends them. */
export async function drawWithTouch(page: Page, points: Array<[number, number]>): Promise<void> {
  const [ox, oy] = await origin(page);
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: [number, number]) => [{ x: ox + x, y: oy + y, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]!) });
  for (const p of points.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** Two fingers moving apart from around a point: a pinch to zoom in. */
export async function pinchOut(page: Page, [x, y]: [number, number], steps = 8): Promise<void> {
  const [ox, oy] = await origin(page);
  const cdp = await page.context().newCDPSession(page);
  const fingers = (d: number) => [
    { x: ox + x - d, y: oy + y, id: 1 },
    { x: ox + x + d, y: oy + y, id: 2 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(20) });
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: fingers(20 + i * 10),
    });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/**
 * Waits until the canvas shows ink (a dark pixel on either layer) within 3 px
 * of a board point: what a student would see there.
 */
export async function waitForInk(page: Evaluates, point: [number, number]): Promise<void> {
  await until(
    page,
    ([bx, by]) => {
      const w = globalThis as unknown as DebugWindow;
      const s = w.__lanboard!;
      const v = s.renderer.currentView;
      const dpr = w.devicePixelRatio || 1;
      const [sx, sy] = [(bx * v.scale + v.ox) * dpr, (by * v.scale + v.oy) * dpr];
      return [s.options.base, s.options.overlay].some((c) => {
        const data = c
          .getContext('2d')
          .getImageData(Math.round(sx) - 3, Math.round(sy) - 3, 7, 7).data;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 128 && data[i]! + data[i + 1]! + data[i + 2]! < 300) return true;
        }
        return false;
      });
    },
    point,
    `ink at ${point.join(', ')}`,
  );
}

/** The teacher's board link from the dashboard, opened with `?debug` (the token is in the fragment). */
export async function openTeacherBoard(context: BrowserContext, teacherUrl: string): Promise<Page> {
  const url = new URL(teacherUrl);
  url.search = '?debug';
  const page = await context.newPage();
  await page.goto(url.toString());
  await waitForState(page, 'connected');
  return page;
}

/** A student opening a class's join URL and typing a name in its form. */
export async function joinClassBoard(
  context: BrowserContext,
  base: string,
  code: string,
  name: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/board/${code}?debug`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await waitForState(page, 'connected');
  return page;
}

/** The class token the page keeps in localStorage (null once forgotten). */
export function storedClassToken(page: Page, code: string): Promise<string | null> {
  return page.evaluate(
    // The key as renderer/board/src/net/identity.ts writes it (this runs in the page).
    (c) => (globalThis as unknown as PageStorage).localStorage.getItem(`lanboard.class.${c}.token`),
    code,
  );
}

/** Puts a class token back, as a student who kept one would. */
export async function storeClassToken(page: Page, code: string, token: string): Promise<void> {
  await page.evaluate(
    ([c, t]) =>
      (globalThis as unknown as PageStorage).localStorage.setItem(`lanboard.class.${c}.token`, t),
    [code, token] as const,
  );
}

type PageStorage = {
  localStorage: { getItem(key: string): string | null; setItem(key: string, v: string): void };
};
