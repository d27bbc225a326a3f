// What the dashboard's browser tests share: the built page, a hub run by the
// supervisor `lanboard serve` uses (so the page can restart it), and where
// screenshots go (test-results/ is git-ignored) for review.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { HubSupervisor } from '../host/supervisor';
import { ROOT } from './child-hub';
import { freePort, serveSources } from './hub-fixture';

export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

/** The tests need the built dashboard; `npm test` builds it first, a lone run builds it here. */
export function ensureDashboardBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(r.status, 0, 'npm run build failed');
}

/**
 * A hub on 127.0.0.1 (mDNS off) from a config file `lanboard.conf` written in
 * `dataDir`, with SQLite. Its log lines feed the dashboard's ring buffer, not
 * the test output.
 */
export async function startServedHub(
  dataDir: string,
): Promise<{ supervisor: HubSupervisor; file: string }> {
  const file = path.join(dataDir, 'lanboard.conf');
  fs.writeFileSync(
    file,
    `# Test hub\nServerBindAddress=127.0.0.1\nServerPort=${await freePort()}\nDatabase=sqlite\n`,
  );
  const supervisor = new HubSupervisor({
    sources: serveSources(file, dataDir, { LogLevel: { raw: 'info', flag: '--log-level' } }),
    logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
  });
  await supervisor.start();
  return { supervisor, file };
}
