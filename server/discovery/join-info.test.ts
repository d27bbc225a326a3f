// Join info from fake interface lists (the os.networkInterfaces() shape).
import assert from 'node:assert/strict';
import type os from 'node:os';
import { describe, test } from 'node:test';
import QRCode from 'qrcode';
import { completeConfig } from '../config/load';
import { protocolEndpoints } from './endpoints';
import { hostLabel, joinInfo, lanAddresses } from './join-info';
import type { InterfaceList, JoinInput } from './join-info';
import { joinPage } from './join-page';

function nic(address: string, internal = false): os.NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return {
    address,
    netmask: v6 ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0',
    family: v6 ? 'IPv6' : 'IPv4',
    mac: internal ? '00:00:00:00:00:00' : '02:00:00:00:00:01',
    internal,
    cidr: `${address}/${v6 ? 64 : 24}`,
    ...(v6 ? { scopeid: 0 } : {}),
  } as os.NetworkInterfaceInfo;
}

const LAPTOP: InterfaceList = {
  lo: [nic('127.0.0.1', true), nic('::1', true)],
  docker0: [nic('172.17.0.1')],
  'br-3f2a9c': [nic('172.18.0.1')],
  veth12ab: [nic('fe80::1c2d:3eff:fe4f:5a6b')],
  wlp2s0: [nic('fd00:1::5'), nic('fe80::aa:bbff:fecc:ddee'), nic('192.168.1.23')],
  enp3s0: [nic('10.0.0.7'), nic('169.254.10.20')],
  tailscale0: [nic('100.101.102.103')],
};

const addresses = (list: InterfaceList, bind?: string) =>
  lanAddresses(list, bind).map((a) => a.address);

describe('LAN addresses', () => {
  test('bound to 0.0.0.0: IPv4 only, no loopback, link-local, container or VPN', () => {
    assert.deepEqual(addresses(LAPTOP), ['192.168.1.23', '10.0.0.7']);
  });

  test('bound to :: (all families): IPv4 first, then global IPv6', () => {
    assert.deepEqual(addresses(LAPTOP, '::'), ['192.168.1.23', '10.0.0.7', 'fd00:1::5']);
  });

  test('bound to one address: only that one, even a virtual one', () => {
    assert.deepEqual(addresses(LAPTOP, '10.0.0.7'), ['10.0.0.7']);
    assert.deepEqual(addresses(LAPTOP, '172.17.0.1'), ['172.17.0.1']);
    assert.deepEqual(addresses(LAPTOP, '127.0.0.1'), ['127.0.0.1']);
    assert.deepEqual(addresses(LAPTOP, 'localhost'), ['localhost'], 'a name is kept as given');
  });

  test('virtual interfaces when they are the only ones (a test namespace, a container)', () => {
    const namespace: InterfaceList = { lo: LAPTOP.lo, veth0: [nic('10.200.0.1')] };
    assert.deepEqual(addresses(namespace), ['10.200.0.1']);
  });

  test('then link-local, then loopback', () => {
    assert.deepEqual(addresses({ lo: LAPTOP.lo, eth0: [nic('169.254.3.4')] }), ['169.254.3.4']);
    assert.deepEqual(addresses({ lo: LAPTOP.lo }), ['127.0.0.1']);
    assert.deepEqual(addresses({}), []);
  });

  test('Windows and macOS names of virtual adapters', () => {
    const windows: InterfaceList = {
      'vEthernet (WSL)': [nic('172.20.0.1')],
      'VirtualBox Host-Only Network': [nic('192.168.56.1')],
      'Wi-Fi': [nic('192.168.0.42')],
      utun3: [nic('10.8.0.2')],
    };
    assert.deepEqual(addresses(windows), ['192.168.0.42']);
  });
});

test('host label: one lower-case DNS label', () => {
  assert.equal(hostLabel('Teacher-Laptop'), 'teacher-laptop');
  assert.equal(hostLabel("Ms Lee's MacBook.lan"), 'ms-lee-s-macbook');
  assert.equal(hostLabel('room204.school.example'), 'room204');
  assert.equal(hostLabel('___'), 'lanboard');
});

const input = (over: Partial<JoinInput> = {}): JoinInput => ({
  interfaces: LAPTOP,
  hostname: 'Teacher-Laptop',
  bindAddress: '0.0.0.0',
  port: 3000,
  tls: false,
  protocols: protocolEndpoints(completeConfig({})),
  mdnsName: 'Lanboard on Teacher-Laptop',
  ...over,
});

