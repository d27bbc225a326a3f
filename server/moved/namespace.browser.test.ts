// An address change across a real network, in Chromium: the hub runs as
// `lanboard serve` in a network namespace this test creates, on a veth pair
// whose namespace end holds two addresses (as a laptop on two networks, or
// before and after IT gives it a fixed one). A class board opened at the
// first follows the hub to the second after the teacher changes its listen
// address and restarts it, as the same member, with what it drew meanwhile.
// Then the hub's computer loses the address a board uses, with no restart and
// no "moved" answer: the board finds the hub at the other address its join info
// listed. Everything stays inside the namespace and its veth pair; mDNS is off.
// Needs root and `ip netns`; skipped with the reason otherwise.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { ClassDetail } from '../admin/api-types';
import { adminCall, eventually } from '../test/admin-client';
import {
  BOARD_WAIT,
  boardContext,
  drawWithMouse,
  ensureBoardBuilt,
  joinClassBoard,
  storedClassToken,
  waitForShapes,
  waitForState,
} from '../test/board-page';
import { chromiumMissing, launchBrowser } from '../test/browser';
import type { TestBrowser } from '../test/browser';
import { BIN, cleanEnv } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';

const id = String(process.pid);
const NAMESPACE = `lbmv${id}`;
const HUB_END = `lbmh${id}`;
const TEST_END = `lbmt${id}`;
// 10.202.x.0/24: the discovery tests use 10.200, the insecure-context test 10.201.
const SUBNET = `10.202.${(process.pid % 250) + 1}`;
const FIRST = `${SUBNET}.1`;
const SECOND = `${SUBNET}.3`;
const PORT = 8080; // the namespace is new: nothing else listens in it
const ADMIN_TOKEN = 'moved-namespace-admin-token-0123456789';

