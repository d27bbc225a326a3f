// Every IPC handler checks its sender and its arguments before doing anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerIpc, trustedSender } from './ipc';
import { FakeIpcMain, FakeWebContents, ipcEvent } from './test/fake-electron';

const DASHBOARD = 'http://127.0.0.1:3000/admin/';

function setup() {
  const ipcMain = new FakeIpcMain();
  const window = new FakeWebContents();
  const calls: string[] = [];
  const registered = registerIpc(ipcMain as never, {
    isTrusted: (event) =>
      trustedSender(
        event,
        () => window,
        () => DASHBOARD,
      ),
    adminConnection: () => (calls.push('adminConnection'), { url: DASHBOARD, token: 't0ken' }),
    pickFile: async (kind) => (calls.push(`pickFile ${kind}`), `/certs/${kind}.pem`),
    openLogsFolder: async () => void calls.push('openLogsFolder'),
    getAutostart: () => (calls.push('getAutostart'), false),
    setAutostart: (on) => (calls.push(`setAutostart ${on}`), on),
    networkStatus: async () => (
      calls.push('networkStatus'),
      { publicNetworks: ['Cafe'], firewall: 'missing' as const }
    ),
    allowThroughFirewall: async () => (
      calls.push('allowThroughFirewall'),
      { ok: true, message: 'done' }
    ),
  });
  const good = ipcEvent(window, `${DASHBOARD}settings`);
  return { ipcMain, window, calls, registered, good };
}

test('exactly the seven channels are registered', () => {
  const { registered, ipcMain } = setup();
  const expected = [
    'lanboard:admin-connection',
    'lanboard:pick-file',
    'lanboard:open-logs-folder',
    'lanboard:get-autostart',
    'lanboard:set-autostart',
    'lanboard:network-status',
    'lanboard:allow-through-firewall',
  ];
  assert.deepEqual(registered, expected);
  assert.deepEqual([...ipcMain.handlers.keys()], expected);
});

test('calls from the dashboard with the right arguments are answered', async () => {
  const { ipcMain, good, calls } = setup();
  assert.deepEqual(await ipcMain.invoke('lanboard:admin-connection', good), {
    url: DASHBOARD,
    token: 't0ken',
  });
  assert.equal(await ipcMain.invoke('lanboard:pick-file', good, 'cert'), '/certs/cert.pem');
  assert.equal(await ipcMain.invoke('lanboard:pick-file', good, 'key'), '/certs/key.pem');
  await ipcMain.invoke('lanboard:open-logs-folder', good);
  assert.equal(await ipcMain.invoke('lanboard:get-autostart', good), false);
  assert.equal(await ipcMain.invoke('lanboard:set-autostart', good, true), true);
  assert.deepEqual(await ipcMain.invoke('lanboard:network-status', good), {
    publicNetworks: ['Cafe'],
    firewall: 'missing',
  });
  assert.deepEqual(await ipcMain.invoke('lanboard:allow-through-firewall', good), {
    ok: true,
    message: 'done',
  });
  assert.deepEqual(calls, [
    'adminConnection',
    'pickFile cert',
    'pickFile key',
    'openLogsFolder',
    'getAutostart',
    'setAutostart true',
    'networkStatus',
    'allowThroughFirewall',
  ]);
});

test('wrong senders are refused on every channel', async () => {
  const { ipcMain, window, calls } = setup();
  const stranger = new FakeWebContents();
  const wrong = [
    ipcEvent(stranger, `${DASHBOARD}`), // another webContents
    ipcEvent(window, 'https://evil.example/admin/'), // another origin
    ipcEvent(window, 'http://127.0.0.1:3001/admin/'), // another port
    ipcEvent(window, 'http://127.0.0.1:3000/'), // the join page, not the dashboard
    ipcEvent(window, `${DASHBOARD}`, { subframe: true }), // an iframe
    { sender: window, senderFrame: null }, // a frame already gone
  ];
  for (const event of wrong) {
    for (const channel of ipcMain.handlers.keys()) {
      const args =
        channel === 'lanboard:pick-file'
          ? ['cert']
          : channel === 'lanboard:set-autostart'
            ? [true]
            : [];
      await assert.rejects(
        ipcMain.invoke(channel, event, ...args),
        /sender is not the dashboard/,
        channel,
      );
    }
  }
  assert.deepEqual(calls, []);
});

test('wrong arguments are refused', async () => {
  const { ipcMain, good, calls } = setup();
  const cases: Array<[string, unknown[]]> = [
    ['lanboard:admin-connection', ['extra']],
    ['lanboard:pick-file', []],
    ['lanboard:pick-file', ['/etc/passwd']],
    ['lanboard:pick-file', ['cert', 'key']],
    ['lanboard:pick-file', [{ kind: 'cert' }]],
    ['lanboard:open-logs-folder', ['/']],
    ['lanboard:get-autostart', [true]],
    ['lanboard:set-autostart', []],
    ['lanboard:set-autostart', ['yes']],
    ['lanboard:set-autostart', [1]],
    ['lanboard:set-autostart', [true, true]],
    ['lanboard:network-status', ['Wi-Fi']],
    ['lanboard:allow-through-firewall', ['C:\\evil.exe']],
  ];
  for (const [channel, args] of cases) {
    await assert.rejects(
      ipcMain.invoke(channel, good, ...args),
      /IpcRefused|takes/,
      `${channel} ${JSON.stringify(args)}`,
    );
  }
  assert.deepEqual(calls, []);
});
