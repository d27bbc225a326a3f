// The board on a plain-http LAN address, where browsers give an insecure
// context (no crypto.randomUUID, clipboard or service workers). The hub runs in
// a network namespace this test creates, bound to its end of a veth pair
// (10.201.<n>.1); Chromium, in the root namespace, opens it by that address.
// mDNS stays off. Needs root and `ip netns`; skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import {
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  openBoard,
  openMoreTools,
  waitForInk,
  waitForShapes,
} from '../test/board-page';
import { killAllHubs, spawnHub } from '../test/child-hub';
import type { ChildHub } from '../test/child-hub';

const tag = String(process.pid);
const NS = `lbbd${tag}`;
const VETH_NS = `lbbn${tag}`;
const VETH_ROOT = `lbbr${tag}`;
// 10.201.x.0/24: the discovery tests use 10.200.0.x.
const NET = `10.201.${(process.pid % 250) + 1}`;
const HUB_ADDR = `${NET}.1`;
const ROOT_ADDR = `${NET}.2`;

const sh = (...args: string[]) =>
  execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function whyNot(): string | undefined {
  const noChromium = chromiumMissing();
  if (noChromium) return noChromium;
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces needs root';
  try {
    sh('netns', 'add', `lbbp${tag}`);
    sh('netns', 'del', `lbbp${tag}`);
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

const skip = whyNot();
if (skip) console.log(`# skipping the insecure-context board test: ${skip}`);

function setUp(): void {
  sh('netns', 'add', NS);
  sh('link', 'add', VETH_ROOT, 'type', 'veth', 'peer', 'name', VETH_NS);
  sh('link', 'set', VETH_NS, 'netns', NS);
  sh('-n', NS, 'addr', 'add', `${HUB_ADDR}/24`, 'dev', VETH_NS);
  sh('-n', NS, 'link', 'set', 'lo', 'up');
  sh('-n', NS, 'link', 'set', VETH_NS, 'up');
  sh('addr', 'add', `${ROOT_ADDR}/24`, 'dev', VETH_ROOT);
  sh('link', 'set', VETH_ROOT, 'up');
}

function tearDown(): void {
  // Deleting the namespace deletes its veth end, and with it the pair.
  for (const args of [
    ['link', 'del', VETH_ROOT],
    ['netns', 'del', NS],
  ]) {
    try {
      sh(...args);
    } catch {
      // already gone
    }
  }
}

describe('classroom board in an insecure context', { skip }, () => {
  let hub: ChildHub | undefined;
  let browser: TestBrowser | undefined;
  const contexts: BrowserContext[] = [];
  let base = '';

  before(async () => {
    ensureBoardBuilt();
    setUp();
    hub = await spawnHub(
      ['--host', HUB_ADDR, '--db', 'memory'],
      {},
      { prefix: ['ip', 'netns', 'exec', NS] },
    );
    base = `http://${HUB_ADDR}:${hub.port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.stop();
    await killAllHubs();
    tearDown();
  });

  test('the board works over http://<LAN address>, without secure-context APIs', async () => {
    const open = async () => {
      const context = await boardContext(browser!.browser);
      contexts.push(context);
      return openBoard(context, base, 'insecure');
    };
    const a = await open();
    const b = await open();
    const apis = await a.evaluate(() => ({
      secure: (globalThis as unknown as { isSecureContext: boolean }).isSecureContext,
      randomUUID: typeof (globalThis.crypto as { randomUUID?: unknown }).randomUUID,
      clipboard: typeof (globalThis as { navigator?: { clipboard?: unknown } }).navigator
        ?.clipboard,
      host: (globalThis as unknown as { location: { host: string } }).location.host,
    }));
    assert.deepEqual(apis, {
      secure: false,
      randomUUID: 'undefined',
      clipboard: 'undefined',
      host: `${HUB_ADDR}:${hub!.port}`,
    });

    await drawWithMouse(a, [
      [80, 80],
      [150, 120],
      [240, 90],
    ]);
    const [stroke] = await waitForShapes(b, 1);
    assert.equal(stroke!.type, 'pen');
    await waitForInk(b, [240, 90]);

    // Export is a blob: download, which needs no secure context.
    await openMoreTools(a);
    const [download] = await Promise.all([
      a.waitForEvent('download', { timeout: 30_000 }),
      a.getByLabel('Export JSON snapshot').click(),
    ]);
    assert.match(download.suggestedFilename(), /^insecure-.*\.json$/);
  });
});
