// HTTPS: CertFile/KeyFile checks at start (in process and through the real
// CLI), and reloading a renewed certificate without a restart, seen by real
// `wss://` Zwibbler clients. Certificates are generated at test time.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { ConfigError } from '../config/load';
import { captureLog } from '../test/captured-log';
import type { LogLine } from '../test/captured-log';
import { killAllHubs, runCli, spawnHub } from '../test/child-hub';
import type { CliResult } from '../test/child-hub';
import { sleep, startHub, tempDir } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { ZwibblerClient, initMessage } from '../test/zwibbler-client';
import { AckStatus } from '../protocols/zwibbler/codec';
import { CertificateReloader, loadTls } from './tls';
import type { LoadedTls, SecureContextTarget } from './tls';

const tmp = tempDir('lanboard-tls-');
const hubs: TestHub[] = [];
const clients: ZwibblerClient[] = [];

after(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(hubs.map((h) => h.stop()));
  await killAllHubs();
  tmp.remove();
});

// ---------------------------------------------------------------- helpers

interface Pair {
  cert: string;
  key: string;
  fingerprint256: string;
}

let serial = 0;

/**
 * A fresh self-signed certificate for localhost and 127.0.0.1, valid for a day.
 * Each gets its own subject: OpenSSL looks trust anchors up by subject, so
 * several trusted self-signed certificates with one name fail to verify.
 */
