// Two hosts on one machine: network namespaces A and B joined by a veth pair
// (machine notes, "mDNS between two hosts"). The hub runs in A; from B it is
// found by `lanboard discover` and by avahi-browse (an independent client),
// reached on the address and port found, and its .local name resolves. All
// mDNS stays inside the two namespaces; they are deleted at the end. Needs
// root, iproute2, dbus-daemon and avahi (avahi-daemon, avahi-utils): without
// them the tests are skipped with the reason.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cleanEnv, killAllHubs, spawnHub } from '../test/child-hub';
import type { ChildHub } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';
import type { FoundHub } from './browse';

const tag = String(process.pid);
const A = `lbA${tag}`;
const B = `lbB${tag}`;
const VETH_A = `lbva${tag}`;
const VETH_B = `lbvb${tag}`;
const ADDR_A = '10.200.0.1';
const ADDR_B = '10.200.0.2';
const NAME = `Lanboard ns ${tag}`;

function sh(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'not root: creating network namespaces needs root';
  for (const tool of ['ip', 'dbus-daemon', 'avahi-daemon', 'avahi-browse', 'avahi-resolve']) {
    try {
      sh('sh', '-c', `command -v ${tool}`);
    } catch {
      return `${tool} is not installed (apt-get install iproute2 dbus avahi-daemon avahi-utils)`;
    }
  }
  const pidFile = '/run/avahi-daemon/pid';
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    if (pid > 0 && alive(pid)) return `an avahi-daemon already runs on this machine (pid ${pid})`;
  }
  try {
    sh('ip', 'netns', 'add', `lbP${tag}`);
    sh('ip', 'netns', 'del', `lbP${tag}`);
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const skip = whyNot();
if (skip) process.stderr.write(`two-host discovery tests skipped: ${skip}\n`);

const tmp = tempDir('lanboard-netns-');
const busDir = path.join(tmp.dir, 'bus');
const busEnv = () => ({ ...cleanEnv(), DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${busDir}/socket` });
let dbusPid: number | undefined;
let avahi: ChildProcess | undefined;
const hubs: ChildHub[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env = cleanEnv(), timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const inB = (command: string, args: string[], env?: NodeJS.ProcessEnv) =>
  run('ip', ['netns', 'exec', B, command, ...args], env);

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function setUpNamespaces(): void {
  sh('ip', 'netns', 'add', A);
  sh('ip', 'netns', 'add', B);
  sh('ip', 'link', 'add', VETH_A, 'type', 'veth', 'peer', 'name', VETH_B);
  for (const [ns, dev, addr] of [
    [A, VETH_A, ADDR_A],
    [B, VETH_B, ADDR_B],
  ] as const) {
    sh('ip', 'link', 'set', dev, 'netns', ns);
    sh('ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'link', 'set', dev, 'multicast', 'on', 'up');
    sh('ip', '-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
  }
}

/** A private system bus (not /run/dbus) and avahi-daemon in B on its veth only. */
async function startAvahi(): Promise<void> {
  fs.mkdirSync(busDir, { mode: 0o755 });
  fs.chmodSync(tmp.dir, 0o755); // avahi drops to its own user, which must reach the bus
  const out = sh(
    'dbus-daemon',
    '--config-file=/usr/share/dbus-1/system.conf',
    `--address=unix:path=${busDir}/socket`,
    '--nopidfile',
    '--fork',
    '--print-pid',
  );
  dbusPid = Number(out.trim());
  const conf = path.join(tmp.dir, 'avahi-daemon.conf');
  fs.writeFileSync(
    conf,
    [
      '[server]',
      `host-name=lbtest-b${tag}`, // not the machine's name, which the hub in A announces
      'use-ipv4=yes',
      'use-ipv6=no',
      `allow-interfaces=${VETH_B}`,
      'enable-dbus=yes',
      '[wide-area]',
      'enable-wide-area=no',
      '[publish]',
      'publish-hinfo=no',
      'publish-workstation=no',
      '',
    ].join('\n'),
  );
  avahi = spawn(
    'ip',
    ['netns', 'exec', B, 'avahi-daemon', '--no-chroot', '--no-rlimits', '-f', conf],
    { env: busEnv(), stdio: 'ignore' },
  );
  await until('avahi-daemon', async () =>
    (await inB('avahi-browse', ['-pt', '_lanboard._tcp'], busEnv())).code === 0 ? true : undefined,
  );
}

interface AvahiService {
  name: string;
  host: string;
  address: string;
  port: number;
  txt: string[];
}

/** `avahi-browse -rpt` lines that start with `=` (resolved). */
async function avahiBrowse(type: string): Promise<AvahiService[]> {
  const r = await inB('avahi-browse', ['-rpt', type], busEnv());
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('='))
    .map((l) => {
      const [, , , name = '', , , host = '', address = '', port = '0', txt = ''] = l.split(';');
      return {
        name: name.replace(/\\(\d{3})/g, (_, d: string) => String.fromCharCode(Number(d))),
        host,
        address,
        port: Number(port),
        txt: [...txt.matchAll(/"([^"]*)"/g)].map((m) => m[1]!),
      };
    });
}

const discoverInB = async (): Promise<FoundHub[]> => {
  const args = [BIN, 'discover', '--interface', ADDR_B, '--timeout', '2', '--json'];
  const r = await inB(process.execPath, args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as FoundHub[];
};

function startHubInA(): Promise<ChildHub> {
  return spawnHub(
    ['--host', ADDR_A, '--db', 'memory'],
    { LANBOARD_MDNS_INTERFACE: ADDR_A, LANBOARD_MDNS_NAME: NAME },
    { mdns: true, prefix: ['ip', 'netns', 'exec', A] },
  ).then((hub) => {
    hubs.push(hub);
    return hub;
  });
}

describe('two hosts (network namespaces)', { skip }, () => {
  let first: ChildHub;

  before(async () => {
    setUpNamespaces();
    await startAvahi();
    first = await startHubInA();
  });

  after(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    await killAllHubs();
    if (avahi && avahi.exitCode === null) {
      const exited = new Promise((r) => avahi!.once('exit', r));
      avahi.kill('SIGTERM');
      await exited;
    }
    if (dbusPid && alive(dbusPid)) process.kill(dbusPid, 'SIGTERM');
    for (const ns of [A, B]) {
      try {
        sh('ip', 'netns', 'del', ns); // takes its end of the veth pair with it
      } catch {
        // never created
      }
    }
    tmp.remove();
  });

  test('found from B by `lanboard discover`, with its TXT fields', async () => {
    const hub = await until('the hub in discover', async () =>
      (await discoverInB()).find((h) => h.name === NAME),
    );
    assert.equal(hub.port, first.port);
    assert.deepEqual(hub.addresses, [ADDR_A], 'only A has that address; B sees it');
    assert.match(hub.id ?? '', /^[0-9a-f]{8}$/);
    assert.equal(hub.tls, false);
    assert.equal(hub.protocols.zwibbler, '/socket');
  });

  test('found from B by avahi-browse, with the TXT record and the _http._tcp join page', async () => {
    const service = await until('the hub in avahi-browse', async () =>
      (await avahiBrowse('_lanboard._tcp')).find((s) => s.name === NAME),
    );
    assert.equal(service.address, ADDR_A);
    assert.equal(service.port, first.port);
    for (const entry of ['txtvers=1', 'tls=0', 'zwibbler=/socket', 'yjs=/yjs', 'chat=/chat']) {
      assert.ok(service.txt.includes(entry), `${entry} in ${service.txt.join(' ')}`);
    }
    assert.ok(service.txt.some((t) => /^id=[0-9a-f]{8}$/.test(t)));
    const web = await until('the web service', async () =>
      (await avahiBrowse('_http._tcp')).find((s) => s.name === NAME),
    );
    assert.deepEqual(web.txt, ['path=/']);
    assert.equal(web.port, first.port);
  });

  test('reached from B: GET /socket?ping on the address and port found; the .local name resolves', async () => {
    const [hub] = (await discoverInB()).filter((h) => h.name === NAME);
    assert.ok(hub);
    const url = `http://${hub.addresses[0]}:${hub.port}/socket?ping`;
    const script = `fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status, await r.text()))`;
    const ping = await inB(process.execPath, ['-e', script]);
    assert.equal(ping.stdout.trim(), '200 OK', ping.stderr);
    const resolved = await inB('avahi-resolve', ['-4', '-n', hub.host], busEnv());
    assert.equal(resolved.stdout.trim(), `${hub.host}\t${ADDR_A}`, resolved.stderr);
  });

  test('a second hub in A gets a distinct name; once stopped it is gone (goodbye)', async () => {
    const second = await startHubInA();
    const both = await until('both hubs in avahi-browse', async () => {
      const mine = (await avahiBrowse('_lanboard._tcp')).filter((s) => s.name.startsWith(NAME));
      return mine.length === 2 ? mine : undefined;
    });
    const byName = Object.fromEntries(both.map((s) => [s.name, s.port]));
    assert.deepEqual(byName, { [NAME]: first.port, [`${NAME} (2)`]: second.port });
    const found = await discoverInB();
    assert.equal(found.find((h) => h.name === `${NAME} (2)`)?.port, second.port);

    assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null });
    await until('the second hub to go', async () => {
      const names = (await avahiBrowse('_lanboard._tcp')).map((s) => s.name);
      return names.includes(`${NAME} (2)`) ? undefined : names;
    });
    assert.ok(
      (await discoverInB()).some((h) => h.name === NAME),
      'the first is still there',
    );
  });
});
