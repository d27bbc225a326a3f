// Navigation, new windows, webviews and permissions are denied; only
// allow-listed schemes go to the browser; every page gets the strict CSP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalUrl, guardSession, guardWebContents } from './navigation';
import { FakeElectron, FakeWebContents, preventable } from './test/fake-electron';

function guarded() {
  const fake = new FakeElectron('/nonexistent');
  const contents = new FakeWebContents();
  contents.url = 'http://127.0.0.1:3000/admin/';
  guardWebContents(contents as never, fake.shell as never);
  return { fake, contents };
}

test('will-navigate is denied, whatever the target', () => {
  const { contents, fake } = guarded();
  for (const url of [
    'http://127.0.0.1:3000/admin/settings',
    'http://127.0.0.1:3001/admin/#token=x',
    'https://example.org/',
    'file:///etc/passwd',
  ]) {
    const event = preventable();
    contents.emit('will-navigate', event, url);
    assert.equal(event.defaultPrevented, true, url);
  }
  assert.deepEqual(fake.externalUrls, []);
});

test('window.open is denied; http(s) and mailto links open in the browser, nothing else', async () => {
  const { contents, fake } = guarded();
  const open = (url: string) => contents.windowOpenHandler!({ url });
  for (const url of [
    'https://example.org/docs',
    'http://192.168.1.10:3000/',
    'mailto:it@school.example',
    'javascript:alert(1)',
    'file:///C:/Windows/System32/calc.exe',
    'smb://server/share',
    'https://user:pass@example.org/',
    'not a url',
  ]) {
    assert.deepEqual(open(url), { action: 'deny' }, url);
  }
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(fake.externalUrls, [
    'https://example.org/docs',
    'http://192.168.1.10:3000/',
    'mailto:it@school.example',
  ]);
  assert.equal(externalUrl('HTTPS://Example.org/a b'), 'https://example.org/a%20b');
});

test('webviews are refused, and so are redirects to another origin', () => {
  const { contents } = guarded();
  const webview = preventable();
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.defaultPrevented, true);
  const away = preventable();
  contents.emit('will-redirect', away, 'https://example.org/');
  assert.equal(away.defaultPrevented, true);
  const same = preventable();
  contents.emit('will-redirect', same, 'http://127.0.0.1:3000/admin/');
  assert.equal(same.defaultPrevented, false);
});

test('permissions are refused and pages get a strict CSP', () => {
  const fake = new FakeElectron('/nonexistent');
  guardSession(fake.session.defaultSession as never);
  let granted: boolean | undefined;
  fake.permissionHandler!({}, 'media', (ok) => (granted = ok));
  assert.equal(granted, false);
  assert.equal(fake.permissionCheck!(), false);
  let headers: Record<string, string[]> | undefined;
  fake.headersListener!(
    {
      url: 'http://127.0.0.1:3000/admin/',
      resourceType: 'mainFrame',
      responseHeaders: { 'X-A': ['1'] },
    },
    (r) => (headers = r.responseHeaders),
  );
  assert.deepEqual(headers, {
    'X-A': ['1'],
    'Content-Security-Policy': [
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self' http://127.0.0.1:* https://127.0.0.1:*; object-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ],
  });
});
