// The dashboard's login cookie against a real hub (SQLite, a data folder):
// its attributes, what it opens, the cross-site checks on changes, logging out
// everywhere, a new token, and the bearer token beside it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { ADMIN_SESSIONS_FILE } from './login-cookie';

const TOKEN = 'login-test-admin-token-0123456789';

describe('dashboard login cookie', () => {
  const dir = tempDir();
  let t: TestHub;
  const url = (p: string) => `${t.httpUrl}/admin/api/${p}`;
  const origin = () => t.httpUrl;

  const logIn = (token: string, headers: Record<string, string> = {}) =>
    fetch(url('login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin(), ...headers },
      body: JSON.stringify({ token }),
    });
  /** The `name=value` part of the Set-Cookie header. */
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

  before(async () => {
    t = await startHub({ AdminToken: TOKEN, DataDir: dir.dir, Database: 'sqlite' });
  });

  after(async () => {
    await t.stop();
    dir.remove();
  });

  test('login sets an HttpOnly, SameSite=Strict cookie under AdminPath, named after the hub', async () => {
    const res = await logIn(TOKEN);
    assert.equal(res.status, 200);
    const header = res.headers.get('set-cookie') ?? '';
    const hubId = fs.readFileSync(path.join(dir.dir, 'hub-id'), 'utf8').trim();
    assert.match(header, new RegExp(`^lanboard-admin-${hubId}=\\d+\\.[\\w-]{43}; `));
    assert.match(header, /; Path=\/admin\/; /);
    assert.match(header, /; HttpOnly/);
    assert.match(header, /; SameSite=Strict/);
    assert.doesNotMatch(header, /Secure/); // plain http here
    assert.doesNotMatch(header, new RegExp(TOKEN));
    const secret = path.join(dir.dir, ADMIN_SESSIONS_FILE);
    if (process.platform !== 'win32') assert.equal(fs.statSync(secret).mode & 0o777, 0o600);
  });

  test('a wrong token, a form post, or another origin gets no cookie', async () => {
    const wrong = await logIn('not-the-token');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const form = await logIn(TOKEN, { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    const elsewhere = await logIn(TOKEN, { Origin: 'http://evil.example' });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.headers.get('set-cookie'), null);
  });

  test('the cookie reads the API; a change needs this origin and JSON as well', async () => {
    const cookie = cookieOf(await logIn(TOKEN));
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: cookie } })).status, 200);
    const change = (headers: Record<string, string>) =>
      fetch(url('clients/nobody/kick'), {
        method: 'POST',
        headers: { Cookie: cookie, ...headers },
      });
    assert.equal((await change({})).status, 403, 'no Origin');
    assert.equal(
      (await change({ Origin: 'http://evil.example', 'Content-Type': 'application/json' })).status,
      403,
    );
    assert.equal((await change({ Origin: origin(), 'Content-Type': 'text/plain' })).status, 415);
    // Through every check: the kick itself answers (nobody to kick).
    assert.equal(
      (await change({ Origin: origin(), 'Content-Type': 'application/json' })).status,
      404,
    );
  });

  test('a forged cookie, or one of another name, is refused', async () => {
    const cookie = cookieOf(await logIn(TOKEN));
    const [name, value] = cookie.split('=') as [string, string];
    const forged = `${name}=${value.slice(0, -2)}AA`;
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: forged } })).status, 401);
    const renamed = `lanboard-admin-00000000=${value}`;
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: renamed } })).status, 401);
  });

  test('log out everywhere ends every cookie; the bearer token still works; a new login does', async () => {
    const first = cookieOf(await logIn(TOKEN));
    const second = cookieOf(await logIn(TOKEN));
    const out = await fetch(url('logout-everywhere'), {
      method: 'POST',
      headers: { Cookie: first, Origin: origin(), 'Content-Type': 'application/json' },
    });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    for (const cookie of [first, second]) {
      assert.equal((await fetch(url('snapshot'), { headers: { Cookie: cookie } })).status, 401);
    }
    const bearer = await fetch(url('snapshot'), { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 200);
    const again = cookieOf(await logIn(TOKEN));
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: again } })).status, 200);
  });

  test('the cookie survives a restart, and stops working when the token changes', async () => {
    const cookie = cookieOf(await logIn(TOKEN));
    await t.stop();
    t = await startHub({ AdminToken: TOKEN, DataDir: dir.dir, Database: 'sqlite' });
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: cookie } })).status, 200);
    await t.stop();
    t = await startHub({ AdminToken: `${TOKEN}-new`, DataDir: dir.dir, Database: 'sqlite' });
    assert.equal((await fetch(url('snapshot'), { headers: { Cookie: cookie } })).status, 401);
  });
});
