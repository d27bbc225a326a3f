// Advertising and browsing over mDNS bound to loopback (machine notes): the
// hub is found with its TXT fields, names never clash, and a stopped hub is
// gone at once (goodbye). Every name is unique to this run, so other hubs on
// the loopback group cannot confuse a test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Hub } from '../index';
import { createLogger } from '../log/logger';
import { captureLog } from '../test/captured-log';
import { killAllHubs, runCli, spawnHub } from '../test/child-hub';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { Advertiser, instanceName } from './advertiser';
import { HubBrowser } from './browse';
import type { FoundHub } from './browse';
import type { InterfaceList } from './join-info';

const LOOPBACK = '127.0.0.1';
const silent = createLogger({ level: 'silent' });
const tmp = tempDir('lanboard-mdns-');
const hubs: TestHub[] = [];
const browsers: HubBrowser[] = [];
const advertisers: Advertiser[] = [];

after(async () => {
  await Promise.all(advertisers.map((a) => a.stop()));
  await Promise.all(hubs.map((h) => h.stop()));
  await Promise.all(browsers.map((b) => b.stop()));
  await killAllHubs();
  tmp.remove();
});

const uniqueName = (what: string) => `Lanboard ${what} ${randomBytes(3).toString('hex')}`;
let dirs = 0;
const dataDir = () => path.join(tmp.dir, `hub-${++dirs}`);

async function browse(): Promise<HubBrowser> {
  const browser = await HubBrowser.open({ interface: LOOPBACK, log: silent });
  browsers.push(browser);
  return browser;
}

/** Loopback mDNS, its own data folder (for the hub id) and name. */
async function mdnsHub(name: string, extra: Record<string, unknown> = {}): Promise<TestHub> {
  const hub = await startHub({
    Mdns: true,
    MdnsInterface: LOOPBACK,
    MdnsName: name,
    DataDir: dataDir(),
    ...extra,
  });
  hubs.push(hub);
  return hub;
}

function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const found = (browser: HubBrowser, name: string) =>
  until(`${name} to be found`, () => browser.hubs().find((h) => h.name === name));

function gone(browser: HubBrowser, name: string): Promise<FoundHub> {
  return new Promise((resolve) => {
    const onDown = (hub: FoundHub) => {
      if (hub.name !== name) return;
      browser.off('down', onDown);
      resolve(hub);
    };
    browser.on('down', onDown);
  });
}

const portOf = (hub: Hub) => Number(new URL(hub.url()).port);
const version = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  .version as string;

describe('one process', () => {
  test('found with its TXT fields; a second hub gets "(2)"; both gone after stop', async () => {
    const browser = await browse();
    const name = uniqueName('one');
    const first = await mdnsHub(name);
    const hub = await found(browser, name);
    assert.equal(hub.port, portOf(first.hub));
    assert.equal(hub.host.endsWith('.local'), true, hub.host);
    assert.equal(hub.addresses[0], LOOPBACK, 'the answer came over loopback');
    assert.match(hub.id ?? '', /^[0-9a-f]{8}$/);
    assert.equal(
      hub.id,
      fs.readFileSync(path.join(first.hub.config.DataDir, 'hub-id'), 'utf8').trim(),
    );
    assert.equal(hub.version, version);
    assert.equal(hub.tls, false);
    assert.deepEqual(hub.protocols, {
      zwibbler: '/socket',
      yjs: '/yjs',
      signal: '/signal',
      workspace: '/socket.io',
      rtc: '/rtc',
      chat: '/chat',
    });
    assert.equal((await first.hub.joinInfo()).mdnsName, name);

    const second = await mdnsHub(name);
    const renamed = await found(browser, `${name} (2)`);
    assert.equal(renamed.port, portOf(second.hub));
    assert.notEqual(renamed.id, hub.id);
    assert.equal((await second.hub.joinInfo()).mdnsName, `${name} (2)`);
    assert.equal(
      browser.hubs().find((h) => h.name === name)?.port,
      hub.port,
      'the first kept its name',
    );

    const firstGone = gone(browser, name);
    await first.stop();
    await firstGone;
    const secondGone = gone(browser, `${name} (2)`);
    await second.stop();
    await secondGone;
    assert.equal(browser.hubs().filter((h) => h.name.startsWith(name)).length, 0);
  });

  test('hubs started at the same moment settle on distinct names', async () => {
    const browser = await browse();
    const name = uniqueName('race');
    const started = await Promise.all([mdnsHub(name), mdnsHub(name), mdnsHub(name)]);
    const names = await until('three distinct names', () => {
      const mine = browser.hubs().filter((h) => h.name.startsWith(name));
      const ports = new Set(mine.map((h) => h.port));
      return mine.length === 3 && ports.size === 3 ? mine.map((h) => h.name).sort() : undefined;
    });
    assert.deepEqual(names, [name, `${name} (2)`, `${name} (3)`]);
    const advertised = await Promise.all(
      started.map(async (h) => (await h.hub.joinInfo()).mdnsName),
    );
    assert.deepEqual([...advertised].sort(), names);
    await Promise.all(started.map((h) => h.stop()));
  });

  test('MdnsInterface may name the interface instead of its address', async () => {
    const browser = await browse();
    const name = uniqueName('by-name');
    const lo = Object.entries(os.networkInterfaces()).find(([, infos]) =>
      infos?.some((i) => i.address === LOOPBACK),
    )?.[0];
    assert.ok(lo, 'a loopback interface');
    const hub = await mdnsHub(name, { MdnsInterface: lo });
    assert.equal((await found(browser, name)).port, portOf(hub.hub));
    await hub.stop();
  });

  test('mDNS errors are logged and never fatal: an MdnsInterface this machine lacks', async () => {
    const log = captureLog('warn');
    const hub = await startHub(
      { Mdns: true, MdnsInterface: '198.51.100.77', MdnsName: uniqueName('x'), DataDir: dataDir() },
      { logger: log.logger },
    );
    hubs.push(hub);
    const warning = await until('the warning', () =>
      log.lines().find((l) => l.msg.includes('MdnsInterface')),
    );
    assert.equal(warning.level, 40);
    assert.equal(warning.MdnsInterface, '198.51.100.77');
    const ping = await fetch(`${hub.httpUrl}/socket?ping`);
    assert.equal(ping.status, 200, 'the hub serves');
    assert.equal((await hub.hub.joinInfo()).mdnsName, null);
    await hub.stop();
  });
});

