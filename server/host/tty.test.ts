// `lanboard serve` prints the dashboard URL with its token only on a
// terminal, as Jupyter does, and never into the log lines. The terminal is a
// real pseudo-terminal from util-linux `script`.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, killAllHubs, ROOT, spawnHub } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';

const noScript =
  spawnSync('script', ['--version']).status === 0 ? undefined : 'no `script` (util-linux)';

describe('the dashboard URL on a terminal', () => {
  const dirs: { remove(): void }[] = [];
  let tty: ChildProcess | undefined;

  after(async () => {
    if (tty?.pid && tty.exitCode === null) {
      try {
        process.kill(-tty.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await killAllHubs();
    for (const d of dirs) d.remove();
  });

  test('not a terminal: no URL, no token, no token file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const hub = await spawnHub(['--data-dir', dir.dir]);
    await hub.stop();
    assert.ok(!fs.existsSync(path.join(dir.dir, 'admin-token')));
    assert.doesNotMatch(hub.stderr(), /token/i);
  });

  test(
    'a terminal: the URL with the token; the log lines never hold it',
    { skip: noScript },
    async () => {
      const dir = tempDir();
      dirs.push(dir);
      const command = [process.execPath, BIN, 'serve', '--host', '127.0.0.1', '--port', '0']
        .concat(['--no-mdns', '--data-dir', dir.dir])
        .map((a) => `'${a}'`)
        .join(' ');
      tty = spawn('script', ['-qefc', command, '/dev/null'], {
        cwd: ROOT,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no dashboard URL in 30 s: ${out}`)),
          30_000,
        );
        tty!.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/admin\/#token=\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
      });
      const token = decodeURIComponent(url.hash.slice('#token='.length));
      assert.equal(token, fs.readFileSync(path.join(dir.dir, 'admin-token'), 'utf8').trim());
      const res = await fetch(new URL('/admin/api/snapshot', url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      const logLines = out.split(/\r?\n/).filter((l) => l.startsWith('{'));
      assert.ok(logLines.some((l) => l.includes('"hub listening"')));
      for (const line of logLines) assert.ok(!line.includes(token), line);
      process.kill(-tty.pid!, 'SIGTERM');
    },
  );
});
