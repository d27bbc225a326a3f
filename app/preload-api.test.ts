// The preload exposes exactly the DesktopApi, each function on its own channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desktopApi } from './preload-api';

test('each function invokes its channel with its arguments, and nothing else is exposed', async () => {
  const calls: unknown[][] = [];
  const api = desktopApi(async (...args) => void calls.push(args));
  assert.deepEqual(Object.keys(api).sort(), [
    'adminConnection',
    'allowThroughFirewall',
    'getAutostart',
    'networkStatus',
    'openLogsFolder',
    'pickFile',
    'setAutostart',
  ]);
  await api.adminConnection();
  await api.pickFile('key');
  await api.openLogsFolder();
  await api.getAutostart();
  await api.setAutostart(false);
  await api.networkStatus();
  await api.allowThroughFirewall();
  assert.deepEqual(calls, [
    ['lanboard:admin-connection'],
    ['lanboard:pick-file', 'key'],
    ['lanboard:open-logs-folder'],
    ['lanboard:get-autostart'],
    ['lanboard:set-autostart', false],
    ['lanboard:network-status'],
    ['lanboard:allow-through-firewall'],
  ]);
});
