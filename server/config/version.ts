// The hub's version, from package.json: read once, for the dashboard, the mDNS
// TXT record, the webhook's User-Agent and `lanboard --version`.
import fs from 'node:fs';

let version: string | undefined;

/** package.json's `version`, or '0' when it cannot be read (a copied-out server/). */
export function hubVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(
        fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
      ) as { version?: unknown };
      version = typeof pkg.version === 'string' && pkg.version ? pkg.version : '0';
    } catch {
      version = '0';
    }
  }
  return version;
}
