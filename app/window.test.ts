// The dashboard window: exactly the secure webPreferences, and close-to-tray.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeElectron } from './test/fake-electron';
import { createDashboardWindow, showWindow } from './window';

test('the window is created with exactly the secure webPreferences', () => {
  const fake = new FakeElectron('/nonexistent');
  createDashboardWindow(fake.api, { preload: '/app/out/preload.cjs', isQuitting: () => false });
  const options = fake.BrowserWindow.all[0]!.options;
  assert.deepEqual(options.webPreferences, {
    preload: '/app/out/preload.cjs',
    devTools: false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  });
  assert.equal(options.show, false, 'shown only once the hub is up, unless started hidden');
});

test('developer tools only when asked for (npm start)', () => {
  const fake = new FakeElectron('/nonexistent');
  createDashboardWindow(fake.api, { preload: 'p', devTools: true, isQuitting: () => false });
  const prefs = fake.BrowserWindow.all[0]!.options.webPreferences as { devTools: boolean };
  assert.equal(prefs.devTools, true);
});

test('closing hides the window until the app quits', () => {
  const fake = new FakeElectron('/nonexistent');
  let quitting = false;
  createDashboardWindow(fake.api, { preload: 'p', isQuitting: () => quitting });
  const win = fake.BrowserWindow.all[0]!;
  win.show();
  win.close();
  assert.equal(win.isVisible(), false);
  assert.equal(win.isDestroyed(), false);
  showWindow(win as never);
  assert.equal(win.isVisible(), true);
  quitting = true;
  win.close();
  assert.equal(win.isDestroyed(), true);
});
