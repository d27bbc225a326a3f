// HTTPS for the hub: CertFile and KeyFile are read and checked as a pair at
// start (every problem is one ConfigError line naming the keys and files), and
// then re-read every CertReloadSeconds so that a renewed certificate is served
// to new connections without a restart. A changed pair that does not load (a
// mismatch, or a file caught half-written) is logged and the old one is kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import tls from 'node:tls';
import { ConfigError } from '../config/load';
import type { HubConfig } from '../config/schema';
import type { Logger } from '../log/logger';

export interface TlsFiles {
  CertFile: string;
  KeyFile: string;
}

/** A certificate and key that were checked to belong together. */
export interface LoadedTls {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint of the (first) certificate, as `getPeerCertificate().fingerprint256`. */
  fingerprint256: string;
  subject: string;
  validFrom: Date;
  validTo: Date;
  /** Identifies the two files' contents, to notice a change. */
  digest: string;
}

type Which = 'CertFile' | 'KeyFile';

const CERT_BEGIN = '-----BEGIN CERTIFICATE-----';
const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/**
 * Reads and checks the pair named by CertFile and KeyFile; undefined when
 * CertFile is empty (plain HTTP). Throws one-line ConfigErrors.
 */
export function loadTls(config: TlsFiles): LoadedTls | undefined {
  if (!config.CertFile) return undefined;
  const problems: string[] = [];
  const read = (which: Which): Buffer | undefined => {
    try {
      return fs.readFileSync(config[which]);
    } catch (err) {
      problems.push(readProblem(which, config[which], err as NodeJS.ErrnoException));
      return undefined;
    }
  };
  const cert = read('CertFile');
  const key = read('KeyFile');
  if (!cert || !key) throw new ConfigError(problems.join('; '));
  return checkPair(config, cert, key);
}

/** Checks that `cert` and `key` are PEM, parse, and belong together. */
export function checkPair(files: TlsFiles, cert: Buffer, key: Buffer): LoadedTls {
  const certName = `CertFile="${files.CertFile}"`;
  const keyName = `KeyFile="${files.KeyFile}"`;
  const certText = cert.toString('latin1');
  const keyText = key.toString('latin1');

  // 1. Both must be PEM of the right kind.
  const certHasCert = certText.includes(CERT_BEGIN);
  const keyHasKey = KEY_BEGIN.test(keyText);
  if (!certHasCert && !keyHasKey && KEY_BEGIN.test(certText) && keyText.includes(CERT_BEGIN)) {
    throw new ConfigError(
      `${certName} holds a private key and ${keyName} a certificate: CertFile and KeyFile are swapped`,
    );
  }
  const problems: string[] = [];
  if (!certHasCert) {
    problems.push(`${certName} is not a PEM certificate (${pemHint(cert, CERT_BEGIN)})`);
  }
  if (!keyHasKey) {
    problems.push(
      `${keyName} is not a PEM private key (${pemHint(key, '-----BEGIN PRIVATE KEY-----')})`,
    );
  } else if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4,ENCRYPTED/.test(keyText)) {
    problems.push(
      `${keyName} is encrypted with a passphrase; the hub needs an unencrypted PEM key (openssl pkey -in <key> -out <plain-key>)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));

  // 2. Both must parse.
  let x509: crypto.X509Certificate | undefined;
  let privateKey: crypto.KeyObject | undefined;
  try {
    x509 = new crypto.X509Certificate(cert);
  } catch (err) {
    problems.push(`${certName} is not a usable PEM certificate: ${opensslReason(err)}`);
  }
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch (err) {
    problems.push(`${keyName} is not a usable PEM private key: ${opensslReason(err)}`);
  }
  if (!x509 || !privateKey) throw new ConfigError(problems.join('; '));

  // 3. They must belong together. tls.createSecureContext reports "key values
  // mismatch" for two keys of one type, but silently accepts a key of another
  // type (an RSA key with an EC certificate; the handshake then fails), so check
  // explicitly first.
  const mismatch = new ConfigError(
    `${keyName} does not match ${certName}: the private key is not the certificate's`,
  );
  if (!x509.checkPrivateKey(privateKey)) throw mismatch;
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (
      code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ||
      code === 'ERR_OSSL_X509_KEY_TYPE_MISMATCH'
    ) {
      throw mismatch;
    }
    throw new ConfigError(
      `${certName} and ${keyName} are not a usable PEM certificate and key: ${opensslReason(err)}`,
    );
  }
  return {
    cert,
    key,
    fingerprint256: x509.fingerprint256,
    subject: x509.subject.replace(/\n/g, ', '),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    digest: digestOf(cert, key),
  };
}

function digestOf(cert: Buffer, key: Buffer): string {
  return crypto
    .createHash('sha256')
    .update(cert)
    .update('\0')
    .update(key)
    .update(String(cert.length))
    .digest('hex');
}

function fingerprintOf(cert: Buffer): string | undefined {
  try {
    return new crypto.X509Certificate(cert).fingerprint256;
  } catch {
    return undefined;
  }
}