describe('two processes', () => {
  test('a child hub is found by this process and by `lanboard discover`, and gone after SIGTERM', async () => {
    const browser = await browse();
    const name = uniqueName('child');
    const child = await spawnHub(
      ['--db', 'memory'],
      { LANBOARD_MDNS_INTERFACE: LOOPBACK, LANBOARD_MDNS_NAME: name },
      { mdns: true },
    );
    // Printed once the hub announces; a hub on loopback warns instead of offering join URLs.
    const joinLine = 'lanboard: warning: the hub listens on 127.0.0.1 only';
    await until('the join line on stderr', () =>
      child.stderr().includes(joinLine) ? true : undefined,
    );
    assert.ok(!child.stderr().includes('join at'), 'no join URL that no device could use');
    const hub = await found(browser, name);
    assert.equal(hub.port, child.port);
    assert.equal(hub.protocols.zwibbler, '/socket');

    const json = await runCli(['discover', '--interface', LOOPBACK, '--timeout', '2', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const listed = (JSON.parse(json.stdout) as FoundHub[]).find((h) => h.name === name);
    assert.ok(listed, json.stdout);
    assert.equal(listed.port, child.port);
    assert.equal(listed.addresses[0], LOOPBACK);
    assert.equal(listed.tls, false);
    assert.equal(listed.protocols.chat, '/chat');

    const text = await runCli(['discover', '--interface', LOOPBACK, '--timeout', '1.5']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^${name}\\n  url: +http://127\\.0\\.0\\.1:${child.port}/`, 'm'),
    );
    assert.match(text.stdout, /protocols: zwibbler \/socket, yjs \/yjs/);

    const down = gone(browser, name);
    assert.deepEqual(await child.stop('SIGTERM'), { code: 0, signal: null });
    await down;
  });

  test('discover: a bad --timeout is a usage error', async () => {
    const r = await runCli(['discover', '--timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^lanboard: --timeout takes seconds/);
  });
});

describe('advertiser', () => {
  const nic = (address: string) => [
    { address, family: 'IPv4', internal: false } as os.NetworkInterfaceInfo,
  ];

  test('waits for a missing MdnsInterface, and announces again when the interfaces change', async () => {
    const log = captureLog('info');
    const browser = await browse();
    const name = uniqueName('poll');
    let list: InterfaceList = { eth0: nic('192.0.2.99') };
    const advertiser = new Advertiser({
      name,
      host: 'poll-test.local',
      port: 4999,
      tls: false,
      txt: { txtvers: '1', id: 'feedf00d' },
      interfaceAddress: LOOPBACK,
      log: log.logger,
      interfaces: () => list,
      pollMs: 50,
    });
    advertisers.push(advertiser);
    advertiser.start();
    await advertiser.settled();
    assert.equal(advertiser.name, undefined, 'not advertised where it was not asked to');
    assert.ok(log.lines().some((l) => l.level === 40 && l.msg.includes('MdnsInterface')));

    list = { ...list, lo: nic(LOOPBACK) };
    assert.equal((await found(browser, name)).port, 4999);
    const announced = () => log.lines().filter((l) => l.msg === 'advertising the hub on mDNS');
    assert.equal(announced().length, 1);

    list = { ...list, eth1: nic('198.51.100.5') };
    await until('a second announcement', () => (announced().length === 2 ? true : undefined));
    assert.equal(advertiser.name, name, 'the same name again');
    const down = gone(browser, name);
    await advertiser.stop();
    await down;
  });

  test('instance names: dots become hyphens, 63 bytes at most with the suffix', () => {
    assert.equal(instanceName('Lanboard on host.example', 1), 'Lanboard on host-example');
    assert.equal(instanceName('Room 204', 2), 'Room 204 (2)');
    const long = instanceName('é'.repeat(40), 99);
    assert.ok(Buffer.byteLength(long) <= 63, long);
    assert.ok(long.endsWith(' (99)'));
  });
});