/** The dark modules an SVG from the qrcode package draws (rows of `h` runs). */
function svgModules(svg: string): { size: number; dark: Set<string> } {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path stroke="#000000" d="([^"]*)"/.exec(svg)?.[1] ?? '';
  const dark = new Set<string>();
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([MmHh])([\d.]+)(?: ([\d.]+))?/g)) {
    if (cmd === 'M') [x, y] = [Number(a), Number(b) - 0.5];
    else if (cmd === 'm') x += Number(a);
    else for (let i = 0; i < Number(a); i++) dark.add(`${x++},${y}`);
  }
  return { size, dark };
}

describe('join info', () => {
  test('URLs, the preferred one, the .local one and the endpoints', async () => {
    const info = await joinInfo(input());
    assert.deepEqual(info.urls, ['http://192.168.1.23:3000/', 'http://10.0.0.7:3000/']);
    assert.equal(info.preferredUrl, 'http://192.168.1.23:3000/');
    assert.equal(info.localUrl, 'http://teacher-laptop.local:3000/');
    assert.equal(info.mdnsName, 'Lanboard on Teacher-Laptop');
    const byName = Object.fromEntries(info.protocols.map((p) => [p.name, p.url]));
    assert.equal(byName.zwibbler, 'ws://192.168.1.23:3000/socket');
    assert.equal(byName.yjs, 'ws://192.168.1.23:3000/yjs');
    assert.equal(byName.workspace, 'http://192.168.1.23:3000/socket.io');
    assert.equal(byName.rtc, 'http://192.168.1.23:3000/rtc');
  });

  test('TLS and IPv6: https, wss and bracketed addresses', async () => {
    const info = await joinInfo(input({ tls: true, bindAddress: 'fd00:1::5' }));
    assert.deepEqual(info.urls, ['https://[fd00:1::5]:3000/']);
    assert.equal(info.protocols[0]!.url, 'wss://[fd00:1::5]:3000/socket');
  });

  test('no LAN address at all: the .local URL is the preferred one', async () => {
    const info = await joinInfo(input({ interfaces: {} }));
    assert.deepEqual(info.urls, []);
    assert.equal(info.preferredUrl, 'http://teacher-laptop.local:3000/');
  });

  test('the .local URL only when mDNS announces the hub and it listens beyond loopback', async () => {
    assert.equal((await joinInfo(input({ mdnsName: null }))).localUrl, null, 'mDNS off');
    for (const bindAddress of ['127.0.0.1', '127.0.1.1', '::1', 'localhost']) {
      const info = await joinInfo(input({ bindAddress }));
      assert.equal(info.localUrl, null, bindAddress);
      assert.equal(info.loopbackOnly, true, bindAddress);
    }
    const lan = await joinInfo(input({ bindAddress: '192.168.1.23' }));
    assert.equal(lan.localUrl, 'http://teacher-laptop.local:3000/');
    assert.equal(lan.loopbackOnly, false);
  });

  test('the QR code is an SVG that encodes the preferred URL', async () => {
    const info = await joinInfo(input());
    assert.match(info.qrSvg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" [^>]*viewBox=/);
    assert.match(info.qrSvg.trim(), /<\/svg>$/);
    const expected = QRCode.create(info.preferredUrl, {}).modules;
    const margin = 2;
    const { size, dark } = svgModules(info.qrSvg);
    assert.equal(size, expected.size + 2 * margin);
    let mismatches = 0;
    for (let row = 0; row < expected.size; row++) {
      for (let col = 0; col < expected.size; col++) {
        const want = Boolean(expected.get(row, col));
        if (want !== dark.has(`${col + margin},${row + margin}`)) mismatches++;
      }
    }
    assert.equal(mismatches, 0);
    assert.equal(dark.size, expected.data.filter(Boolean).length);
  });

  test('the page shows the URL, the QR code and each endpoint, escaped', async () => {
    const info = await joinInfo(input({ mdnsName: 'Room <204> & "Ms Lee"' }));
    const html = joinPage(info);
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes('<a href="http://192.168.1.23:3000/">http://192.168.1.23:3000/</a>'));
    assert.ok(html.includes(info.qrSvg));
    assert.ok(html.includes('http://teacher-laptop.local:3000/'));
    assert.ok(html.includes('Room &#60;204&#62; &#38; &#34;Ms Lee&#34;'));
    assert.ok(!html.includes('<204>'));
    for (const p of info.protocols) assert.ok(html.includes(`<code>${p.url}</code>`), p.name);
  });
});