function readProblem(which: Which, file: string, err: NodeJS.ErrnoException): string {
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory, not a file',
    ENOTDIR: 'a folder on the path is a file',
    ELOOP: 'too many symbolic links',
  };
  const known = err.code ? why[err.code] : undefined;
  const reason = known ? `${known} (${err.code})` : err.message;
  return `${which}="${file}" cannot be read: ${reason}`;
}

/** Why a file is not the PEM block expected, in a few words. */
function pemHint(content: Buffer, expected: string): string {
  if (content.length === 0) return 'the file is empty';
  const text = content.toString('latin1');
  const other = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (other) return `it holds a "${other[1]}" block, not "${expected.slice(11, -5)}"`;
  if (content[0] === 0x30) return `it looks like binary DER; convert it to PEM`;
  return `no "${expected}" line`;
}

/** The OpenSSL reason without the "error:0480006C:PEM routines::" prefix. */
function opensslReason(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  return message.replace(/^error:[0-9A-F]+:[^:]*::?/, '').replace(/\s+/g, ' ');
}

/** What hub.stop() needs from the reload. */
export interface CertificateWatch {
  stop(): void;
}

/** Something new TLS connections take their certificate from (an https.Server). */
export interface SecureContextTarget {
  setSecureContext(options: tls.SecureContextOptions): void;
}

export interface CertificateReloaderOptions {
  files: TlsFiles;
  /** The pair being served now. */
  current: LoadedTls;
  target: SecureContextTarget;
  log: Logger;
  /** 0 turns the periodic check off; check() still works. */
  intervalMs: number;
}

export type CheckResult = 'unchanged' | 'reloaded' | 'invalid';

/**
 * Re-reads CertFile and KeyFile on a timer and, when their contents changed and
 * the new pair is valid, hands it to the server: new connections get it, open
 * ones keep theirs. An invalid pair is warned about once per content (it is
 * re-checked every interval, so a pair caught half-written loads next time).
 */
export class CertificateReloader implements CertificateWatch {
  private current: LoadedTls;
  private lastFailure: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: CertificateReloaderOptions) {
    this.current = options.current;
  }

  /** The pair served to new connections. */
  get serving(): LoadedTls {
    return this.current;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.options.intervalMs > 0 && !this.stopped) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async check(): Promise<CheckResult> {
    const { files, log } = this.options;
    if (this.stopped) return 'unchanged';
    const contents: Partial<Record<Which, Buffer>> = {};
    for (const which of ['CertFile', 'KeyFile'] as const) {
      try {
        contents[which] = await fs.promises.readFile(files[which]);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return this.failed(`read:${which}:${e.code}`, readProblem(which, files[which], e));
      }
    }
    const cert = contents.CertFile!;
    const key = contents.KeyFile!;
    const digest = digestOf(cert, key);
    if (digest === this.current.digest) {
      this.lastFailure = undefined;
      return 'unchanged';
    }
    let next: LoadedTls;
    try {
      next = checkPair(files, cert, key);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return this.failed(digest, err.message, fingerprintOf(cert));
    }
    if (this.stopped) return 'unchanged';
    this.options.target.setSecureContext({ cert: next.cert, key: next.key });
    this.current = next;
    this.lastFailure = undefined;
    logCertificate(log, next, 'certificate reloaded; new connections get it');
    return 'reloaded';
  }

  private failed(signature: string, reason: string, rejected?: string): CheckResult {
    if (this.stopped) return 'unchanged';
    if (signature !== this.lastFailure) {
      this.options.log.warn(
        // fingerprint256: still served; rejected: the new certificate's, when it parses.
        { reason, fingerprint256: this.current.fingerprint256, rejected },
        `changed certificate not loaded, still serving the previous one: ${reason}`,
      );
    }
    this.lastFailure = signature;
    return 'invalid';
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.check()
        .catch((err: Error) =>
          this.options.log.error({ err: err.message }, 'certificate check failed'),
        )
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }
}

/**
 * Logs the certificate being served and, unless CertReloadSeconds is 0, starts
 * re-reading the files. `server` must be the https server the pair was given to.
 */
export function watchCertificates(
  server: http.Server,
  config: Pick<HubConfig, 'CertFile' | 'KeyFile' | 'CertReloadSeconds'>,
  current: LoadedTls,
  log: Logger,
): CertificateWatch {
  if (!(server instanceof tls.Server)) throw new Error('certificate reload needs an https server');
  logCertificate(log, current, 'serving certificate');
  const reloader = new CertificateReloader({
    files: { CertFile: config.CertFile, KeyFile: config.KeyFile },
    current,
    target: server,
    log,
    intervalMs: config.CertReloadSeconds * 1000,
  });
  reloader.start();
  return reloader;
}

function logCertificate(log: Logger, c: LoadedTls, message: string): void {
  const fields = {
    subject: c.subject,
    fingerprint256: c.fingerprint256,
    validTo: c.validTo.toISOString(),
  };
  log.info(fields, message);
  const now = Date.now();
  if (c.validTo.getTime() < now) {
    log.warn(
      fields,
      `the certificate expired on ${c.validTo.toISOString()}; clients will refuse it`,
    );
  } else if (c.validFrom.getTime() > now) {
    log.warn(
      fields,
      `the certificate is not valid before ${c.validFrom.toISOString()}; check this computer's clock`,
    );
  }
}
