// The admin API seen from another machine: a client in a network namespace
// the test creates (a veth pair, no route to anything else). Loopback-only by
// default (403 even with the token); AdminAllowRemote=1 opens it, token still
// required. A Zwibbler client from there counts as the first LAN client.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { adminCall, eventually } from '../test/admin-client';
import { ROOT } from '../test/child-hub';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import type { Snapshot } from './api-types';

const TOKEN = 'remote-test-token-0123456789abcdef';
const id = process.pid % 10_000;
const NS = `lbadm${id}`;
const HOST_IF = `lba${id}h`;
const NS_IF = `lba${id}n`;
const octet = (process.pid % 200) + 20;
const HOST_IP = `10.213.${octet}.1`;
const NS_IP = `10.213.${octet}.2`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

function namespaceUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no `ip` command (iproute2)';
  return undefined;
}

/**
 * Runs `script` (an ES module, through tsx) with node inside the namespace and
 * returns its stdout. Asynchronously: the hub under test runs in this process.
 */
async function inNamespace(script: string): Promise<string> {
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', NS, ...node], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return stdout.trim();
}

const statusFrom = (url: string, token?: string) =>
  inNamespace(`
    const headers = ${JSON.stringify(token ? { Authorization: `Bearer ${token}` } : {})};
    const r = await fetch(${JSON.stringify(url)}, { headers });
    console.log(r.status);
  `);

const skip = namespaceUnavailable();

describe('admin API from another machine', { skip }, () => {
  let closed: TestHub;
  let open: TestHub;

  before(async () => {
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${HOST_IP}/30`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', NS_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    const config = { ServerBindAddress: HOST_IP, AdminToken: TOKEN };
    closed = await startHub(config);
    open = await startHub({ ...config, AdminAllowRemote: true });
  });

  after(async () => {
    await closed?.stop();
    await open?.stop();
    spawnSync('ip', ['link', 'del', HOST_IF]);
    spawnSync('ip', ['netns', 'del', NS]);
  });

  test('loopback only by default: 403 from the LAN, even with the token', async () => {
    assert.equal(await statusFrom(`${closed.httpUrl}/admin/api/snapshot`, TOKEN), '403');
    assert.equal(await statusFrom(`${closed.httpUrl}/admin/`), '403');
    // The hub itself still answers the LAN.
    assert.equal(await statusFrom(`${closed.httpUrl}/healthz`), '200');
  });

  test('AdminAllowRemote=1 opens it to the LAN, the token still required', async () => {
    assert.equal(await statusFrom(`${open.httpUrl}/admin/api/snapshot`), '401');
    assert.equal(await statusFrom(`${open.httpUrl}/admin/api/snapshot`, 'wrong'), '401');
    assert.equal(await statusFrom(`${open.httpUrl}/admin/api/snapshot`, TOKEN), '200');
  });

  test('a Zwibbler client from the LAN shows in the snapshot as the first LAN client', async () => {
    const before = await adminCall<Snapshot>(open.httpUrl, 'snapshot', { token: TOKEN });
    assert.equal(before.body.server.lanClientSeen, false);
    const joined = await inNamespace(`
      const { ZwibblerClient } = await import(${JSON.stringify(`${ROOT}server/test/zwibbler-client.ts`)});
      const c = await ZwibblerClient.join(${JSON.stringify(`${open.wsUrl}/socket`)}, { docId: 'lan' });
      await c.close();
      console.log('joined');
    `);
    assert.equal(joined, 'joined');
    const seen = await eventually(async () => {
      const s = await adminCall<Snapshot>(open.httpUrl, 'snapshot', { token: TOKEN });
      return s.body.server.lanClientSeen && s;
    });
    assert.equal(seen.body.server.lanClientSeen, true);
  });
});
