// The classroom board in WebKit, Safari's engine (WebKitGTK's MiniBrowser
// through WebDriver, server/test/webkit.ts), at a phone's and a tablet's size,
// against a real hub, with the teacher on Chromium: the join form, a stroke,
// sync both ways between the engines (Yjs state and canvas pixels), text typed
// and committed with Escape, and the header and tool bar fitting the window.
// WebKitGTK's WebDriver takes touch pointer actions but delivers them to the
// page as mouse pointer events (2.50), so strokes are drawn with the mouse;
// real touches are tested in Chromium (phone.browser.test.ts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import {
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  openTeacherBoard,
  shapes,
  until,
  waitForInk,
  waitForShapes,
} from '../test/board-page';
import type { DebugWindow } from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, TEST_ADMIN_TOKEN } from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { BEHIND_MORE, FIRST_ROW, visibleControls } from '../test/toolbar-fit';
import { Key, openWebKitPage, webkitMissing } from '../test/webkit';
import type { WebKitPage } from '../test/webkit';

const skip = chromiumMissing() ?? webkitMissing();
if (skip) console.log(`# skipping the board's WebKit tests: ${skip}`);

/** Where to write each size's screenshots, when asked (docs/development.md#webkit). */
const SCREENSHOTS = process.env.LANBOARD_WEBKIT_SCREENSHOTS;

const DEVICES: Array<{ device: string; width: number; height: number }> = [
  { device: 'phone', width: 390, height: 844 },
  { device: 'tablet', width: 768, height: 1024 },
];

/** What the page-side functions use of the DOM (server/ compiles without its types). */
interface PageDocument {
  querySelector(s: string): { textContent: string | null; checkVisibility(): boolean } | null;
}

const isSet = (el: { getAttribute(n: string): Promise<string | null> }, name: string) =>
  el.getAttribute(name).then((v) => v === 'true');

