// The signing environment for `npm run dist` in the release workflow, built
// from the repository's secrets (docs/desktop.md#signing-and-notarisation).
// A variable is set only when its secret has a value: electron-builder takes
// an empty CSC_LINK for a certificate path ("not a file"), and an empty
// WIN_CSC_LINK overrides CSC_LINK. Notarisation with an API key needs the
// `.p8` file's path in APPLE_API_KEY, so the secret (the file's text) is
// written to the runner's temporary folder. Without a certificate the build is
// unsigned on purpose: no identity is taken from the keychain, no
// notarisation is tried.
//   SECRET_CSC_LINK=… node --import tsx scripts/release-env.ts   (appends to $GITHUB_ENV)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The variables electron-builder reads for signing and notarisation. */
export const SIGNING_VARIABLES = [
  'CSC_LINK',
  'CSC_KEY_PASSWORD',
  'WIN_CSC_LINK',
  'WIN_CSC_KEY_PASSWORD',
  'APPLE_API_KEY',
  'APPLE_API_KEY_ID',
  'APPLE_API_ISSUER',
  'APPLE_ID',
  'APPLE_APP_SPECIFIC_PASSWORD',
  'APPLE_TEAM_ID',
] as const;
export type SigningVariable = (typeof SIGNING_VARIABLES)[number];

/** The workflow passes secret X as SECRET_X, so that electron-builder never sees an empty X. */
export const SECRET_PREFIX = 'SECRET_';

const NOTARY_SETS: ReadonlyArray<readonly SigningVariable[]> = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
];

export interface SigningEnv {
  /** What to add to the build's environment; names only, never values, go to the log. */
  env: Record<string, string>;
  /** One line per platform: signed or not, and why. */
  summary: string[];
}

/** The `.p8` file's text, as pasted or base64-encoded. */
function p8Text(secret: string): string {
  if (secret.includes('-----BEGIN PRIVATE KEY-----')) return `${secret.trim()}\n`;
  const decoded = Buffer.from(secret.trim(), 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN PRIVATE KEY-----')) return `${decoded.trim()}\n`;
  throw new Error(
    'APPLE_API_KEY must hold the text of the App Store Connect .p8 key (or its base64)',
  );
}

/**
 * `secrets` maps SECRET_<variable> to the secret's value (empty when unset).
 * Throws when a notarisation set is half filled in: electron-builder would
 * stop the build there anyway, with a less helpful message.
 */
export function signingEnv(
  secrets: Record<string, string | undefined>,
  tempDir: string,
): SigningEnv {
  const value = (name: SigningVariable) => secrets[SECRET_PREFIX + name]?.trim() || undefined;
  const env: Record<string, string> = {};
  const summary: string[] = [];

  const winLink = value('WIN_CSC_LINK') ?? value('CSC_LINK');
  const macLink = value('CSC_LINK');
  for (const name of [
    'CSC_LINK',
    'CSC_KEY_PASSWORD',
    'WIN_CSC_LINK',
    'WIN_CSC_KEY_PASSWORD',
  ] as const) {
    const v = value(name);
    if (v) env[name] = v;
  }
  summary.push(
    winLink
      ? `Windows: signed (${value('WIN_CSC_LINK') ? 'WIN_CSC_LINK' : 'CSC_LINK'})`
      : 'Windows: unsigned (no WIN_CSC_LINK or CSC_LINK secret)',
  );

  if (!macLink) {
    env.CSC_IDENTITY_AUTO_DISCOVERY = 'false';
    summary.push('macOS: unsigned and not notarised (no CSC_LINK secret)');
    return { env, summary };
  }
  const complete = NOTARY_SETS.find((set) => set.every((name) => value(name)));
  for (const set of NOTARY_SETS) {
    const given = set.filter((name) => value(name));
    if (given.length > 0 && given.length < set.length)
      throw new Error(
        `notarisation needs all of ${set.join(', ')}; missing ${set.filter((n) => !value(n)).join(', ')}`,
      );
  }
  if (!complete) {
    summary.push('macOS: signed, not notarised (no APPLE_API_KEY* or APPLE_ID* secrets)');
    return { env, summary };
  }
  for (const name of complete) env[name] = value(name)!;
  if (complete[0] === 'APPLE_API_KEY') {
    const file = path.join(tempDir, `AuthKey_${value('APPLE_API_KEY_ID')}.p8`);
    fs.writeFileSync(file, p8Text(value('APPLE_API_KEY')!), { mode: 0o600 });
    env.APPLE_API_KEY = file;
  }
  summary.push(`macOS: signed and notarised (${complete[0]})`);
  return { env, summary };
}

/** $GITHUB_ENV lines: the heredoc form, so that a multi-line value stays one variable. */
export function githubEnvLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, v]) => {
      let delimiter: string;
      do delimiter = `EOF_${crypto.randomBytes(8).toString('hex')}`;
      while (v.includes(delimiter));
      return `${name}<<${delimiter}\n${v}\n${delimiter}\n`;
    })
    .join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = process.env.GITHUB_ENV;
  const tempDir = process.env.RUNNER_TEMP;
  if (!target || !tempDir) {
    console.error('release-env: run in GitHub Actions (GITHUB_ENV and RUNNER_TEMP)');
    process.exit(2);
  }
  try {
    const { env, summary } = signingEnv(process.env, tempDir);
    fs.appendFileSync(target, githubEnvLines(env));
    for (const line of summary) console.error(`release-env: ${line}`);
    console.error(`release-env: set ${Object.keys(env).join(', ') || 'nothing'}`);
  } catch (err) {
    console.error(`release-env: ${(err as Error).message}`);
    process.exit(1);
  }
}
