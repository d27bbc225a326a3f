// Our own application menu: no Reload or Developer Tools in a release build,
// both in development; the macOS app menu and the Edit menu (copy and paste)
// where they belong.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from './menu';
import { bootApp } from './test/boot';
import type { Booted } from './test/boot';

const running: Booted[] = [];
after(async () => {
  for (const b of running) await b.quit().catch(() => undefined);
});

const noop = { openDashboard: () => undefined, openLogsFolder: () => undefined };

/** Every item, submenus included. */
function flat(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [
    i,
    ...(Array.isArray(i.submenu) ? flat(i.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}
const roles = (items: MenuItemConstructorOptions[]) =>
  flat(items)
    .map((i) => i.role)
    .filter(Boolean);

test('a release build has no Reload and no Developer Tools, on any OS', () => {
  for (const os of ['darwin', 'win32', 'linux'] as const) {
    const r = roles(menuTemplate(os, false, noop));
    for (const role of ['reload', 'forceReload', 'toggleDevTools'] as const)
      assert.ok(!r.includes(role), `${os}: ${role}`);
    assert.ok(r.includes('editMenu'), `${os}: copy and paste`);
    assert.ok(r.includes('zoomIn'));
  }
});

test('development keeps Reload and Developer Tools', () => {
  assert.ok(roles(menuTemplate('linux', true, noop)).includes('toggleDevTools'));
  assert.ok(roles(menuTemplate('darwin', true, noop)).includes('reload'));
});

test('macOS starts with the app menu and closes windows from File; others quit from File', () => {
  const mac = menuTemplate('darwin', false, noop);
  assert.equal(mac[0]!.role, 'appMenu');
  assert.ok(roles([mac[1]!]).includes('close'));
  const win = menuTemplate('win32', false, noop);
  assert.equal(win[0]!.label, 'File');
  assert.ok(roles([win[0]!]).includes('quit'));
});

test('the packaged app installs its menu, and its window cannot open developer tools', async () => {
  const b = await bootApp({ prepare: (fake) => (fake.app.isPackaged = true) });
  running.push(b);
  const menu = b.fake.applicationMenu as unknown as { items: MenuItemConstructorOptions[] };
  assert.ok(menu, 'Menu.setApplicationMenu was called');
  assert.ok(!roles(menu.items).includes('toggleDevTools'));
  const prefs = b.fake.BrowserWindow.all[0]!.options.webPreferences as { devTools: boolean };
  assert.equal(prefs.devTools, false);
  const logs = flat(menu.items).find((i) => i.label === 'Open logs folder')!;
  (logs.click as () => void)();
  assert.deepEqual(b.fake.openedPaths, [path.join(b.userData, 'logs')]);
});
