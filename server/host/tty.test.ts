// `lanboard serve` prints the dashboard URL with its token only on a
// terminal, as Jupyter does, and never into the log lines; on every start,
// terminal or not, it says where the token file is, which exists from the
// first start. The terminal is a real pseudo-terminal from util-linux `script`.
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

  test('not a terminal (systemd): the token file exists (0600) and its path is printed and logged, never the token', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const hub = await spawnHub(['--data-dir', dir.dir, '--log-format', 'json']);
    await hub.stop();
    const file = path.join(dir.dir, 'admin-token');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const token = fs.readFileSync(file, 'utf8').trim();
    assert.ok(token.length >= 16);
    assert.match(
      hub.stderr(),
      new RegExp(
        `dashboard on this computer: http://127\\.0\\.0\\.1:\\d+/admin/ \\(token: ${file}; `,
      ),
    );
    assert.ok(!hub.stderr().includes(token), 'the token itself is never printed');
    const logged = hub
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; tokenAt?: string });
    assert.equal(logged.find((l) => l.msg === 'dashboard token')?.tokenAt, file);
    assert.ok(!hub.stdout().includes(token), 'nor logged');
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
      // On a terminal the log lines are readable ones (LogFormat=auto).
      const logLines = out.split(/\r?\n/).filter((l) => /\d\d:\d\d:\d\d/.test(l));
      assert.ok(
        logLines.some((l) => l.includes('hub listening')),
        out,
      );
      assert.ok(!logLines.some((l) => l.startsWith('{')), 'no JSON lines on a terminal');
      for (const line of logLines) assert.ok(!line.includes(token), line);
      process.kill(-tty.pid!, 'SIGTERM');
    },
  );
});