async function makePair(options: { keyType?: 'rsa' | 'ec'; passphrase?: string } = {}) {
  const subject = [
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: `lanboard test ${++serial}` },
  ];
  const pems = await generate(subject, {
    keyType: options.keyType ?? 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const pair: Pair = {
    cert: pems.cert,
    key: pems.private,
    fingerprint256: new crypto.X509Certificate(pems.cert).fingerprint256,
  };
  return pair;
}

let counter = 0;
/** A new folder with cert.pem and key.pem (either may be replaced by raw text). */
function writePair(pair: { cert: string | Buffer; key: string | Buffer }): {
  CertFile: string;
  KeyFile: string;
} {
  const dir = path.join(tmp.dir, `pair-${++counter}`);
  fs.mkdirSync(dir);
  const files = { CertFile: path.join(dir, 'cert.pem'), KeyFile: path.join(dir, 'key.pem') };
  fs.writeFileSync(files.CertFile, pair.cert);
  fs.writeFileSync(files.KeyFile, pair.key);
  return files;
}

/** Replaces a file's content the way a renewal tool does: a new file renamed over the old one. */
function replaceFile(file: string, content: string | Buffer): void {
  const next = `${file}.${++counter}.tmp`;
  fs.writeFileSync(next, content);
  fs.renameSync(next, file);
}

const WARN = 40;
const INFO = 30;

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface TlsClient {
  client: ZwibblerClient;
  /** The certificate the server presented on this connection. */
  fingerprint256: string;
  socket: tls.TLSSocket;
}

/**
 * Opens a real `wss://` connection with `ws`, trusting only `ca`, and joins a
 * Zwibbler document. The TLS socket is captured through ws's public
 * `createConnection` option (the same socket as the upgrade response's).
 */
async function joinOverTls(
  wsUrl: string,
  ca: string[],
  docId: string,
  initialData = '',
): Promise<TlsClient> {
  let socket: tls.TLSSocket | undefined;
  // As ws's own tlsConnect: no `path` (it would be read as a pipe), no SNI for an IP.
  const createConnection = ((options: tls.ConnectionOptions & { path?: string }) => {
    socket = tls.connect({ ...options, path: undefined, servername: '' } as tls.ConnectionOptions);
    return socket;
  }) as unknown as typeof net.createConnection;
  const client = await ZwibblerClient.open(`${wsUrl}/socket`, { ca, createConnection });
  clients.push(client);
  assert.ok(socket, 'the connection went through createConnection');
  assert.equal(
    socket.authorized,
    true,
    `verified against the given CA: ${socket.authorizationError}`,
  );
  const fingerprint256 = socket.getPeerCertificate().fingerprint256;
  client.send(initMessage({ docId, initialData }));
  const first = await client.next();
  assert.equal(first.type, 'append', `initial append, got ${first.type}`);
  return { client, fingerprint256, socket };
}

const rejectsWith = (fn: () => unknown, pattern: RegExp | string): ConfigError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${(err as Error).stack}`);
    assert.ok(!err.message.includes('\n'), `one line: ${JSON.stringify(err.message)}`);
    if (typeof pattern === 'string') assert.ok(err.message.includes(pattern), err.message);
    else assert.match(err.message, pattern);
    return err;
  }
  assert.fail('expected a ConfigError');
};

let A: Pair;
let B: Pair;
let C: Pair;
let D: Pair;
let RSA: Pair;

before(async () => {
  [A, B, C, D, RSA] = await Promise.all([
    makePair(),
    makePair(),
    makePair(),
    makePair(),
    makePair({ keyType: 'rsa' }),
  ]);
});

// ---------------------------------------------------------------- start-up checks

describe('loadTls: CertFile and KeyFile are checked as a pair at start', () => {
  test('a valid pair loads, with the certificate fingerprint', () => {
    const files = writePair(A);
    const loaded = loadTls(files)!;
    assert.equal(loaded.fingerprint256, A.fingerprint256);
    assert.equal(loaded.cert.toString(), A.cert);
    assert.equal(loaded.key.toString(), A.key);
    assert.match(loaded.subject, /CN=localhost/);
    assert.ok(loaded.validTo.getTime() > Date.now());
  });

  test('no CertFile means plain HTTP', () => {
    assert.equal(loadTls({ CertFile: '', KeyFile: '' }), undefined);
  });

  test('a missing file names the key and the file', () => {
    const files = writePair(A);
    const missing = path.join(tmp.dir, 'nope', 'cert.pem');
    rejectsWith(
      () => loadTls({ ...files, CertFile: missing }),
      `CertFile="${missing}" cannot be read: no such file (ENOENT)`,
    );
  });

  test('two missing files name both', () => {
    const cert = path.join(tmp.dir, 'gone-cert.pem');
    const key = path.join(tmp.dir, 'gone-key.pem');
    const err = rejectsWith(() => loadTls({ CertFile: cert, KeyFile: key }), /CertFile=/);
    assert.ok(err.message.includes(`KeyFile="${key}" cannot be read`), err.message);
  });

  test('a directory given as the file cannot be read', () => {
    const files = writePair(A);
    rejectsWith(
      () => loadTls({ ...files, KeyFile: tmp.dir }),
      `KeyFile="${tmp.dir}" cannot be read: it is a directory, not a file (EISDIR)`,
    );
  });

  test('a certificate file that is not PEM names only CertFile', () => {
    const files = writePair({ cert: 'hello\n', key: A.key });
    const err = rejectsWith(() => loadTls(files), `CertFile="${files.CertFile}" is not a PEM`);
    assert.ok(!err.message.includes('KeyFile'), err.message);
  });

  test('a DER (binary) certificate is recognised as not PEM', () => {
    const der = new crypto.X509Certificate(A.cert).raw;
    const files = writePair({ cert: der, key: A.key });
    rejectsWith(() => loadTls(files), /CertFile=.* is not a PEM certificate .*DER/);
  });

  test('an empty key file', () => {
    const files = writePair({ cert: A.cert, key: '' });
    rejectsWith(() => loadTls(files), `KeyFile="${files.KeyFile}" is not a PEM private key`);
    rejectsWith(() => loadTls(files), 'the file is empty');
  });

  test('a key that is not the certificate\'s: "key values mismatch" made clear', () => {
    const files = writePair({ cert: A.cert, key: B.key });
    const err = rejectsWith(() => loadTls(files), /does not match/);
    assert.equal(
      err.message,
      `KeyFile="${files.KeyFile}" does not match CertFile="${files.CertFile}": the private key is not the certificate's`,
    );
  });

  test('an RSA key with an EC certificate is a mismatch too', () => {
    // tls.createSecureContext accepts this combination without a word; the
    // handshake would fail later. The explicit check catches it at start.
    assert.doesNotThrow(() => tls.createSecureContext({ cert: A.cert, key: RSA.key }));
    const files = writePair({ cert: A.cert, key: RSA.key });
    rejectsWith(() => loadTls(files), `KeyFile="${files.KeyFile}" does not match CertFile=`);
  });

  test('swapped files are named as swapped', () => {
    const files = writePair({ cert: A.key, key: A.cert });
    rejectsWith(() => loadTls(files), 'CertFile and KeyFile are swapped');
  });

  test('a passphrase-protected key says so', async () => {
    const locked = await makePair({ passphrase: 'pw' });
    const files = writePair(locked);
    rejectsWith(() => loadTls(files), `KeyFile="${files.KeyFile}" is encrypted with a passphrase`);
  });

  test('a half-written certificate is not usable', () => {
    const files = writePair({ cert: A.cert.slice(0, A.cert.length / 2), key: A.key });
    rejectsWith(() => loadTls(files), `CertFile="${files.CertFile}" is not a usable PEM`);
  });

  test('a certificate file with a chain after the server certificate loads', () => {
    const loaded = loadTls(writePair({ cert: `${A.cert}\n${B.cert}\n`, key: A.key }))!;
    assert.equal(loaded.fingerprint256, A.fingerprint256, "the first certificate is the server's");
    // The other way round, the key does not match the first certificate.
    rejectsWith(
      () => loadTls(writePair({ cert: `${B.cert}\n${A.cert}\n`, key: A.key })),
      'does not match',
    );
  });

  test('an RSA pair loads too', () => {
    assert.equal(loadTls(writePair(RSA))!.fingerprint256, RSA.fingerprint256);
  });
});

