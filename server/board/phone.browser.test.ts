// The classroom board on phones and tablets, in Debian's Chromium with touch
// emulation (hasTouch, isMobile) against a real hub: the tool bar and the
// header fit every width from 360 px, portrait and landscape, with every
// action reachable; a board opens on its drawing; two fingers pinch and pan
// (real touches through the DevTools protocol) and draw nothing; a double tap
// edits a text, even when the finger wobbles.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import {
  BOARD_WAIT,
  boardContext,
  ensureBoardBuilt,
  joinClassBoard,
  openBoard,
  openTeacherBoard,
  shapes,
  until,
  waitForShapes,
} from '../test/board-page';
import type { DebugWindow } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, TEST_ADMIN_TOKEN } from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { BEHIND_MORE, FIRST_ROW, visibleControls } from '../test/toolbar-fit';
import type { PageDom } from '../test/toolbar-fit';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the phone and tablet board tests: ${skip}`);

/** Each width portrait and landscape: phones, tablets, a laptop, a desktop. */
const SIZES: Array<[number, number]> = [
  [360, 740],
  [390, 844],
  [768, 1024],
  [1024, 1366],
  [800, 1280],
  [1080, 1920],
].flatMap(([w, h]): Array<[number, number]> => [
  [w!, h!],
  [h!, w!],
]);

/** Runs in the page: an element's computed touch-action. */
const touchAction = (el: unknown) =>
  (
    globalThis as unknown as { getComputedStyle(e: unknown): { touchAction: string } }
  ).getComputedStyle(el).touchAction;

const coarsePointer = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageDom).matchMedia('(pointer: coarse)').matches);

const touchDevice = (width: number, height: number) => ({
  viewport: { width, height },
  isMobile: true,
  hasTouch: true,
});

describe('the board on phones and tablets, in Chromium', { skip }, () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let detail: ClassDetail;
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<typeof boardContext>[1]) => {
    const c = await boardContext(browser.browser, options);
    contexts.push(c);
    return c;
  };

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({ AdminToken: TEST_ADMIN_TOKEN });
    browser = await launchBrowser();
    detail = await createClass(hub.httpUrl, 'Year 7 Mathematics with Mrs Featherstonehaugh');
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
  });

  test('tool bar and header: at every size, nothing outside the viewport or clipped, every action reachable, 44 px targets', async () => {
    for (const [width, height] of SIZES) {
      const size = `${width}×${height}`;
      const context = await newContext(touchDevice(width, height));
      // The teacher's board has every action there is (Replace and Clear board too).
      const page = await openTeacherBoard(context, detail.teacherUrl);
      assert.ok(await coarsePointer(page), `${size}: touch emulation makes the pointer coarse`);
      const check = async (when: string) => {
        const controls = await page.evaluate(visibleControls);
        for (const c of controls) {
          assert.deepEqual(c.problems, [], `${size}, ${when}: ${c.name}`);
          if (c.badge) continue;
          assert.ok(
            c.width >= 44 - 0.5 && c.height >= 44 - 0.5,
            `${size}, ${when}: ${c.name} is ${c.width}×${c.height}`,
          );
        }
        return controls.map((c) => c.name);
      };
      const shown = await check('More closed');
      for (const name of FIRST_ROW) assert.ok(shown.includes(name), `${size}: ${name} in view`);
      assert.ok(shown.includes('Teacher'), `${size}: the role in view`);
      assert.ok(shown.includes('Connected'), `${size}: the connection state in view`);
      const more = page.getByRole('button', { name: 'More' });
      if (await more.isVisible()) {
        await more.click();
        const inMenu = await check('More open');
        for (const name of BEHIND_MORE) assert.ok(inMenu.includes(name), `${size}: ${name}`);
        // The menu closes on Escape, and what was under it is back.
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Export PNG' }).waitFor({ state: 'hidden' });
      } else {
        for (const name of BEHIND_MORE) assert.ok(shown.includes(name), `${size}: ${name}`);
      }
      await context.close();
    }
  });

  test("header at 360 px: a student's long name and a long class title leave the role and the state in view", async () => {
    const context = await newContext(touchDevice(360, 740));
    const page = await joinClassBoard(
      context,
      hub.httpUrl,
      detail.code,
      'Maximiliana Featherstone',
    );
    const controls = await page.evaluate(visibleControls);
    const role = controls.find((c) => c.name.startsWith('Student'));
    assert.ok(role, 'the role badge is shown');
    // The name may be cut short with an ellipsis, the role word is not.
    assert.deepEqual(
      role.problems.filter((p) => p !== 'text cut short'),
      [],
    );
    const state = controls.find((c) => c.name === 'Connected');
    assert.deepEqual(state?.problems, [], 'the connection state is whole and in view');
  });

  test('a phone opens a board on its drawing; two fingers pinch and pan the view and draw nothing', async () => {
    // Drawn on a laptop, far from a phone's top-left corner.
    const desk = await openBoard(
      await newContext({ viewport: { width: 1280, height: 800 } }),
      hub.httpUrl,
      'far-drawing',
    );
    await desk.evaluate(() =>
      (globalThis as unknown as DebugWindow).__lanboard!.model.add({
        type: 'rect',
        points: [900, 500, 0.5, 1200, 700, 0.5],
        color: '#1971c2',
        width: 4,
      }),
    );
    await waitForShapes(desk, 1);
    const phone = await newContext({ ...touchDevice(390, 844), deviceScaleFactor: 3 });
    const page = await openBoard(phone, hub.httpUrl, 'far-drawing');
    await waitForShapes(page, 1);
    const surface = (await page.locator('canvas.layer.input').boundingBox())!;
    const view = () =>
      page.evaluate(() => ({
        ...(globalThis as unknown as DebugWindow).__lanboard!.renderer.currentView,
      }));
    // Fitted: the rectangle's corners are on the phone's screen.
    const fitted = await until(
      page,
      () => {
        const v = (globalThis as unknown as DebugWindow).__lanboard!.renderer.currentView;
        return v.scale !== 1 && { ...v };
      },
      undefined,
      'the view fitted to the drawing',
    );
    for (const [bx, by] of [
      [900, 500],
      [1200, 700],
    ] as const) {
      const [sx, sy] = [bx * fitted.scale + fitted.ox, by * fitted.scale + fitted.oy];
      assert.ok(
        sx >= 0 && sx <= surface.width && sy >= 0 && sy <= surface.height,
        `${bx},${by} on screen at ${sx},${sy}`,
      );
    }

    // Gestures are the page's own, by standard Pointer Events: the browser neither scrolls nor zooms.
    assert.equal(await page.locator('canvas.layer.input').evaluate(touchAction), 'none');

    // Every change the desk gets from now on is counted: the fingers must send none.
    await desk.evaluate(() => {
      const g = globalThis as unknown as DebugWindow & { __updates: number };
      g.__updates = 0;
      g.__lanboard!.doc.on('update', () => g.__updates++);
    });
    const cdp = await phone.newCDPSession(page);
    type TouchType = 'touchStart' | 'touchMove' | 'touchEnd';
    const touch = (type: TouchType, points: Array<[number, number]>) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: points.map(([x, y], i) => ({ x: surface.x + x, y: surface.y + y, id: i + 1 })),
      });
    const gesture = async (from: Array<[number, number]>, to: Array<[number, number]>) => {
      await touch('touchStart', from);
      const steps = 6;
      for (let s = 1; s <= steps; s++) {
        const k = s / steps;
        await touch(
          'touchMove',
          from.map(([x, y], i) => [x + (to[i]![0] - x) * k, y + (to[i]![1] - y) * k]),
        );
      }
      await touch('touchEnd', []);
    };
    const mid: [number, number] = [195, 300];
    const boardAt = (v: { scale: number; ox: number; oy: number }, [x, y]: [number, number]) => [
      (x - v.ox) / v.scale,
      (y - v.oy) / v.scale,
    ];

    // Pinch: the fingers go from 80 px apart to 160, around the same point.
    const before = await view();
    await gesture(
      [
        [mid[0] - 40, mid[1]],
        [mid[0] + 40, mid[1]],
      ],
      [
        [mid[0] - 80, mid[1]],
        [mid[0] + 80, mid[1]],
      ],
    );
    const pinched = await view();
    assert.ok(
      Math.abs(pinched.scale / before.scale - 2) < 1e-6,
      `zoomed ×2: ${before.scale} → ${pinched.scale}`,
    );
    const [b0, b1] = [boardAt(before, mid), boardAt(pinched, mid)];
    assert.ok(
      Math.hypot(b0[0]! - b1[0]!, b0[1]! - b1[1]!) < 1e-6,
      'the point between the fingers stays put',
    );

    // Pan: both fingers move 50 px right and 30 px down; the board moves with them.
    await gesture(
      [
        [150, 400],
        [250, 400],
      ],
      [
        [200, 430],
        [300, 430],
      ],
    );
    const panned = await view();
    // The scale is the fingers' distance ratio, from coordinates Chromium rounds
    // per finger: a pan may move it by a rounding error, never by a zoom.
    assert.ok(
      Math.abs(panned.scale / pinched.scale - 1) < 1e-6,
      `not zoomed: ${pinched.scale} → ${panned.scale}`,
    );
    assert.ok(
      Math.abs(panned.ox - pinched.ox - 50) < 1e-6 && Math.abs(panned.oy - pinched.oy - 30) < 1e-6,
      JSON.stringify({ pinched, panned }),
    );
    await cdp.detach();

    // Nothing was drawn: not on the phone, and no change reached the desk meanwhile.
    assert.equal((await waitForShapes(page, 1)).length, 1);
    // A stroke by one finger still draws, and reaches the desk after the gestures' (absent) changes.
    await page.getByRole('button', { name: 'Pen (P)' }).waitFor(BOARD_WAIT);
    const cdp2 = await phone.newCDPSession(page);
    await cdp2.send('Input.dispatchTouchEvent', {
      type: 'touchStart',
      touchPoints: [{ x: surface.x + 60, y: surface.y + 600, id: 1 }],
    });
    await cdp2.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: surface.x + 160, y: surface.y + 620, id: 1 }],
    });
    await cdp2.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cdp2.detach();
    await waitForShapes(desk, 2);
    const updates = await desk.evaluate(
      () => (globalThis as unknown as { __updates: number }).__updates,
    );
    // The one-finger stroke's own updates only: its add, and its points.
    assert.ok(updates >= 1 && updates <= 2, `${updates} updates reached the desk`);
  });

  test("a double tap with select edits a text, by real touches, a finger's wobble included", async () => {
    const phone = await newContext(touchDevice(390, 844));
    const page = await openBoard(phone, hub.httpUrl, 'double-tap');
    const desk = await openBoard(
      await newContext({ viewport: { width: 1280, height: 800 } }),
      hub.httpUrl,
      'double-tap',
    );
    const surface = (await page.locator('canvas.layer.input').boundingBox())!;
    const cdp = await phone.newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', at?: [number, number]) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: at ? [{ x: surface.x + at[0], y: surface.y + at[1], id: 1 }] : [],
      });
    /** One finger down and up; `wobble` px of travel before it lifts, as a real fingertip has. */
    const tapEvents = ([x, y]: [number, number], wobble = 0) => [
      touch('touchStart', [x, y]),
      ...(wobble ? [touch('touchMove', [x + wobble, y + wobble / 2])] : []),
      touch('touchEnd'),
    ];
    const tap = (at: [number, number]) => Promise.all(tapEvents(at));
    /**
     * Two taps sent together (the session delivers them in order): a loaded
     * machine's round trips must not stretch them past the double-tap time.
     */
    const doubleTap = (first: [number, number], second: [number, number], wobble = 0) =>
      Promise.all([...tapEvents(first, wobble), ...tapEvents(second, wobble && wobble + 1)]);
    const editor = page.getByLabel('Text to add');

    // A text written by touch: the text tool, a tap, typing, Done.
    await page.getByRole('button', { name: 'Text (T)' }).tap();
    await tap([80, 120]);
    await editor.fill('Osmosis');
    await page.getByRole('button', { name: 'Done' }).tap();
    const [written] = await waitForShapes(desk, 1);
    assert.equal(written!.text, 'Osmosis');

    // Select, then two taps on the text: its editor opens, holding it.
    await page.getByRole('button', { name: 'Select and move (V)' }).tap();
    await doubleTap([95, 130], [96, 131]);
    await editor.waitFor(BOARD_WAIT);
    assert.equal(await editor.inputValue(), 'Osmosis');
    await editor.fill('Diffusion');
    await page.getByRole('button', { name: 'Done' }).tap();
    await until(
      desk,
      (want) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]?.text === want,
      'Diffusion',
      'the edit on the desk',
    );

    // Taps that wobble a few pixels are still taps: the text opens and does not move.
    await doubleTap([95, 130], [97, 131], 3);
    await editor.waitFor(BOARD_WAIT);
    assert.equal(await editor.inputValue(), 'Diffusion');
    await editor.fill('Active transport');
    await page.getByRole('button', { name: 'Done' }).tap();
    await until(
      desk,
      (want) => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]?.text === want,
      'Active transport',
      'the second edit on the desk',
    );
    const [after] = await shapes(desk);
    assert.deepEqual([after!.dx, after!.dy], [0, 0], 'the taps did not move the text');
    assert.equal(after!.id, written!.id);

    // A real drag still moves it.
    await touch('touchStart', [95, 130]);
    for (let i = 1; i <= 4; i++) await touch('touchMove', [95 + i * 10, 130 + i * 5]);
    await touch('touchEnd');
    await until(
      desk,
      () => (globalThis as unknown as DebugWindow).__lanboard!.model.all()[0]?.dx === 40,
      undefined,
      'the drag moves the text on the desk',
    );
    await cdp.detach();
    assert.equal(await editor.count(), 0, 'a drag opens no editor');
  });
});
