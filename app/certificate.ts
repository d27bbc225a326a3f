// With TLS on, the window loads https://127.0.0.1:<port>, which a teacher's
// self-signed or LAN certificate does not cover. Rather than turn checks off,
// trust exactly the configured certificate, and only for the hub's loopback
// address: Chromium's fingerprint ("sha256/<base64>" of the DER) must equal
// CertFile's. The file is read at each error, so a renewed certificate works.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { App } from 'electron';

/** Chromium's `certificate.fingerprint` for the first certificate of a PEM file. */
export function certificateFingerprint(pem: string | Buffer): string {
  // The first block: a chain file starts with the server's own certificate.
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem.toString());
  if (!first) throw new Error('no PEM certificate found');
  const der = new X509Certificate(first[0]).raw;
  return `sha256/${createHash('sha256').update(der).digest('base64')}`;
}

export interface TrustedHub {
  /** The hub's loopback origin, `https://127.0.0.1:<port>`. */
  origin: string;
  certFile: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isTrusted(hub: TrustedHub | undefined, url: string, fingerprint: string): boolean {
  if (!hub?.certFile) return false;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' || !LOOPBACK.has(target.hostname)) return false;
  if (target.origin !== new URL(hub.origin).origin) return false;
  try {
    return certificateFingerprint(fs.readFileSync(hub.certFile)) === fingerprint;
  } catch {
    return false;
  }
}

export function trustHubCertificate(
  app: Pick<App, 'on'>,
  current: () => TrustedHub | undefined,
): void {
  app.on('certificate-error', (event, _contents, url, _error, certificate, callback) => {
    if (isTrusted(current(), url, certificate.fingerprint)) {
      event.preventDefault();
      callback(true);
    } else {
      callback(false);
    }
  });
}
