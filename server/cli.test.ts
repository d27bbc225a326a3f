// The real CLI as a child process: one clear stderr line and exit code 2 for
// bad config or usage, 1 when the port is taken, and a graceful SIGTERM.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { COMMANDS } from './commands';
import { killAllHubs, runCli, spawnHub } from './test/child-hub';
import type { CliResult } from './test/child-hub';
import { tempDir } from './test/hub-fixture';
import { ZwibblerClient } from './test/zwibbler-client';

const tmp = tempDir('lanboard-cli-');
const blockers: net.Server[] = [];
const wsClients: ZwibblerClient[] = [];

after(async () => {
  await killAllHubs();
  for (const c of wsClients) c.ws.terminate();
  await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
  tmp.remove();
});

let counter = 0;
function writeFile(name: string, text: string): string {
  const file = path.join(tmp.dir, `${++counter}-${name}`);
  fs.writeFileSync(file, text);
  return file;
}

/** A fresh, empty data folder, so that no lanboard.conf of this machine is read. */
function dataDir(): string {
  const dir = path.join(tmp.dir, `data-${++counter}`);
  fs.mkdirSync(dir);
  return dir;
}

/** Common flags: loopback, no mDNS, an empty data folder. */
const quiet = () => ['--host', '127.0.0.1', '--no-mdns', '--data-dir', dataDir()];

const STACK_LINE = /^\s+at /m;

/** Exit `code`, and stderr is exactly one "lanboard: " line containing every part. */
function assertOneLine(r: CliResult, code: number, parts: string[]): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(lines.length, 1, `one stderr line, got: ${JSON.stringify(r.stderr)}`);
  const line = lines[0]!;
  assert.ok(line.startsWith('lanboard: '), line);
  for (const part of parts) assert.ok(line.includes(part), `${JSON.stringify(line)} lacks ${part}`);
  assert.doesNotMatch(r.stderr, STACK_LINE, 'no stack trace');
  assert.doesNotMatch(r.stdout, STACK_LINE, 'no stack trace on stdout either');
  assert.ok(!line.includes('unexpected error'), line);
  return line;
}

describe('bad config exits 2 with one line naming key, value, source and what is allowed', () => {
  test('a bad --port flag', async () => {
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--port', 'abc']);
    assertOneLine(r, 2, ['ServerPort', '"abc"', '--port', 'an integer from 0 to 65535']);
  });

  test('a bad LANBOARD_* environment value', async () => {
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--port', '0'], {
      LANBOARD_COMPRESSION: 'maybe',
    });
    assertOneLine(r, 2, [
      'Compression',
      '"maybe"',
      'LANBOARD_COMPRESSION',
      '1/0, true/false, on/off or yes/no',
    ]);
  });

  test('a bad value in the config file', async () => {
    const file = writeFile('bad.conf', '# classroom hub\nServerPort=0\nLogLevel=loud\n');
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--config', file]);
    assertOneLine(r, 2, ['LogLevel', '"loud"', `${file} line 3`, 'one of fatal, error']);
  });

  test('an unsupported Database in a config file says which values work', async () => {
    const file = writeFile('mongodb.conf', 'Database=mongodb\nDbServer=db:27017\n');
    const r = await runCli(['serve', ...quiet(), '--port', '0', '--config', file]);
    assertOneLine(r, 2, [
      'Database',
      '"mongodb"',
      `${file} line 1`,
      'sqlite',
      'memory',
      'postgresql',
      'mariadb',
      'mysql for mariadb',
    ]);
  });

  test('a secret is not echoed when the config is bad', async () => {
    const file = writeFile('secret.conf', 'JWTKey=k3y-s3cret==\nServerPort=99999\n');
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--config', file]);
    assertOneLine(r, 2, ['ServerPort', '"99999"']);
    assert.ok(!r.stderr.includes('k3y-s3cret'));
  });

  test('a missing --config file', async () => {
    const file = path.join(tmp.dir, 'does-not-exist.conf');
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--config', file]);
    assertOneLine(r, 2, ['config file', file]);
  });

  test('CertFile pointing to a missing file', async () => {
    const cert = path.join(tmp.dir, 'missing-cert.pem');
    const key = writeFile('key.pem', 'unused');
    const file = writeFile('tls.conf', `CertFile=${cert}\nKeyFile=${key}\n`);
    const r = await runCli([
      'serve',
      ...quiet(),
      '--port',
      '0',
      '--db',
      'memory',
      '--config',
      file,
    ]);
    assertOneLine(r, 2, ['CertFile', `"${cert}"`, 'cannot be read']);
  });

  test('a garbage (non-PEM) certificate and key', async () => {
    const cert = writeFile('cert.pem', 'this is not a certificate\n');
    const key = writeFile('key.pem', 'nor is this a key\n');
    const r = await runCli(['serve', ...quiet(), '--port', '0', '--db', 'memory'], {
      LANBOARD_CERT_FILE: cert,
      LANBOARD_KEY_FILE: key,
    });
    assertOneLine(r, 2, ['CertFile', `"${cert}"`, 'KeyFile', `"${key}"`, 'PEM']);
  });

  test('a mistyped --host is a config error (2), not a failure to listen', async () => {
    const r = await runCli(['serve', '--no-mdns', '--data-dir', dataDir(), '--host', '999.1.1.1']);
    assertOneLine(r, 2, ['ServerBindAddress', '"999.1.1.1"', '--host', 'an IP address']);
  });

  test('--port -1 is checked as a port, not read as a flag', async () => {
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--port', '-1']);
    const line = assertOneLine(r, 2, [
      'ServerPort',
      '"-1"',
      '--port',
      'an integer from 0 to 65535',
    ]);
    assert.doesNotMatch(line, /ambiguous/);
  });

  test('--db in a folder that does not exist is refused, and nothing is created', async () => {
    const missing = path.join(tmp.dir, 'no-such-folder');
    const r = await runCli([
      'serve',
      ...quiet(),
      '--port',
      '0',
      '--db',
      path.join(missing, 'x.db'),
    ]);
    assertOneLine(r, 2, ['--db', missing, 'does not exist']);
    assert.equal(fs.existsSync(missing), false);
  });

  test('--data-dir under a file names --data-dir', async () => {
    const file = writeFile('plain-file', 'x');
    const r = await runCli([
      'serve',
      '--host',
      '127.0.0.1',
      '--no-mdns',
      '--port',
      '0',
      '--data-dir',
      path.join(file, 'data'),
    ]);
    assertOneLine(r, 2, ['DataDir', '--data-dir', `${file} is a file`]);
  });
});

