// The release's signing environment: a variable only for a secret that has a
// value, the API key as a file, unsigned builds said so, half-filled
// notarisation refused; and the $GITHUB_ENV lines it appends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { githubEnvLines, signingEnv, SIGNING_VARIABLES } from './release-env';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-release-env-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const P8 =
  '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----';

/** Every secret empty, as GitHub passes an unset one. */
const unset = Object.fromEntries(SIGNING_VARIABLES.map((name) => [`SECRET_${name}`, '']));

/** $GITHUB_ENV's heredoc format, read back as the runner reads it. */
function parseGithubEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Z_]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    env[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return env;
}

test('no secrets: nothing set but an unsigned macOS build, and the summary says so', () => {
  const { env, summary } = signingEnv(unset, tmp);
  assert.deepEqual(env, { CSC_IDENTITY_AUTO_DISCOVERY: 'false' });
  assert.deepEqual(summary, [
    'Windows: unsigned (no WIN_CSC_LINK or CSC_LINK secret)',
    'macOS: unsigned and not notarised (no CSC_LINK secret)',
  ]);
  // Spaces only count as unset too.
  assert.deepEqual(signingEnv({ ...unset, SECRET_CSC_LINK: '  \n' }, tmp).env, env);
});

test('an empty WIN_CSC_LINK never reaches the build to override CSC_LINK', () => {
  const { env, summary } = signingEnv(
    { ...unset, SECRET_CSC_LINK: 'base64cert', SECRET_CSC_KEY_PASSWORD: 'pw' },
    tmp,
  );
  assert.deepEqual(env, { CSC_LINK: 'base64cert', CSC_KEY_PASSWORD: 'pw' });
  assert.equal('WIN_CSC_LINK' in env, false);
  assert.deepEqual(summary, [
    'Windows: signed (CSC_LINK)',
    'macOS: signed, not notarised (no APPLE_API_KEY* or APPLE_ID* secrets)',
  ]);
});

test('a Windows certificate alone signs Windows, and macOS stays unsigned', () => {
  const { env, summary } = signingEnv({ ...unset, SECRET_WIN_CSC_LINK: 'wincert' }, tmp);
  assert.deepEqual(env, { WIN_CSC_LINK: 'wincert', CSC_IDENTITY_AUTO_DISCOVERY: 'false' });
  assert.equal(summary[0], 'Windows: signed (WIN_CSC_LINK)');
});

test('notarisation with an API key: the key text goes to a .p8 file whose path is APPLE_API_KEY', () => {
  for (const secret of [P8, Buffer.from(P8).toString('base64')]) {
    const { env, summary } = signingEnv(
      {
        ...unset,
        SECRET_CSC_LINK: 'cert',
        SECRET_APPLE_API_KEY: secret,
        SECRET_APPLE_API_KEY_ID: 'ABC123',
        SECRET_APPLE_API_ISSUER: 'issuer-uuid',
      },
      tmp,
    );
    assert.equal(env.APPLE_API_KEY, path.join(tmp, 'AuthKey_ABC123.p8'));
    assert.equal(fs.readFileSync(env.APPLE_API_KEY!, 'utf8'), `${P8}\n`);
    assert.equal(fs.statSync(env.APPLE_API_KEY!).mode & 0o777, 0o600);
    assert.equal(env.APPLE_API_KEY_ID, 'ABC123');
    assert.equal(env.APPLE_API_ISSUER, 'issuer-uuid');
    assert.equal(summary[1], 'macOS: signed and notarised (APPLE_API_KEY)');
  }
  assert.throws(
    () =>
      signingEnv(
        {
          ...unset,
          SECRET_CSC_LINK: 'cert',
          SECRET_APPLE_API_KEY: 'not a key',
          SECRET_APPLE_API_KEY_ID: 'ABC123',
          SECRET_APPLE_API_ISSUER: 'issuer-uuid',
        },
        tmp,
      ),
    /APPLE_API_KEY must hold the text of the App Store Connect \.p8 key/,
  );
});

test('half a notarisation set is refused, naming what is missing', () => {
  assert.throws(
    () =>
      signingEnv(
        { ...unset, SECRET_CSC_LINK: 'cert', SECRET_APPLE_ID: 'a@b.c', SECRET_APPLE_TEAM_ID: 'T' },
        tmp,
      ),
    /notarisation needs all of APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID; missing APPLE_APP_SPECIFIC_PASSWORD/,
  );
  // Without a certificate there is nothing to notarise: the Apple secrets are left out.
  const { env } = signingEnv({ ...unset, SECRET_APPLE_ID: 'a@b.c' }, tmp);
  assert.deepEqual(env, { CSC_IDENTITY_AUTO_DISCOVERY: 'false' });
});

test('$GITHUB_ENV lines keep a multi-line value whole', () => {
  const env = { CSC_LINK: 'one line', APPLE_NOTE: 'two\nlines' };
  assert.deepEqual(parseGithubEnv(githubEnvLines(env)), env);
});

test('the script appends to $GITHUB_ENV and prints names, never values', () => {
  const githubEnv = path.join(tmp, 'github-env');
  fs.writeFileSync(githubEnv, 'EARLIER=kept\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/release-env.ts'], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GITHUB_ENV: githubEnv,
      RUNNER_TEMP: tmp,
      ...unset,
      SECRET_WIN_CSC_LINK: 'secret-cert-text',
      SECRET_WIN_CSC_KEY_PASSWORD: 'secret-password',
    },
  });
  assert.equal(run.status, 0, run.stderr);
  const text = fs.readFileSync(githubEnv, 'utf8');
  assert.ok(text.startsWith('EARLIER=kept\n'));
  assert.deepEqual(parseGithubEnv(text), {
    WIN_CSC_LINK: 'secret-cert-text',
    WIN_CSC_KEY_PASSWORD: 'secret-password',
    CSC_IDENTITY_AUTO_DISCOVERY: 'false',
  });
  assert.match(run.stderr, /set WIN_CSC_LINK, WIN_CSC_KEY_PASSWORD, CSC_IDENTITY_AUTO_DISCOVERY/);
  assert.doesNotMatch(run.stderr, /secret-cert-text|secret-password/);
});
