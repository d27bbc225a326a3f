// Reachable means reachable, on Windows: network profiles and firewall rules
// read through PowerShell (answered here by a fake that speaks as Windows
// does), the rule added through one administrator prompt, asked once on the
// first start before the hub listens, and offered to the dashboard after.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { bootApp, TEST_ENV } from './test/boot';
import type { Booted } from './test/boot';
import { ipcEvent } from './test/fake-electron';
import type { FakeElectron } from './test/fake-electron';
import { fakeWindows } from './test/fake-windows';
import {
  allowScript,
  allowThroughFirewall,
  elevationScript,
  firewallVerdict,
  networkStatus,
  parseProfiles,
  parseRules,
  psQuote,
  rulesScript,
} from './windows-network';
import type { NetworkProfile } from './windows-network';

const EXE = "C:\\Users\\o'brien\\AppData\\Local\\Programs\\Lanboard\\Lanboard.exe";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-windows-'));
const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const net = (category: NetworkProfile['category']): NetworkProfile => ({
  name: category,
  interfaceAlias: 'Wi-Fi',
  category,
});
const rule = (action: 'Allow' | 'Block', profile: string) => ({ name: 'r', action, profile });

describe('reading Windows', () => {
  test("Get-NetConnectionProfile's JSON: one object or an array, categories as names or numbers", () => {
    assert.deepEqual(
      parseProfiles('{"Name":"Cafe","InterfaceAlias":"Wi-Fi","NetworkCategory":0}'),
      [{ name: 'Cafe', interfaceAlias: 'Wi-Fi', category: 'Public' }],
    );
    assert.deepEqual(
      parseProfiles(
        '[{"Name":"School","InterfaceAlias":"Ethernet","NetworkCategory":"DomainAuthenticated"},{"Name":"Home","InterfaceAlias":"Wi-Fi","NetworkCategory":"Private"}]',
      ).map((p) => p.category),
      ['DomainAuthenticated', 'Private'],
    );
    assert.deepEqual(parseProfiles('\r\n'), [], 'no connected network: no output');
  });

  test('a Block rule wins; an Allow must cover the network students come in on', () => {
    assert.equal(firewallVerdict([], [net('Private')]), 'missing');
    assert.equal(firewallVerdict([rule('Allow', 'Private, Domain')], [net('Private')]), 'allowed');
    assert.equal(firewallVerdict([rule('Allow', 'Any')], [net('DomainAuthenticated')]), 'allowed');
    assert.equal(
      firewallVerdict([rule('Allow', 'Private')], [net('DomainAuthenticated')]),
      'missing',
    );
    assert.equal(firewallVerdict([rule('Allow', 'Public')], [net('Private')]), 'missing');
    assert.equal(
      firewallVerdict(
        [rule('Allow', 'Private, Domain'), rule('Block', 'Private')],
        [net('Private')],
      ),
      'blocked',
      'the rule Windows adds when its prompt is dismissed',
    );
    // Only a Public network: the rule is judged for Private, where students would be.
    assert.equal(firewallVerdict([rule('Allow', 'Private, Domain')], [net('Public')]), 'allowed');
    assert.deepEqual(
      parseRules('{"DisplayName":"Lanboard","Action":"Allow","Profile":"Private, Domain"}'),
      [{ name: 'Lanboard', action: 'Allow', profile: 'Private, Domain' }],
    );
  });

  test('the scripts quote the path, read the active store, and never open Public', () => {
    assert.equal(psQuote("o'brien"), "'o''brien'");
    assert.match(rulesScript(EXE), /-PolicyStore ActiveStore -Program 'C:\\Users\\o''brien\\/);
    const allow = allowScript(EXE);
    assert.match(allow, /Remove-NetFirewallRule/);
    assert.ok(allow.indexOf('Remove-NetFirewallRule') < allow.indexOf('New-NetFirewallRule'));
    assert.match(allow, /-Direction Inbound -Action Allow -Program \$exe -Profile Private,Domain/);
    assert.doesNotMatch(allow, /Public|Any/);
    // The elevated PowerShell gets the script base64-encoded: no quoting can break it.
    const encoded = /'-EncodedCommand','([A-Za-z0-9+/=]+)'/.exec(elevationScript(EXE))?.[1];
    assert.ok(encoded);
    assert.equal(Buffer.from(encoded, 'base64').toString('utf16le'), allow);
    assert.match(
      elevationScript(EXE),
      /Start-Process -FilePath powershell\.exe -Verb RunAs .*-Wait -PassThru/,
    );
  });

  test('networkStatus: the Public networks by name, and the verdict for the others', async () => {
    const windows = fakeWindows({
      profiles: [
        { Name: 'Cafe Wi-Fi', InterfaceAlias: 'Wi-Fi', NetworkCategory: 0 },
        { Name: 'School', InterfaceAlias: 'Ethernet', NetworkCategory: 1 },
      ],
    });
    assert.deepEqual(await networkStatus(windows.run, EXE), {
      publicNetworks: ['Cafe Wi-Fi'],
      firewall: 'missing',
    });
    for (const call of windows.calls)
      assert.deepEqual(call.slice(0, 6), [
        'powershell.exe',
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-Command',
      ]);
    const broken = fakeWindows({ broken: true });
    assert.deepEqual(await networkStatus(broken.run, EXE), {
      publicNetworks: [],
      firewall: 'unknown',
    });
  });

  test('allowThroughFirewall: done, cancelled at the prompt, or refused, each said plainly', async () => {
    const windows = fakeWindows();
    assert.deepEqual(await allowThroughFirewall(windows.run, EXE), {
      ok: true,
      message: 'Windows Firewall now lets devices on private networks reach Lanboard.',
    });
    assert.equal((await networkStatus(windows.run, EXE)).firewall, 'allowed');
    assert.deepEqual(await allowThroughFirewall(fakeWindows({ elevation: 'cancel' }).run, EXE), {
      ok: false,
      message: 'Not changed: the administrator prompt was cancelled.',
    });
    assert.deepEqual(await allowThroughFirewall(fakeWindows({ elevation: 'fail' }).run, EXE), {
      ok: false,
      message: 'Not changed: Access is denied.',
    });
  });
});

describe('the app on Windows', () => {
  async function bootWindows(
    windows: ReturnType<typeof fakeWindows>,
    prepare?: (fake: FakeElectron) => void,
  ) {
    const appData = fs.mkdtempSync(path.join(tmp, 'appData-'));
    const b = await bootApp({
      appData,
      platform: 'win32',
      execPath: EXE,
      commands: windows.run,
      env: { LANBOARD_SERVER_PORT: '0', ...TEST_ENV, LOCALAPPDATA: path.join(appData, 'Local') },
      prepare,
    });
    running.push(b);
    return b;
  }
  const invoke = (b: Booted, channel: string) => {
    const win = b.fake.BrowserWindow.all[0]!;
    return b.fake.ipcMain.invoke(channel, ipcEvent(win.webContents, win.webContents.url));
  };

  test('no rule: asked once, before the hub listens; Allow runs the administrator prompt', async () => {
    const windows = fakeWindows();
    let loadsAtQuestion = -1;
    const b = await bootWindows(windows, (fake) => {
      const ask = fake.dialog.showMessageBox;
      fake.dialog.showMessageBox = async (...args: unknown[]) => {
        loadsAtQuestion = fake.BrowserWindow.all[0]?.loaded.length ?? 0;
        return ask(...args);
      };
    });
    assert.deepEqual(
      b.fake.messageBoxes.map((m) => m.message),
      ["Let students' devices connect to Lanboard?"],
    );
    assert.deepEqual(b.fake.messageBoxes[0]!.buttons, ['Allow…', 'Not now']);
    assert.equal(loadsAtQuestion, 0, 'asked before the first hub started');
    assert.ok(windows.calls.some((c) => c.at(-1)!.includes('-Verb RunAs')));
    assert.deepEqual(await invoke(b, 'lanboard:network-status'), {
      publicNetworks: [],
      firewall: 'allowed',
    });
    const state = JSON.parse(
      fs.readFileSync(path.join(b.desktop.paths.userData, 'desktop-state.json'), 'utf8'),
    );
    assert.equal(state.firewallOffered, true);
    await b.quit();

    // The next start does not ask again (nor run PowerShell for it).
    const again = fakeWindows();
    const appData = path.dirname(path.dirname(b.desktop.paths.userData));
    const second = await bootApp({
      appData,
      platform: 'win32',
      execPath: EXE,
      commands: again.run,
      env: { LANBOARD_SERVER_PORT: '0', ...TEST_ENV, LOCALAPPDATA: path.join(appData, 'Local') },
    });
    running.push(second);
    assert.deepEqual(second.fake.messageBoxes, []);
    assert.deepEqual(again.calls, []);
  });

  test('the all-users install already has the rule: no question', async () => {
    const windows = fakeWindows({
      rules: [{ DisplayName: 'Lanboard', Action: 'Allow', Profile: 'Private, Domain' }],
    });
    const b = await bootWindows(windows);
    assert.deepEqual(b.fake.messageBoxes, []);
    assert.ok(!windows.calls.some((c) => c.at(-1)!.includes('-Verb RunAs')));
  });

  test('"Not now": no prompt; the dashboard can ask later, and sees a Public network', async () => {
    const windows = fakeWindows({
      profiles: [{ Name: 'Cafe Wi-Fi', InterfaceAlias: 'Wi-Fi', NetworkCategory: 'Public' }],
    });
    const b = await bootWindows(windows, (fake) => fake.messageBoxAnswers.push(1));
    assert.ok(!windows.calls.some((c) => c.at(-1)!.includes('-Verb RunAs')));
    assert.deepEqual(await invoke(b, 'lanboard:network-status'), {
      publicNetworks: ['Cafe Wi-Fi'],
      firewall: 'missing',
    });
    assert.deepEqual(await invoke(b, 'lanboard:allow-through-firewall'), {
      ok: true,
      message: 'Windows Firewall now lets devices on private networks reach Lanboard.',
    });
    assert.deepEqual(
      windows.rules.map((r) => r.Profile),
      ['Private, Domain'],
    );
  });

  test('a refused prompt is explained, and the hub starts anyway', async () => {
    const b = await bootWindows(fakeWindows({ elevation: 'cancel' }));
    assert.deepEqual(
      b.fake.messageBoxes.map((m) => m.message),
      [
        "Let students' devices connect to Lanboard?",
        'Not changed: the administrator prompt was cancelled.',
      ],
    );
    assert.ok(b.desktop.hub());
  });

  test('elsewhere: no PowerShell, and the dashboard gets null', async () => {
    const windows = fakeWindows();
    const b = await bootApp({ commands: windows.run });
    running.push(b);
    assert.equal(await invoke(b, 'lanboard:network-status'), null);
    assert.deepEqual(windows.calls, []);
  });
});
