// The class's chat on the board, in Debian's Chromium against a real hub: a
// student on a phone (touch, 390 px) and the teacher on a laptop write to each
// other through the board's chat panel; the teacher is marked by the hub's
// role, not by a name; the panel fits the phone; the teacher's switch takes
// the chat away from the student's page at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import {
  BOARD_WAIT,
  boardContext,
  ensureBoardBuilt,
  joinClassBoard,
  openTeacherBoard,
} from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { createClass, TEST_ADMIN_TOKEN, teacherDoes } from '../test/class-client';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

const skip = chromiumMissing();
if (skip) console.log(`# skipping the class chat browser tests: ${skip}`);

const SHOTS = process.env.LANBOARD_CHAT_SHOTS;

describe("the class's chat on the board, in Chromium", { skip }, () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let detail: ClassDetail;
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<typeof boardContext>[1]) => {
    const c = await boardContext(browser.browser, options);
    contexts.push(c);
    return c;
  };
  const chatSwitch = (chatOpen: boolean) =>
    teacherDoes(hub.httpUrl, `classes/${detail.code}`, 'PATCH', { chatOpen });

  before(async () => {
    ensureBoardBuilt();
    hub = await startHub({ AdminToken: TEST_ADMIN_TOKEN });
    browser = await launchBrowser();
    detail = await createClass(hub.httpUrl, 'Biology 9A');
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
  });

  test('a student on a phone and the teacher write to each other; off takes it away', async () => {
    const teacher = await openTeacherBoard(
      await newContext({ viewport: { width: 1280, height: 800 } }),
      detail.teacherUrl,
    );
    const phone = await newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    // A student who typed the teacher's name: the chat still tells them apart.
    const student = await joinClassBoard(phone, hub.httpUrl, detail.code, 'Teacher');
    const chatButton = (page: Page) => page.getByRole('button', { name: /^Chat/ });
    assert.equal(await chatButton(student).count(), 0, 'no chat while the teacher has it off');

    await chatSwitch(true);
    await chatButton(student).waitFor(BOARD_WAIT);
    await chatButton(teacher).waitFor(BOARD_WAIT);
    await chatButton(student).tap();
    const panel = student.getByRole('complementary', { name: 'Class chat' });
    await panel.waitFor(BOARD_WAIT);
    const input = student.getByLabel('Message to the class');
    await input.waitFor(BOARD_WAIT);
    await expectEnabled(input);
    await input.fill('Is question 3 homework?');
    await student.getByRole('button', { name: 'Send' }).tap();
    await panel.getByText('Is question 3 homework?').waitFor(BOARD_WAIT);
    await panel.locator('li[data-you="true"]').getByText('You').waitFor(BOARD_WAIT);

    // The teacher's button counts it; the panel shows who wrote it, as a student.
    await teacher.getByLabel('1 new').waitFor(BOARD_WAIT);
    await chatButton(teacher).click();
    const teacherPanel = teacher.getByRole('complementary', { name: 'Class chat' });
    const line = teacherPanel.locator('li', { hasText: 'Is question 3 homework?' });
    await line.waitFor(BOARD_WAIT);
    assert.equal(await line.getAttribute('data-teacher'), 'false', 'a student named Teacher');
    assert.equal(await line.locator('.chat-role').count(), 0);
    assert.equal(await line.locator('.chat-who').textContent(), 'Teacher (student)');
    await teacher.getByLabel('Message to the class').fill('Yes, for Friday');
    await teacher.keyboard.press('Enter');

    // The real teacher's line on the phone carries the role the hub gave it.
    const reply = panel.locator('li', { hasText: 'Yes, for Friday' });
    await reply.waitFor(BOARD_WAIT);
    assert.equal(await reply.getAttribute('data-teacher'), 'true');
    assert.equal(await reply.locator('.chat-role').textContent(), 'Teacher');

    // The panel fits the phone, with touch-sized controls.
    const box = (await panel.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 390.5, `panel ${JSON.stringify(box)}`);
    for (const control of [input, student.getByRole('button', { name: 'Send' })]) {
      const b = (await control.boundingBox())!;
      assert.ok(b.x >= 0 && b.x + b.width <= 390.5 && b.y + b.height <= 844.5, 'in view');
      assert.ok(b.height >= 44, `44 px tall: ${b.height}`);
    }
    if (SHOTS) await student.screenshot({ path: `${SHOTS}/chat-phone.png` });
    if (SHOTS) await teacher.screenshot({ path: `${SHOTS}/chat-desktop.png` });

    // Off: the student's chat goes at once; the teacher's page hides it too.
    await chatSwitch(false);
    await chatButton(student).waitFor({ state: 'detached', ...BOARD_WAIT });
    await panel.waitFor({ state: 'detached', ...BOARD_WAIT });
    await chatButton(teacher).waitFor({ state: 'detached', ...BOARD_WAIT });
  });
});

async function expectEnabled(locator: ReturnType<Page['getByLabel']>): Promise<void> {
  const deadline = Date.now() + BOARD_WAIT.timeout;
  while (!(await locator.isEnabled())) {
    if (Date.now() > deadline) throw new Error('the chat input stays disabled');
    await new Promise((r) => setTimeout(r, 100));
  }
}