// ---------------------------------------------------------------- reload logic

describe('CertificateReloader.check: what a change does', () => {
  function reloader(files: { CertFile: string; KeyFile: string }, intervalMs = 0) {
    const applied: tls.SecureContextOptions[] = [];
    const target: SecureContextTarget = { setSecureContext: (o) => applied.push(o) };
    const { logger, lines } = captureLog('info');
    const current: LoadedTls = loadTls(files)!;
    const r = new CertificateReloader({ files, current, target, log: logger, intervalMs });
    return { r, applied, lines, warnings: () => lines().filter((l) => l.level === WARN) };
  }

  test('unchanged files: nothing is applied', async () => {
    const files = writePair(A);
    const { r, applied, lines } = reloader(files);
    assert.equal(await r.check(), 'unchanged');
    fs.utimesSync(files.CertFile, new Date(), new Date(Date.now() + 5000));
    assert.equal(await r.check(), 'unchanged', 'a touched file with the same content');
    assert.equal(applied.length, 0);
    assert.equal(lines().length, 0);
  });

  test('a new valid pair is applied and logged at info', async () => {
    const files = writePair(A);
    const { r, applied, lines } = reloader(files);
    replaceFile(files.CertFile, B.cert);
    replaceFile(files.KeyFile, B.key);
    assert.equal(await r.check(), 'reloaded');
    assert.equal(applied.length, 1);
    assert.equal(String(applied[0]!.cert), B.cert);
    assert.equal(String(applied[0]!.key), B.key);
    assert.equal(r.serving.fingerprint256, B.fingerprint256);
    const info = lines().find((l) => l.level === INFO && l.msg.startsWith('certificate reloaded'));
    assert.ok(info, JSON.stringify(lines()));
    assert.equal(info.fingerprint256, B.fingerprint256);
    assert.equal(await r.check(), 'unchanged', 'and it is not applied twice');
    assert.equal(applied.length, 1);
  });

  test('a half-written pair is warned about, then loads once complete', async () => {
    const files = writePair(A);
    const { r, applied, warnings } = reloader(files);
    // The new certificate is in place but the key is still the old one.
    fs.writeFileSync(files.CertFile, B.cert);
    assert.equal(await r.check(), 'invalid');
    assert.equal(applied.length, 0, 'the old pair is kept');
    assert.equal(r.serving.fingerprint256, A.fingerprint256);
    assert.equal(warnings().length, 1);
    assert.match(warnings()[0]!.msg, /still serving the previous one: KeyFile=.* does not match/);
    assert.equal(warnings()[0]!.fingerprint256, A.fingerprint256, 'names what is still served');
    assert.equal(warnings()[0]!.rejected, B.fingerprint256, 'and the certificate refused');
    // Retried on the next check, without a second warning for the same files.
    assert.equal(await r.check(), 'invalid');
    assert.equal(warnings().length, 1);
    // A certificate cut off mid-write is a new problem, warned about once.
    fs.writeFileSync(files.KeyFile, B.key);
    fs.writeFileSync(files.CertFile, B.cert.slice(0, 300));
    assert.equal(await r.check(), 'invalid');
    assert.equal(warnings().length, 2);
    assert.match(warnings()[1]!.msg, /CertFile=.* is not a usable PEM certificate/);
    fs.writeFileSync(files.CertFile, B.cert);
    assert.equal(await r.check(), 'reloaded');
    assert.equal(applied.length, 1);
    assert.equal(r.serving.fingerprint256, B.fingerprint256);
  });

  test('a file that disappears keeps the old pair, with a warning naming it', async () => {
    const files = writePair(A);
    const { r, applied, warnings } = reloader(files);
    fs.rmSync(files.KeyFile);
    assert.equal(await r.check(), 'invalid');
    assert.equal(applied.length, 0);
    assert.match(warnings()[0]!.msg, /KeyFile=".*key\.pem" cannot be read: no such file/);
    fs.writeFileSync(files.KeyFile, A.key);
    assert.equal(await r.check(), 'unchanged', 'the same pair back: nothing to do');
    assert.equal(applied.length, 0);
  });

  test('the timer: off at interval 0, on otherwise, and stop() ends it', async () => {
    const files = writePair(A);
    const off = reloader(files, 0);
    off.r.start();
    assert.equal(off.r.running, false);
    const on = reloader(files, 50);
    on.r.start();
    assert.equal(on.r.running, true);
    replaceFile(files.CertFile, B.cert);
    replaceFile(files.KeyFile, B.key);
    await waitFor('the timed check', () => (on.applied.length > 0 ? true : undefined), 3000);
    on.r.stop();
    assert.equal(on.r.running, false);
    replaceFile(files.CertFile, C.cert);
    replaceFile(files.KeyFile, C.key);
    await sleep(300);
    assert.equal(on.applied.length, 1, 'nothing is checked after stop()');
  });
});