describe('admin-url', () => {
  test('prints the dashboard address with the token of the hub serve runs on the same options', async () => {
    const dir = dataDir();
    const hub = await spawnHub(['--data-dir', dir]);
    try {
      const r = await runCli(['admin-url', '--data-dir', dir, '--port', String(hub.port)]);
      assert.equal(r.code, 0, r.stderr);
      const url = new URL(r.stdout.trim());
      assert.equal(`${url.origin}${url.pathname}`, `http://127.0.0.1:${hub.port}/admin/`);
      const token = decodeURIComponent(url.hash.slice('#token='.length));
      const res = await fetch(new URL('/admin/api/snapshot', url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200, 'the printed token opens the running hub’s API');
    } finally {
      await hub.stop();
    }
  });

  test('ServerPort=0 cannot be known in advance: exit 2 saying so', async () => {
    const r = await runCli(['admin-url', '--data-dir', dataDir(), '--port', '0']);
    assertOneLine(r, 2, ['ServerPort is 0']);
  });
});

describe('usage', () => {
  test('an unknown flag exits 2 with one "lanboard: " line naming it, then the usage', async () => {
    const r = await runCli(['serve', '--bogus']);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.split('\n');
    const own = lines.filter((l) => l.startsWith('lanboard: '));
    assert.equal(own.length, 1, r.stderr);
    assert.equal(lines[0], own[0], 'the message comes first');
    assert.match(own[0]!, /--bogus/);
    assert.match(r.stderr, /\n\nUsage: lanboard serve \[options\]\n/, 'the command’s own usage');
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });

  test('an unknown command exits 2 naming it', async () => {
    const r = await runCli(['srve']);
    assert.equal(r.code, 2);
    const own = r.stderr.split('\n').filter((l) => l.startsWith('lanboard: '));
    assert.equal(own.length, 1, r.stderr);
    assert.match(own[0]!, /"srve"/);
  });

  test('--help exits 0 and lists every command on stdout', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: lanboard <command>/);
    for (const name of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`\\n  ${name} `));
    assert.match(r.stdout, /LANBOARD_\*/);
    assert.equal(r.stderr, '');
  });

  test('every command answers --help and -h with its own usage, exit 0', async () => {
    for (const name of Object.keys(COMMANDS)) {
      for (const flag of ['--help', '-h']) {
        const r = await runCli([name, flag]);
        assert.equal(r.code, 0, `${name} ${flag}: ${r.stderr}`);
        assert.ok(r.stdout.startsWith(`Usage: lanboard ${name}`), `${name} ${flag}: ${r.stdout}`);
        assert.match(r.stdout, /-h, --help/, `${name} lists --help`);
        assert.equal(r.stderr, '');
      }
    }
    const r = await runCli(['help', 'import']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('Usage: lanboard import'), r.stdout);
  });
});

describe('startup failures', () => {
  test('a port already in use exits 1 with one clear line', async () => {
    const blocker = net.createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const r = await runCli(['serve', ...quiet(), '--db', 'memory', '--port', String(port)]);
    assertOneLine(r, 1, [`port ${port}`, '127.0.0.1', 'already in use']);
  });
});

describe('graceful stop', () => {
  test('SIGTERM closes sockets with 1001, exits 0 and leaves a clean SQLite file', async () => {
    const db = path.join(tmp.dir, 'graceful.db');
    const hub = await spawnHub(['--data-dir', dataDir(), '--db', db]);
    const { port } = hub;
    assert.ok(port > 0);

    const client = await ZwibblerClient.join(`ws://127.0.0.1:${port}/socket`, {
      docId: 'graceful',
      initialData: 'hello',
    });
    wsClients.push(client);
    assert.equal(client.messages[0]!.type, 'append', 'joined and the document was created');

    hub.child.kill('SIGTERM');
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    const exit = await hub.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, hub.stderr());
    assert.doesNotMatch(hub.stderr(), STACK_LINE);

    assert.equal(
      fs.existsSync(`${db}-wal`),
      false,
      'a clean close checkpoints and removes the WAL',
    );
    const sqlite = new Database(db, { readonly: true, fileMustExist: true });
    try {
      assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
      const row = sqlite.prepare('SELECT length FROM documents WHERE id = ?').get('graceful') as
        { length: number } | undefined;
      assert.deepEqual(row, { length: 5 }, 'the document written before the stop is there');
    } finally {
      sqlite.close();
    }
  });
});