for (const { device, width, height } of DEVICES) {
  describe(
    `the board in WebKit (Safari's engine) on a ${device}, ${width}×${height}`,
    { skip },
    () => {
      let hub: TestHub;
      let chromium: TestBrowser;
      let teacherContext: BrowserContext;
      let teacher: Page;
      let webkit: WebKitPage;
      let detail: ClassDetail;

      /** Board points as viewport pixels of the WebKit page, through its current view. */
      const onSurface = async (points: Array<[number, number]>) => {
        const { x, y } = await (await webkit.find('canvas.layer.input')).getRect();
        const view = await webkit.evaluate(
          () => ({ ...(globalThis as unknown as DebugWindow).__lanboard!.renderer.currentView }),
          undefined,
        );
        return points.map(([bx, by]): [number, number] => [
          x + bx * view.scale + view.ox,
          y + by * view.scale + view.oy,
        ]);
      };
      /** Waits for the WebKit page's connection state, and its role badge to say `role`. */
      const waitForHeader = (page: WebKitPage, want: { state: string; role?: string }) =>
        until(
          page,
          (w) => {
            const d = (globalThis as unknown as { document: PageDocument }).document;
            const state = d.querySelector(`.status[data-state="${w.state}"]`);
            const role = d.querySelector('.role')?.textContent ?? '';
            return state !== null && (!w.role || role.includes(w.role));
          },
          want,
          `WebKit's header: ${JSON.stringify(want)}`,
        ).catch(async (err: Error) => {
          // What the page shows instead says why.
          const shown = await page.evaluate(
            () =>
              (globalThis as unknown as { document: { body: { innerText: string } } }).document.body
                .innerText,
            undefined,
          );
          throw new Error(`${err.message}; the page shows: ${shown.slice(0, 300)}`);
        });

      before(async () => {
        ensureBoardBuilt();
        hub = await startHub({ AdminToken: TEST_ADMIN_TOKEN });
        detail = await createClass(hub.httpUrl, 'Maths 7B');
        chromium = await launchBrowser();
        teacherContext = await boardContext(chromium.browser, {
          viewport: { width: 1280, height: 800 },
        });
        teacher = await openTeacherBoard(teacherContext, detail.teacherUrl);
        webkit = await openWebKitPage(width, height);
      });

      after(async () => {
        await webkit?.close();
        await teacherContext?.close().catch(() => {});
        await chromium?.close();
        await hub?.stop();
      });

      test("join: the class code, typed as a child would, and the name on one form; the browser is Safari's engine", async () => {
        const agent = await webkit.evaluate(
          () => (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
          undefined,
        );
        assert.match(agent, /AppleWebKit\/[\d.]+ .* Version\/[\d.]+ Safari\//);
        assert.doesNotMatch(agent, /Chrome|Chromium/);

        await webkit.goto(`${hub.httpUrl}/`);
        const spaced = `${detail.code.slice(0, 3)} ${detail.code.slice(3)}`.toLowerCase();
        await (await webkit.find('input[name="room"]')).sendKeys(spaced);
        await (await webkit.find('input[name="name"]')).sendKeys('Ada');
        await (await webkit.find('form.join-form button[type="submit"]')).click();
        await waitForHeader(webkit, { state: 'connected', role: 'Student: Ada' });
        assert.equal(
          new URL(await webkit.driver.getCurrentUrl()).pathname,
          `/board/${detail.code}`,
        );
        // The teacher sees the student arrive.
        await teacher.getByText('1 other here').waitFor({ timeout: 30_000 });
      });

      test('draw and sync: a stroke drawn in WebKit appears in Chromium, one drawn in Chromium appears in WebKit', async () => {
        // Back on the class board with the debug handle; the stored token rejoins.
        await webkit.goto(`${hub.httpUrl}/board/${detail.code}?debug`);
        await waitForHeader(webkit, { state: 'connected', role: 'Student: Ada' });
        const before = (await shapes(teacher)).length;
        await webkit.drag(
          await onSurface([
            [60, 80],
            [120, 110],
            [180, 90],
            [240, 140],
          ]),
        );
        const drawn = await waitForShapes(webkit, before + 1);
        const stroke = drawn.at(-1)!;
        assert.equal(stroke.type, 'pen');
        // The whole stroke reaches the teacher, not just its start, and is seen there.
        await until(
          teacher,
          (want) => {
            const all = (globalThis as unknown as DebugWindow).__lanboard!.model.all();
            return all.some((s) => s.id === want.id && s.points.length === want.n);
          },
          { id: stroke.id, n: stroke.points.length },
          'the whole WebKit stroke in Chromium',
        );
        assert.deepEqual(
          (await shapes(teacher)).find((s) => s.id === stroke.id),
          stroke,
        );
        await waitForInk(teacher, [stroke.points[0]!, stroke.points[1]!]);
        await waitForInk(webkit, [120, 110]);

        // The other way: the teacher's stroke, in WebKit's Yjs state and on its canvas.
        await drawWithMouse(teacher, [
          [80, 300],
          [160, 320],
          [240, 300],
        ]);
        const both = await waitForShapes(webkit, before + 2);
        const theirs = both.at(-1)!;
        assert.notEqual(theirs.id, stroke.id);
        await waitForInk(webkit, [theirs.points[0]!, theirs.points[1]!]);
      });

      test('text: typed with the text tool on several lines, committed with Escape, seen in Chromium', async () => {
        await webkit.goto(`${hub.httpUrl}/board/${detail.code}?debug`);
        await waitForHeader(webkit, { state: 'connected' });
        const before = (await shapes(teacher)).length;
        const pen = await webkit.find('button[aria-label="Pen (P)"]');
        assert.ok(await isSet(pen, 'aria-pressed'), 'the pen is the tool');
        await (await webkit.find('button[aria-label="Text (T)"]')).click();
        const [at] = await onSurface([[150, 200]]);
        await webkit.click(...at!);
        await webkit.find('textarea[aria-label="Text to add"]');
        // Letters that are shortcuts elsewhere ("e", "l", "o", "p", "r", "t", "v") are text here.
        await webkit.type('Plover', Key.ENTER, 'two lines');
        await webkit.type(Key.ESCAPE);
        const all = await waitForShapes(webkit, before + 1);
        const text = all.at(-1)!;
        assert.equal(text.type, 'text');
        assert.equal(text.text, 'Plover\ntwo lines');
        assert.equal((await webkit.driver.findElements({ css: 'textarea' })).length, 0);
        assert.ok(await isSet(pen, 'aria-pressed'), 'back to the pen');
        await until(
          teacher,
          (id) =>
            (globalThis as unknown as DebugWindow).__lanboard!.model.all().find((s) => s.id === id)
              ?.text,
          text.id,
          'the text in Chromium',
        );
        assert.equal((await shapes(teacher)).find((s) => s.id === text.id)?.text, text.text);
        await waitForInk(teacher, [text.points[0]! + 4, text.points[1]! + 4]);
      });

      test('tool bar and header: nothing outside the window or clipped, every action reachable', async () => {
        // A window of its own, as the Chromium test's fresh context: the teacher's link,
        // opened where a student's board was, should not depend on what that page kept.
        const page = await openWebKitPage(width, height);
        try {
          const url = new URL(detail.teacherUrl);
          url.search = '?debug';
          await page.goto(url.toString());
          await waitForHeader(page, { state: 'connected', role: 'Teacher' });
          const check = async (when: string) => {
            const controls = await page.evaluate(visibleControls, undefined);
            for (const c of controls) assert.deepEqual(c.problems, [], `${when}: ${c.name}`);
            return controls.map((c) => c.name);
          };
          const shown = await check('More closed');
          for (const name of FIRST_ROW) assert.ok(shown.includes(name), `${name} in view`);
          assert.ok(shown.includes('Teacher'), 'the role in view');
          assert.ok(shown.includes('Connected'), 'the connection state in view');
          if (SCREENSHOTS)
            await page.screenshot(path.join(SCREENSHOTS, `board-webkit-${width}.png`));
          const [more] = await page.driver.findElements({ css: 'button[aria-expanded]' });
          if (more && (await more.isDisplayed())) {
            await more.click();
            const inMenu = await check('More open');
            for (const name of BEHIND_MORE) assert.ok(inMenu.includes(name), name);
            if (SCREENSHOTS) {
              await page.screenshot(path.join(SCREENSHOTS, `board-webkit-${width}-more.png`));
            }
            // Escape closes the menu.
            await page.type(Key.ESCAPE);
            await until(
              page,
              () =>
                (globalThis as unknown as { document: PageDocument }).document
                  .querySelector('button[aria-label="Export PNG"]')
                  ?.checkVisibility() === false,
              undefined,
              'the More menu closed',
            );
            assert.equal(await more.getAttribute('aria-expanded'), 'false');
          } else {
            for (const name of BEHIND_MORE) assert.ok(shown.includes(name), name);
          }
        } finally {
          await page.close();
        }
      });
    },
  );
}