// ---------------------------------------------------------------- a real hub

describe('an HTTPS hub reloads a renewed certificate without a restart', () => {
  let hub: TestHub;
  let files: { CertFile: string; KeyFile: string };
  let lines: () => LogLine[];
  let first: TlsClient;
  const ca = () => [A.cert, B.cert, C.cert, D.cert];

  before(async () => {
    files = writePair(A);
    const captured = captureLog('info');
    lines = captured.lines;
    hub = await startHub({ ...files, CertReloadSeconds: 1 }, { logger: captured.logger });
    hubs.push(hub);
  });

  test('a wss:// Zwibbler client joins and sees the configured certificate', async () => {
    assert.match(hub.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(hub.wsUrl, /^wss:\/\//);
    first = await joinOverTls(hub.wsUrl, ca(), 'tls-doc', 'hello');
    assert.equal(first.fingerprint256, A.fingerprint256);
    const serving = lines().find((l) => l.msg === 'serving certificate');
    assert.equal(serving?.fingerprint256, A.fingerprint256, 'the start logs the certificate');
    // Plain HTTPS requests are served from the same port and certificate.
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${hub.httpUrl}/socket`, { ca: ca() }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.match(body, /Zwibbler collaboration Server is running/);
  });

  test('new files: new connections get the new certificate, the open one keeps working', async () => {
    const mark = lines().length;
    replaceFile(files.CertFile, B.cert);
    replaceFile(files.KeyFile, B.key);
    const reloaded = await waitFor('the reload log', () =>
      lines()
        .slice(mark)
        .find((l) => l.level === INFO && l.msg.startsWith('certificate reloaded')),
    );
    assert.equal(reloaded.fingerprint256, B.fingerprint256);

    const second = await joinOverTls(hub.wsUrl, ca(), 'tls-doc');
    assert.equal(
      second.fingerprint256,
      B.fingerprint256,
      'a new connection sees the new certificate',
    );
    assert.equal(
      first.socket.getPeerCertificate().fingerprint256,
      A.fingerprint256,
      'the open connection still has the old one',
    );

    // The open connection still works: its append is acknowledged and reaches the new one.
    first.client.append(5, ' world');
    const ack = await first.client.nextOf('ack-nack');
    assert.equal(ack.status, AckStatus.Appended);
    const relayed = await second.client.nextOf('append');
    assert.equal(Buffer.from(relayed.data).toString(), ' world');
    assert.equal(relayed.offset, 5);
  });

  test('a mismatched pair is refused with a warning and the previous certificate stays', async () => {
    const mark = lines().length;
    // Written in place, not renamed, as a careless copy would.
    fs.writeFileSync(files.CertFile, C.cert);
    fs.writeFileSync(files.KeyFile, D.key);
    // The checker may catch the files between the two writes (a new certificate
    // with the old key) and warn about that first; wait for the warning about C.
    const warning = await waitFor('the warning', () =>
      lines()
        .slice(mark)
        .find((l) => l.level === WARN && l.rejected === C.fingerprint256),
    );
    const settled = lines().length;
    assert.match(
      warning.msg,
      /still serving the previous one: KeyFile=".*key\.pem" does not match CertFile=".*cert\.pem"/,
    );
    assert.equal(warning.fingerprint256, B.fingerprint256);

    const third = await joinOverTls(hub.wsUrl, ca(), 'tls-doc');
    assert.equal(third.fingerprint256, B.fingerprint256, 'still the last good certificate');
    // Re-checked every second, but warned about once.
    await sleep(2500);
    const again = lines()
      .slice(settled)
      .filter((l) => l.level === WARN);
    assert.deepEqual(again, [], 'no second warning for the same files');
    assert.ok(
      !lines()
        .slice(mark)
        .some((l) => l.msg.startsWith('certificate reloaded')),
    );

    // Fixing the key loads the new pair on the next check.
    fs.writeFileSync(files.KeyFile, C.key);
    await waitFor('the reload after the fix', () =>
      lines()
        .slice(mark)
        .find((l) => l.msg.startsWith('certificate reloaded')),
    );
    const fourth = await joinOverTls(hub.wsUrl, ca(), 'tls-doc');
    assert.equal(fourth.fingerprint256, C.fingerprint256);
  });

  test('hub.stop() stops the checks', async () => {
    await hub.stop();
    const mark = lines().length;
    replaceFile(files.CertFile, D.cert);
    replaceFile(files.KeyFile, D.key);
    await sleep(2500);
    const later = lines()
      .slice(mark)
      .filter((l) => /certificate/.test(l.msg));
    assert.deepEqual(later, [], 'no check ran after the stop');
  });
});

describe('CertReloadSeconds=0 turns the reload off', () => {
  test('changed files are not picked up', async () => {
    const files = writePair(A);
    const captured = captureLog('info');
    const hub = await startHub({ ...files, CertReloadSeconds: 0 }, { logger: captured.logger });
    hubs.push(hub);
    replaceFile(files.CertFile, B.cert);
    replaceFile(files.KeyFile, B.key);
    await sleep(2200);
    const c = await joinOverTls(hub.wsUrl, [A.cert, B.cert], 'tls-off');
    assert.equal(c.fingerprint256, A.fingerprint256);
    assert.ok(!captured.lines().some((l) => l.msg.startsWith('certificate reloaded')));
  });
});

// ---------------------------------------------------------------- the real CLI

/** `lanboard serve` with CertFile/KeyFile from the environment, run to its end. */
function serve(files: { CertFile: string; KeyFile: string }): Promise<CliResult> {
  const dataDir = path.join(tmp.dir, `data-${++counter}`);
  fs.mkdirSync(dataDir);
  return runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--db', 'memory'], {
    LANBOARD_CERT_FILE: files.CertFile,
    LANBOARD_KEY_FILE: files.KeyFile,
    LANBOARD_DATA_DIR: dataDir,
  });
}

/** Exit 2 and exactly one "lanboard: " line on stderr holding every part; no stack. */
function assertConfigExit(r: CliResult, parts: string[]): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  const stderrLines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(stderrLines.length, 1, `one stderr line, got ${JSON.stringify(r.stderr)}`);
  const line = stderrLines[0]!;
  assert.ok(line.startsWith('lanboard: '), line);
  assert.ok(!line.includes('unexpected error'), line);
  for (const part of parts) assert.ok(line.includes(part), `${JSON.stringify(line)} lacks ${part}`);
  assert.doesNotMatch(r.stderr + r.stdout, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(r.stdout, /hub listening/, 'the hub did not start');
}

describe('start-up errors through the real CLI exit 2 with one line', () => {
  test('a missing certificate file', async () => {
    const files = writePair(A);
    const missing = path.join(tmp.dir, 'missing-cert.pem');
    const r = await serve({ ...files, CertFile: missing });
    assertConfigExit(r, ['CertFile', `"${missing}"`, 'cannot be read', 'no such file']);
  });

  test('an unreadable key file (a directory where the file should be)', async () => {
    const files = writePair(A);
    const dir = path.join(tmp.dir, `a-folder-${++counter}`);
    fs.mkdirSync(dir);
    const r = await serve({ ...files, KeyFile: dir });
    assertConfigExit(r, ['KeyFile', `"${dir}"`, 'cannot be read', 'directory']);
  });

  test(
    'an unreadable key file (mode 000)',
    {
      skip:
        process.getuid?.() === 0
          ? 'root reads mode-000 files; the directory case covers it'
          : false,
    },
    async () => {
      const files = writePair(A);
      fs.chmodSync(files.KeyFile, 0o000);
      const r = await serve(files);
      assertConfigExit(r, ['KeyFile', `"${files.KeyFile}"`, 'cannot be read', 'permission denied']);
    },
  );

  test('a key that does not match the certificate', async () => {
    const files = writePair({ cert: A.cert, key: B.key });
    const r = await serve(files);
    assertConfigExit(r, [
      `KeyFile="${files.KeyFile}" does not match CertFile="${files.CertFile}"`,
      "the private key is not the certificate's",
    ]);
  });

  test('a valid pair starts an HTTPS hub', async () => {
    const files = writePair(A);
    const child = await spawnHub([], {
      LANBOARD_CERT_FILE: files.CertFile,
      LANBOARD_KEY_FILE: files.KeyFile,
    });
    const c = await joinOverTls(`wss://127.0.0.1:${child.port}`, [A.cert], 'cli-tls');
    assert.equal(c.fingerprint256, A.fingerprint256);
    c.client.ws.terminate();
    const exit = await child.stop();
    assert.equal(exit.code, 0, child.stderr());
  });
});