const ip = (...args: string[]) =>
  execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function unavailable(): string | undefined {
  if (chromiumMissing()) return chromiumMissing();
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces needs root';
  try {
    ip('netns', 'add', `lbmp${id}`);
    ip('netns', 'del', `lbmp${id}`);
    return undefined;
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
}

const skip = unavailable();
if (skip) console.log(`# skipping the namespace address-change test: ${skip}`);

function createNetwork(): void {
  ip('netns', 'add', NAMESPACE);
  ip('link', 'add', TEST_END, 'type', 'veth', 'peer', 'name', HUB_END);
  ip('link', 'set', HUB_END, 'netns', NAMESPACE);
  // Linux drops an interface's other addresses in a subnet with the first one, unless told
  // to keep them, as a computer that loses one address of two keeps the other.
  execFileSync('ip', [
    ...['netns', 'exec', NAMESPACE, 'sh', '-c'],
    `echo 1 > /proc/sys/net/ipv4/conf/${HUB_END}/promote_secondaries`,
  ]);
  for (const address of [FIRST, SECOND]) {
    ip('-n', NAMESPACE, 'addr', 'add', `${address}/24`, 'dev', HUB_END);
  }
  ip('-n', NAMESPACE, 'link', 'set', 'lo', 'up');
  ip('-n', NAMESPACE, 'link', 'set', HUB_END, 'up');
  ip('addr', 'add', `${SUBNET}.2/24`, 'dev', TEST_END);
  ip('link', 'set', TEST_END, 'up');
}

function removeNetwork(): void {
  // The namespace takes its end of the pair with it, and so the pair.
  for (const args of [
    ['link', 'del', TEST_END],
    ['netns', 'del', NAMESPACE],
  ]) {
    try {
      ip(...args);
    } catch {
      // never made, or gone already
    }
  }
}

const config = (bind: string) =>
  [
    `ServerBindAddress=${bind}`,
    `ServerPort=${PORT}`,
    'Database=sqlite',
    // The test drives the admin API from outside the namespace, with the token.
    'AdminAllowRemote=1',
    `AdminToken=${ADMIN_TOKEN}`,
    'Mdns=0',
    '',
  ].join('\n');

describe('an address change in a network namespace, in Chromium', { skip }, () => {
  const dir = tempDir('lanboard-moved-ns-');
  const file = path.join(dir.dir, 'lanboard.conf');
  let hub: ChildProcess | undefined;
  let browser: TestBrowser | undefined;
  const contexts: BrowserContext[] = [];
  const at = (address: string) => `http://${address}:${PORT}`;
  const listening = (address: string) =>
    eventually(
      () =>
        adminCall(at(address), '/healthz').then(
          (r) => r.status === 200,
          () => false,
        ),
      30_000,
      `the hub listening on ${address}`,
    );

  before(async () => {
    ensureBoardBuilt();
    createNetwork();
    fs.writeFileSync(file, config(FIRST));
    // Without --host or --port, so the file's listen address is what a restart reads.
    hub = spawn(
      'ip',
      [
        'netns',
        'exec',
        NAMESPACE,
        process.execPath,
        BIN,
        'serve',
        '--config',
        file,
        '--data-dir',
        dir.dir,
      ],
      { env: cleanEnv(), stdio: 'ignore' },
    );
    await listening(FIRST);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    if (hub && hub.exitCode === null) {
      const exited = new Promise((resolve) => hub!.once('exit', resolve));
      hub.kill('SIGTERM');
      await exited;
    }
    removeNetwork();
    dir.remove();
  });

  test('a class board follows the hub from its first address to its second', async () => {
    const created = await adminCall<ClassDetail>(at(FIRST), 'classes', {
      method: 'POST',
      token: ADMIN_TOKEN,
      body: { title: '10B Chemistry' },
    });
    assert.equal(created.status, 201, created.text);
    const { code } = created.body;
    const context = await boardContext(browser!.browser);
    contexts.push(context);
    const dana = await joinClassBoard(context, at(FIRST), code, 'Dana');
    const token = await storedClassToken(dana, code);
    assert.ok(token);

    // Off the network for a moment: the hub moves meanwhile, and she draws.
    await dana.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.disconnect(),
    );
    await waitForState(dana, 'reconnecting');
    fs.writeFileSync(file, config(SECOND));
    const restart = await adminCall(at(FIRST), 'restart', { method: 'POST', token: ADMIN_TOKEN });
    assert.equal(restart.status, 202, restart.text);
    await listening(SECOND);
    await drawWithMouse(dana, [
      [130, 130],
      [230, 190],
    ]);
    const drawn = (await waitForShapes(dana, 1)).map((s) => s.id);
    await dana.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.connect(),
    );

    await dana.waitForURL((u) => u.hostname === SECOND, BOARD_WAIT);
    await waitForState(dana, 'connected');
    assert.equal(await storedClassToken(dana, code), token, 'the same member');
    assert.deepEqual(
      (await waitForShapes(dana, 1)).map((s) => s.id),
      drawn,
    );
    const detail = await adminCall<ClassDetail>(at(SECOND), `classes/${code}`, {
      token: ADMIN_TOKEN,
    });
    assert.equal(detail.body.students, 1);
    assert.deepEqual(
      detail.body.members.filter((m) => m.name === 'Dana').map((m) => m.name),
      ['Dana'],
    );
  });

  test("the hub's computer loses the address a board uses: the board finds another it listed", async () => {
    // Listening on every address: the join info lists both, as on a laptop on two networks.
    fs.writeFileSync(file, config('0.0.0.0'));
    const restart = await adminCall(at(SECOND), 'restart', { method: 'POST', token: ADMIN_TOKEN });
    assert.equal(restart.status, 202, restart.text);
    await listening(FIRST);
    const created = await adminCall<ClassDetail>(at(FIRST), 'classes', {
      method: 'POST',
      token: ADMIN_TOKEN,
      body: { title: '11A Biology' },
    });
    const { code } = created.body;
    const context = await boardContext(browser!.browser);
    contexts.push(context);
    const erin = await joinClassBoard(context, at(FIRST), code, 'Erin');
    const token = await storedClassToken(erin, code);

    await erin.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.disconnect(),
    );
    await waitForState(erin, 'reconnecting');
    // No restart, no "moved" answer: the address is simply gone, as after a new DHCP lease.
    ip('-n', NAMESPACE, 'addr', 'del', `${FIRST}/24`, 'dev', HUB_END);
    await drawWithMouse(erin, [
      [150, 150],
      [250, 210],
    ]);
    const drawn = (await waitForShapes(erin, 1)).map((s) => s.id);
    await erin.evaluate(() =>
      (globalThis as unknown as ProviderWindow).__lanboard.connection.provider.connect(),
    );

    await erin.waitForURL((u) => u.hostname === SECOND, { timeout: 60_000 });
    await waitForState(erin, 'connected');
    assert.equal(new URL(erin.url()).hash, '', 'the token is taken out of the address bar');
    assert.equal(await storedClassToken(erin, code), token, 'the same member');
    assert.deepEqual(
      (await waitForShapes(erin, 1)).map((s) => s.id),
      drawn,
    );
    const detail = await adminCall<ClassDetail>(at(SECOND), `classes/${code}`, {
      token: ADMIN_TOKEN,
    });
    assert.equal(detail.body.students, 1);
  });
});

type ProviderWindow = {
  __lanboard: { connection: { provider: { connect(): void; disconnect(): void } } };
};
