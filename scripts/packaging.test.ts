// The packaging files: electron-builder.yml against electron-builder's own
// JSON schema, and every file it names; the NSIS include; the systemd unit
// through systemd-analyze. The release workflow has release-workflow.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-packaging-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('electron-builder.yml', () => {
  const config = parse(read('electron-builder.yml'));
  const schema = JSON.parse(read('node_modules/app-builder-lib/scheme.json'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  test('is valid against the schema electron-builder ships', () => {
    assert.equal(validate(config), true, JSON.stringify(validate.errors, null, 2));
    // The schema does reject mistakes.
    assert.equal(validate({ ...config, nsis: { ...config.nsis, oneClick: 'no' } }), false);
    assert.equal(validate({ ...config, asarUnpak: ['**/*.node'] }), false);
  });

  test('says what the issue asks', () => {
    assert.equal(config.appId, 'org.lanboard.desktop');
    assert.equal(config.productName, 'Lanboard');
    assert.ok(config.asarUnpack.includes('**/*.node'));
    assert.equal(config.npmRebuild, true, 'rebuilt for each target arch');
    assert.equal(config.extraMetadata.main, 'out/main.mjs');
    assert.deepEqual(config.win.target, ['nsis']);
    assert.equal(config.nsis.oneClick, false);
    assert.equal(config.nsis.perMachine, false, 'the user chooses per machine or per user');
    assert.equal(config.nsis.include, 'build/installer.nsh');
    assert.deepEqual(config.mac.target, [{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    assert.equal(config.mac.hardenedRuntime, true);
    assert.equal(typeof config.mac.extendInfo.NSLocalNetworkUsageDescription, 'string');
    assert.deepEqual(config.mac.extendInfo.NSBonjourServices, [
      '_lanboard._tcp',
      '_http._tcp',
      '_https._tcp',
    ]);
    assert.deepEqual(config.linux.target.sort(), ['AppImage', 'deb', 'rpm']);
    assert.equal(config.electronFuses.runAsNode, false);
  });

  test('every file it names exists', () => {
    const named = [
      config.directories.buildResources,
      config.win.icon,
      config.nsis.include,
      config.mac.icon,
      config.mac.entitlements,
      config.mac.entitlementsInherit,
      config.linux.icon,
      ...config.files.filter((f: string) => !/[*!]/.test(f)),
    ];
    assert.ok(named.length >= 9);
    for (const file of named) assert.ok(fs.existsSync(path.join(ROOT, file)), file);
    // out/ is built by scripts/build-app.ts (see build-app.test.ts); its main is main.mjs.
    assert.ok(config.files.includes('out/**'));
    // The tray's icons for every OS, rendered by scripts/make-icons.ts.
    assert.ok(config.files.includes('build/tray/**'));
    assert.ok(fs.readdirSync(path.join(ROOT, 'build', 'tray')).length >= 10);
  });

  test('NSBonjourServices lists every service type the hub advertises, with TLS and without', () => {
    const advertiser = read('server/discovery/advertiser.ts');
    // The advertiser's types: its service type and the web type, http or https.
    const service = /SERVICE_TYPE = '([^']+)'/.exec(advertiser)?.[1];
    assert.ok(service, 'SERVICE_TYPE found');
    assert.match(advertiser, /this\.o\.tls \? 'https' : 'http'/);
    const advertised = [`_${service}._tcp`, '_http._tcp', '_https._tcp'];
    for (const type of advertised)
      assert.ok(config.mac.extendInfo.NSBonjourServices.includes(type), type);
  });

  test('the entitlements plist enables JIT under the hardened runtime', () => {
    const plist = read('build/entitlements.mac.plist');
    assert.match(plist, /<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
  });
});

describe('installer.nsh', () => {
  const nsh = read('build/installer.nsh');
  const macro = (name: string) =>
    new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(nsh)?.[1] ?? '';

  test('an all-users install adds the firewall rule for Private and Domain, never Public', () => {
    const install = macro('customInstall');
    assert.match(install, /\$\{if\} \$installMode == "all"/);
    assert.match(
      install,
      /netsh advfirewall firewall add rule name="Lanboard" dir=in action=allow program="\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}" enable=yes profile=private,domain'/,
    );
    assert.ok(
      install.indexOf('delete rule') < install.indexOf('add rule'),
      'delete first: no duplicates',
    );
    assert.doesNotMatch(nsh, /profile=(any|public)|profile=[\w,]*public/i);
  });

  test('uninstalling removes the rule and asks before deleting the data, never when silent or upgrading', () => {
    const uninstall = macro('customUnInstall');
    // Everything sits under ${ifNot} ${isUpdated}: an upgrade runs the old uninstaller.
    assert.match(uninstall, /^\s*\$\{ifNot\} \$\{isUpdated\}\n/);
    assert.match(uninstall, /netsh advfirewall firewall delete rule name="Lanboard"/);
    const ask = /MessageBox (MB_[A-Z|_0-9]+) "([^"]+)" \/SD (\w+) (\w+)`/.exec(uninstall);
    assert.ok(ask, 'a MessageBox whose answer decides');
    assert.match(ask[1]!, /MB_YESNO/);
    assert.match(ask[1]!, /MB_DEFBUTTON2/, 'No is the default button');
    assert.equal(ask[3], 'IDNO', 'a silent uninstall keeps the data');
    assert.equal(ask[4], 'IDYES', 'only Yes deletes');
    assert.match(ask[2]!, /%LOCALAPPDATA%\\Lanboard/);
    const deletes = uninstall.slice(uninstall.indexOf(ask[0]));
    assert.ok(deletes.indexOf('SetShellVarContext current') < deletes.indexOf('RMDir'));
    assert.match(deletes, /RMDir \/r "\$LOCALAPPDATA\\Lanboard"/);
    assert.match(deletes, /RMDir \/r "\$APPDATA\\Lanboard"/, 'the folder of earlier versions');
  });

  test('compiles with makensis, warnings as errors, in a harness standing for electron-builder', (t) => {
    if (spawnSync('sh', ['-c', 'command -v makensis']).status !== 0)
      return t.skip('makensis is missing (.ci/run installs the nsis package)');
    // What electron-builder's template gives the include: LogicLib, $installMode,
    // APP_EXECUTABLE_FILENAME and the ${isUpdated} test.
    const harness = path.join(tmp, 'harness.nsi');
    fs.writeFileSync(
      harness,
      [
        'Unicode true',
        '!include LogicLib.nsh',
        `OutFile "${path.join(tmp, 'harness.exe')}"`,
        'RequestExecutionLevel user',
        '!define APP_EXECUTABLE_FILENAME "Lanboard.exe"',
        'Var installMode',
        '!macro _isUpdated _a _b _t _f',
        '  StrCmp "0" "1" `${_t}` `${_f}`',
        '!macroend',
        '!define isUpdated `"" isUpdated ""`',
        `!include "${path.join(ROOT, 'build', 'installer.nsh')}"`,
        'Section "Install"',
        '  StrCpy $installMode all',
        '  !insertmacro customInstall',
        '  WriteUninstaller "$TEMP\\u.exe"',
        'SectionEnd',
        'Section "un.Uninstall"',
        '  !insertmacro customUnInstall',
        'SectionEnd',
        '',
      ].join('\n'),
    );
    const result = spawnSync('makensis', ['-V2', '-WX', harness], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.ok(fs.existsSync(path.join(tmp, 'harness.exe')));
  });
});

describe('lanboard.service', () => {
  const unit = read('build/lanboard.service');

  test('runs the npm-installed `lanboard serve` as a dynamic user with its state directory', () => {
    for (const line of [
      'ExecStart=/usr/local/bin/lanboard serve',
      'DynamicUser=yes',
      'StateDirectory=lanboard',
      'Environment=LANBOARD_DATA_DIR=/var/lib/lanboard',
      'LimitNOFILE=65536',
      'Restart=on-failure',
      'WantedBy=multi-user.target',
    ]) {
      assert.ok(unit.split('\n').includes(line), line);
    }
    assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=/m, 'V8 needs JIT');
  });

  test('passes systemd-analyze verify', (t) => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
    if (which.status !== 0)
      return t.skip('systemd-analyze is missing (.ci/run installs the systemd package)');
    // verify checks that ExecStart's program exists: point it at a stand-in
    // `lanboard`, keeping every other line of the shipped unit.
    const fake = path.join(tmp, 'bin', 'lanboard');
    fs.mkdirSync(path.dirname(fake));
    fs.writeFileSync(fake, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const copy = path.join(tmp, 'lanboard.service');
    const rewritten = unit.replace(
      /^ExecStart=\/usr\/local\/bin\/lanboard /m,
      `ExecStart=${fake} `,
    );
    assert.notEqual(rewritten, unit);
    fs.writeFileSync(copy, rewritten);
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    // Unknown or bad settings are only warnings (exit 0): any output fails too.
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), '');
  });
});
